/** What verify prints and writes: one line per claim, a count per stack, the exit code, the JSON. */
import { count } from "../cli";
import { Claim, ClaimStatus } from "./claim";

/** One stack's claims as `--out` writes them. */
export interface StackReport {
    readonly stack: string;
    readonly region: string;
    /** When the run started, ISO 8601. */
    readonly at: string;
    readonly claims: Claim[];
}

/** `--fleet`'s JSON: each stack's report, in the order they ran. */
export interface FleetReport {
    readonly fleet: string;
    readonly at: string;
    readonly stacks: StackReport[];
    /** Live parity: each setting read the same in every region (tools/verify/parity.ts). */
    readonly parity: Claim[];
}

/** Exit codes: every claim PASS, any FAIL, no FAIL but something nobody could settle. */
export const EXIT = { pass: 0, fail: 1, unknown: 3 } as const;

/** `PASS     lb.listeners  expected 80 TCP, 443 TLS  observed 80 TCP, 443 TLS`, and the reason when not PASS. */
export function claimLines(claims: readonly Claim[]): string[] {
    const width = Math.max(...claims.map((c) => c.id.length), 0);
    return claims.map((c) => {
        const observed = c.observed === "" ? "nothing" : c.observed;
        const why = c.status === "PASS" ? "" : `  why: ${c.why}`;
        return `${c.status.padEnd(8)} ${c.id.padEnd(width)}  expected ${c.expected}  observed ${observed}${why}`;
    });
}

function tally(claims: readonly Claim[], status: ClaimStatus): number {
    return claims.filter((c) => c.status === status).length;
}

/** `prod-us: 30 PASS, 1 FAIL, 2 UNKNOWN` */
export function summary(report: StackReport): string {
    const c = report.claims;
    return `${report.stack}: ${count(c.length, "claim")}, ${tally(c, "PASS")} PASS, ${tally(c, "FAIL")} FAIL, ${tally(c, "UNKNOWN")} UNKNOWN`;
}

/** An UNKNOWN that AWS, the cluster or Pulumi refused or failed to answer, as the read that failed marked it. */
export function unanswered(c: Claim): boolean {
    return c.status === "UNKNOWN" && c.unanswered === true;
}

/**
 * 1 when any claim FAILs, else 3 when any is UNKNOWN, else 0. `strict` (CI) counts an unanswered
 * read as a FAIL: a role that may read nothing must not pass as "nothing known yet".
 */
export function exitCode(claims: readonly Claim[], strict = false): number {
    if (claims.some((c) => c.status === "FAIL" || (strict && unanswered(c)))) return EXIT.fail;
    return claims.some((c) => c.status === "UNKNOWN") ? EXIT.unknown : EXIT.pass;
}
