/** What verify checks one stack against: its stack file's config and its deployed outputs. */
import type { StackConfig } from "../../config/types";
import { Io, MissingToolError } from "../cli";
import { loadStack } from "../stacks";
import { attempt, missing, Read } from "./claim";

export interface Target {
    readonly stack: string;
    readonly config: StackConfig;
    /** The stack's outputs after its last update; empty when it has none (never deployed). */
    readonly outputs: Readonly<Record<string, unknown>>;
    /** Why the outputs could not be read, when they could not; every claim then says so. */
    readonly outputsWhy?: string;
    /** Whether that read was refused or failed (Claim.unanswered), rather than finding nothing. */
    readonly outputsUnanswered?: true;
    /** Milliseconds since the epoch when the run started: days left and windows count from here. */
    readonly now: number;
}

/** The stack file's config, checked as `pulumi up` checks it, and the outputs, whatever state the stack is in. */
export async function loadTarget(stack: string, io: Io): Promise<Target> {
    const config = loadStack(stack, io.root);
    const outputs = await attempt("reading the stack's outputs", () => io.stacks.outputs(stack));
    // Without the Pulumi CLI no stack can be read: one line saying so, not a claim each.
    if (!outputs.ok && /spawn pulumi ENOENT/.test(outputs.why))
        throw new MissingToolError(
            "the Pulumi CLI is not installed or not on PATH; verify reads each stack's outputs with it: https://www.pulumi.com/docs/install/",
        );
    const now = io.now();
    if (!outputs.ok) return { stack, config, outputs: {}, outputsWhy: outputs.why, ...outputsUnanswered(outputs.unanswered), now };
    return { stack, config, outputs: outputs.value ?? {}, now };
}

const outputsUnanswered = (unanswered: true | undefined) => (unanswered ? { outputsUnanswered: true as const } : {});

/** A string output, or why there is none. */
export function output(target: Target, key: string): Read<string> {
    const value = target.outputs[key];
    if (typeof value === "string" && value !== "") return { ok: true, value };
    return missing(
        target.outputsWhy ?? `${target.stack} has no ${key} output; deploy it first (pulumi up --stack ${target.stack})`,
        target.outputsUnanswered,
    );
}

/** A list-of-strings output, or why there is none. */
export function listOutput(target: Target, key: string): Read<string[]> {
    const value = target.outputs[key];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return { ok: true, value };
    return missing(
        target.outputsWhy ?? `${target.stack} has no ${key} output; deploy it first (pulumi up --stack ${target.stack})`,
        target.outputsUnanswered,
    );
}
