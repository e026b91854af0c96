/**
 * The switchover as data: five steps, each a stack-file edit plus an update of one
 * stack, and where a run stands, derived from the stack files and the steps' own edits.
 */
import { StackConfig } from "../../config";
import { count, UsageError } from "../cli";

type Value = string | number | boolean;

export interface Step {
    readonly title: string;
    readonly stack: string;
    readonly edits: Record<string, Value>;
    /** Wait for the target's deep health check after the update. */
    readonly waitHealthy?: boolean;
}

/** The five steps, from stack files as they are before step 1. */
export function planSwitchover(from: StackConfig, to: StackConfig): Step[] {
    const fromActive = from.services.activeReplicas;
    const toActive = to.services.activeReplicas;
    return [
        {
            title: `scale ${to.stack} to active capacity (${count(toActive, "pod")} per service), still SECONDARY`,
            stack: to.stack,
            edits: { replicasOverride: toActive },
            waitHealthy: true,
        },
        { title: `withdraw ${to.stack}'s SECONDARY record`, stack: to.stack, edits: { failoverRecord: false } },
        {
            title: `demote ${from.stack} to SECONDARY, keeping its ${count(fromActive, "pod")} per service`,
            stack: from.stack,
            edits: { role: "standby", replicasOverride: fromActive },
        },
        { title: `promote ${to.stack} to PRIMARY`, stack: to.stack, edits: { role: "active", failoverRecord: true, replicasOverride: 0 } },
        {
            title: `scale ${from.stack} down to standby capacity (${count(from.services.standbyReplicas, "pod")} per service)`,
            stack: from.stack,
            edits: { replicasOverride: 0 },
        },
    ];
}

/** The values the steps switch, as a stack file holds them now. */
function switched(config: StackConfig): Record<string, Value> {
    return { role: config.role, failoverRecord: config.failover.publishRecord, replicasOverride: config.services.replicasOverride };
}

/**
 * The switched values of both stacks before step 1 and after each step, derived from the
 * steps' own edits: index 0 before step 1, index 5 when done.
 */
export function statesAfterSteps(from: StackConfig, to: StackConfig, steps: Step[]): string[] {
    let state: Record<string, Record<string, Value>> = {
        [from.stack]: { role: "active", failoverRecord: from.failover.publishRecord, replicasOverride: 0 },
        [to.stack]: { role: "standby", failoverRecord: true, replicasOverride: 0 },
    };
    const states = [state];
    for (const step of steps) {
        state = { ...state, [step.stack]: { ...state[step.stack], ...step.edits } };
        states.push(state);
    }
    return states.map((x) => JSON.stringify([x[from.stack], x[to.stack]]));
}

/** A one-line account of a stack's DNS role and capacity, from its stack file. */
export function describeStack(config: StackConfig): string {
    const record = config.failover.publishRecord ? config.failover.failoverType : "no record";
    return `${config.stack}: role ${config.role}, ${record}, a floor of ${count(config.services.minReplicas, "pod")} per service`;
}

export interface Situation {
    readonly from: StackConfig;
    readonly to: StackConfig;
    readonly steps: Step[];
    /** How many steps the files show as applied: 0 before step 1, 5 when done. */
    readonly applied: number;
}

/**
 * Works out where a switchover to `target` stands from the stack files: before it,
 * part-way (another run left the old active with an override), or done.
 */
export function situation(target: string, stacks: StackConfig[]): Situation {
    const to = stacks.find((s) => s.stack === target)!;
    const others = stacks.filter((s) => s.stack !== target);
    const from = others.find((s) => s.role === "active") ?? others.find((s) => s.services.replicasOverride > 0);
    if (!from) {
        if (to.role === "active") throw new UsageError(`${target} is already the active region; nothing to do`);
        throw new UsageError(`no stack is active and none is part-way through a switchover: ${stacks.map(describeStack).join("; ")}`);
    }
    const steps = planSwitchover(from, to);
    const applied = statesAfterSteps(from, to, steps).indexOf(JSON.stringify([switched(from), switched(to)]));
    if (applied < 0) {
        throw new UsageError(
            `the stack files match no step of a switchover from ${from.stack} to ${target}; settle them by hand: ${describeStack(from)}; ${describeStack(to)}`,
        );
    }
    return { from, to, steps, applied };
}
