/**
 * Where a switchover stands, recorded as a Pulumi stack tag on both of its stacks: the tool
 * resumes from it, and a deploy from main reads it and waits. Stack files can't carry it:
 * a fresh checkout in CI shows them as they were before the switchover began.
 * https://www.pulumi.com/docs/iac/concepts/stacks/#stack-tags
 */
import { StackConfig } from "../../config";
import { count, UsageError } from "../cli";
import { StackBackend } from "../pulumiStacks";

export const PROGRESS_TAG = "multiregion:switchover";

export interface Progress {
    readonly from: string;
    readonly to: string;
    /** Steps finished. */
    readonly done: number;
    /** When the first step that leaves no failover target started, epoch ms. */
    readonly windowOpenedAt?: number;
    /** When the new PRIMARY's record was in place, epoch ms: the scale-down waits on it. */
    readonly promotedAt?: number;
}

function parseProgress(stack: string, value: string): Progress {
    try {
        const p = JSON.parse(value) as Progress;
        if (typeof p.from === "string" && typeof p.to === "string" && Number.isInteger(p.done)) return p;
    } catch {
        // Falls through to the error below.
    }
    throw new UsageError(
        `stack ${stack}'s tag ${PROGRESS_TAG} is not a switchover's progress (${value}); remove it with pulumi stack tag rm ${PROGRESS_TAG} only if no switchover is running`,
    );
}

/** The switchover in progress among `stacks`, if any; they must all tell the same one. */
export async function readProgress(backend: StackBackend, stacks: string[]): Promise<Progress | undefined> {
    const found = new Map<string, Progress>();
    for (const stack of stacks) {
        // A stack not created yet (a new region) has no tags to read.
        if (!(await backend.exists(stack))) continue;
        const value = await backend.tag(stack, PROGRESS_TAG);
        if (value !== undefined) found.set(stack, parseProgress(stack, value));
    }
    const distinct = new Set([...found.values()].map((p) => `${p.from}>${p.to}`));
    if (distinct.size > 1) {
        const each = [...found].map(([stack, p]) => `${stack} says ${p.from} to ${p.to}`).join(", ");
        throw new UsageError(`the stacks record different switchovers (${each}); settle them by hand`);
    }
    // Both stacks carry it; the one written last is the furthest along.
    return [...found.values()].sort((a, b) => b.done - a.done)[0];
}

/** Records progress on both stacks, or clears it when `progress` is undefined. */
export async function writeProgress(backend: StackBackend, stacks: [string, string], progress: Progress | undefined): Promise<void> {
    for (const stack of stacks) await backend.setTag(stack, PROGRESS_TAG, progress && JSON.stringify(progress));
}

/** A one-line account of a switchover in progress. */
export function describeProgress(p: Progress): string {
    return `a switchover from ${p.from} to ${p.to} is in progress (${count(p.done, "step")} done)`;
}

/**
 * How what is deployed differs from the stack file in the values a switchover moves:
 * role, failover record and, unless `floor` is false, the autoscaler floor. Empty when they agree.
 */
export function deployedDiffers(config: StackConfig, outputs: Record<string, unknown>, floor = true): string[] {
    const failover = (outputs.failover ?? {}) as { recordPublished?: unknown };
    const capacity = (outputs.capacity ?? {}) as { minReplicas?: unknown };
    const pairs: [string, unknown, unknown][] = [
        ["role", outputs.role, config.role],
        ["failover record published", failover.recordPublished, config.failover.publishRecord],
        ...(floor ? [["autoscaler floor", capacity.minReplicas, config.services.minReplicas] as [string, unknown, unknown]] : []),
    ];
    return pairs
        .filter(([, deployed, file]) => deployed !== file)
        .map(([what, deployed, file]) => `${what} is ${String(deployed)} deployed, ${String(file)} in Pulumi.${config.stack}.yaml`);
}
