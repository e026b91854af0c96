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
    /**
     * On an UNKNOWN: AWS, the cluster or Pulumi refused or failed to answer, rather than the thing
     * not being there yet. Set where the read failed, never inferred from `why`; `--strict` fails it.
     */
    readonly unanswered?: true;
}

/** A claim whose expected and observed values are compared as strings. */
export function compared(id: string, what: string, expected: string, observed: string): Claim {
    const status: ClaimStatus = expected === observed ? "PASS" : "FAIL";
    return { id, what, expected, observed, status, why: status === "PASS" ? "" : "differs" };
}

/** `{ unanswered: true }` when it is, nothing otherwise: the field is absent, not false. */
export function unansweredIf(unanswered: boolean | undefined): { unanswered?: true } {
    return unanswered ? { unanswered: true } : {};
}

/** A claim nobody could settle: the reason is said, never thrown. */
export function unknown(id: string, what: string, expected: string, why: string, unanswered = false): Claim {
    return { id, what, expected, observed: "", status: "UNKNOWN", why, ...unansweredIf(unanswered) };
}

/** What one read from AWS gave: its value, or why there is none (refused, missing, failed: then `unanswered`). */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: string; readonly unanswered?: true };

/** A value nobody could read, with the reason. */
export function missing<T>(why: string, unanswered = false): Read<T> {
    return { ok: false, why, ...unansweredIf(unanswered) };
}

/** A value found, or the reason it is not there. */
export function found<T>(value: T | undefined, whyNot: string): Read<T> {
    return value === undefined ? missing(whyNot) : { ok: true, value };
}

/** An error's message up to its first line break: clients put whole response bodies after it. */
export function firstLine(err: unknown): string {
    return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}

/**
 * An SDK failure as one line: AccessDenied says AWS refused, a NotFound or NoSuch code says the
 * thing does not exist (yet); anything else is said as it came. Never a stack trace.
 */
export function failure(call: string, err: unknown): string {
    return `${call} ${failureKind(err)}: ${errorName(err)}: ${firstLine(err)}`;
}

// The drill's Route 53 wrapper keeps the SDK's error name as `code`.
const errorName = (err: unknown) => (err as { code?: unknown }).code?.toString() ?? (err instanceof Error ? err.name : "Error");

function failureKind(err: unknown): "refused" | "found nothing" | "failed" {
    const name = errorName(err);
    return /AccessDenied|Unauthorized|Forbidden/i.test(name) ? "refused" : /NotFound|NoSuch/i.test(name) ? "found nothing" : "failed";
}

/** Runs one read; any failure becomes the reason, never an exception. A thing not found is not yet there: answered. */
export async function attempt<T>(call: string, send: () => Promise<T>): Promise<Read<T>> {
    try {
        return { ok: true, value: await send() };
    } catch (err) {
        return missing(failure(call, err), failureKind(err) !== "found nothing");
    }
}

/** A read that needs another's value first: the first's reason carries over when it failed. */
export async function then<T, U>(read: Read<T>, next: (value: T) => Promise<Read<U>> | Read<U>): Promise<Read<U>> {
    return read.ok ? next(read.value) : read;
}

/** What a checker concluded from a value it read. */
export interface Verdict {
    readonly observed: string;
    readonly status: ClaimStatus;
    /** Why it is not PASS, when more than "differs" can be said. */
    readonly why?: string;
    /** An UNKNOWN from a read that was refused or failed (Claim.unanswered). */
    readonly unanswered?: true;
}

/** PASS when the observed text is the expected one. */
export function same(expected: string, observed: string): Verdict {
    return { observed, status: expected === observed ? "PASS" : "FAIL" };
}

/** PASS when every figure is at most the bound; the observed text lists them. */
export function atMost(bound: number, figures: readonly number[]): Verdict {
    const observed = figures.join(", ");
    if (figures.length === 0) return { observed, status: "UNKNOWN", why: "nothing to compare" };
    return { observed, status: figures.every((f) => f <= bound) ? "PASS" : "FAIL", why: `above ${bound}` };
}

/** A claim judged on a read: UNKNOWN with the read's reason when it failed. */
export function judged<T>(id: string, what: string, expected: string, read: Read<T>, judge: (value: T) => Verdict): Claim {
    if (!read.ok) return unknown(id, what, expected, read.why, read.unanswered);
    const v = judge(read.value);
    const why = v.status === "PASS" ? "" : (v.why ?? "differs");
    return { id, what, expected, observed: v.observed, status: v.status, why, ...unansweredIf(v.status === "UNKNOWN" && v.unanswered) };
}

/** A part of a value read, itself a read: the first reason carries over. */
export function pick<T, U>(read: Read<T>, part: (value: T) => Read<U>): Read<U> {
    return read.ok ? part(read.value) : read;
}

/** Every item's part, or the first item's reason it could not be read. */
export function all<T, U>(items: readonly T[], part: (item: T) => Read<U>): Read<U[]> {
    const parts = items.map(part);
    const failed = parts.find((p) => !p.ok);
    return failed && !failed.ok ? failed : { ok: true, value: parts.map((p) => (p as { value: U }).value) };
}
