/**
 * One claim the code or docs make about the live world, and what AWS or the cluster said.
 * Every checker returns these; the command prints one line each and writes them as JSON.
 */
export type ClaimStatus = "PASS" | "FAIL" | "UNKNOWN";

export interface Claim {
    /** Stable dotted id, e.g. `lb.listeners` or `k8s.hpa.floor`: the docs and the JSON use it. */
    readonly id: string;
    /** What is checked, in a few words. */
    readonly what: string;
    /** What the code and config say it should be. */
    readonly expected: string;
    /** What AWS or the cluster answered; empty when nothing could be read. */
    readonly observed: string;
    readonly status: ClaimStatus;
    /** Why UNKNOWN or FAIL: AccessDenied, not found, missing output; empty on PASS. */
    readonly why: string;
}

/** A claim whose expected and observed values are compared as strings. */
export function compared(id: string, what: string, expected: string, observed: string): Claim {
    const status: ClaimStatus = expected === observed ? "PASS" : "FAIL";
    return { id, what, expected, observed, status, why: status === "PASS" ? "" : "differs" };
}

/** A claim nobody could settle: the reason is said, never thrown. */
export function unknown(id: string, what: string, expected: string, why: string): Claim {
    return { id, what, expected, observed: "", status: "UNKNOWN", why };
}
