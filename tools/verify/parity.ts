/**
 * Live parity, the online twin of `npm run parity`: across a fleet's regions, a claim whose
 * expectation is the same everywhere must also be observed the same everywhere. Expectations come
 * from the code and each stack file, and `npm run parity` already holds the stack files to the key
 * table, so an expectation that differs between regions is one the key table allows (a role, a
 * name, a load balancer's hostname); those claims are left out. What remains is the shape of a
 * region, such as its Kubernetes version, its TLS policy or its image digests, which must not drift.
 */
import { Claim } from "./claim";
import type { StackReport } from "./report";

/**
 * Claims whose observed value is a measurement of the moment or names what only one region has
 * (zones, pod and PolicyEndpoint names, disruptions allowed by its replica count): they differ by
 * region by nature.
 */
const MEASUREMENTS = [
    /^cert\.daysLeft$/,
    /^lb\.targetsHealthy$/,
    /^data\.latency\./,
    /^alarm\.state$/,
    /^eks\.support$/,
    /^eks\.dns$/,
    /^k8s\.(spread|pdb|netpol)\./,
    /^k8s\.metrics-server\.pool$/,
];

/** One `parity.<id>` claim per claim every stack read with one expectation; nothing for a single stack. */
export function liveParity(reports: readonly StackReport[]): Claim[] {
    if (reports.length < 2) return [];
    const ids = [...new Set(reports.flatMap((r) => r.claims.map((c) => c.id)))];
    return ids.flatMap((id): Claim[] => {
        if (MEASUREMENTS.some((m) => m.test(id))) return [];
        const each = reports.map((r) => ({ stack: r.stack, claim: r.claims.find((c) => c.id === id) }));
        if (each.some((e) => e.claim === undefined)) return [];
        const expected = new Set(each.map((e) => e.claim!.expected));
        if (expected.size !== 1) return [];
        const what = `the same in ${each.map((e) => e.stack).join(", ")}: ${each[0]!.claim!.what}`;
        const shown = (e: (typeof each)[number]) => `${e.stack} ${e.claim!.observed === "" ? "nothing" : e.claim!.observed}`;
        // A region whose own claim is UNKNOWN read nothing settled: no verdict from it.
        const unread = each.filter((e) => e.claim!.observed === "" || e.claim!.status === "UNKNOWN");
        const base = { id: `parity.${id}`, what, expected: "one value in every region", observed: each.map(shown).join("; ") };
        if (unread.length > 0) return [{ ...base, status: "UNKNOWN", why: `not read in ${unread.map((e) => e.stack).join(", ")}` }];
        const same = new Set(each.map((e) => e.claim!.observed)).size === 1;
        return [{ ...base, status: same ? "PASS" : "FAIL", why: same ? "" : "the regions differ" }];
    });
}
