/** How a read's refusal becomes a claim, and the canonical text both sides of a comparison share. */
import { Claim, unansweredIf } from "../claim";
import { Refusal, unanswered } from "./reader";

/**
 * A claim a refused read settles. verify runs on a stack whose `up` finished (it reads the
 * stack's kubeconfig output), and the program creates every object a claim names in that same
 * `up`, so an absent object is a FAIL, not "not deployed yet". Only the API's refusal (401, 403)
 * or an unusable kubeconfig leave the claim UNKNOWN; callers for whom absence says nothing about
 * the claim (a resource type no controller serves) pass `absent: "UNKNOWN"` with their reason.
 */
export function refused(
    id: string,
    what: string,
    expected: string,
    r: Refusal,
    absent: "FAIL" | { UNKNOWN: string; unanswered?: boolean } = "FAIL",
): Claim {
    if (r.reason === "notFound") {
        if (absent === "FAIL") return { id, what, expected, observed: "absent", status: "FAIL", why: r.why };
        return { id, what, expected, observed: "", status: "UNKNOWN", why: absent.UNKNOWN, ...unansweredIf(absent.unanswered) };
    }
    return { id, what, expected, observed: "", status: "UNKNOWN", why: r.why, ...unansweredIf(unanswered(r)) };
}

/** A claim with its verdict decided by the caller. */
export function judged(id: string, what: string, expected: string, observed: string, why: string): Claim {
    return { id, what, expected, observed, status: why ? "FAIL" : "PASS", why };
}

/** JSON with sorted keys, so two specs compare by content, not by key order. */
export function canonical(value: unknown): string {
    return JSON.stringify(value, (_key, v: unknown) =>
        v && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
            : v,
    );
}
