/**
 * Where a switchover starts from: the progress recorded on the stacks when one is under
 * way, otherwise the stack files, after checking they are exactly what is deployed and
 * that the target is healthy. Nothing here changes anything.
 */
import { StackConfig } from "../../config";
import { count, Io, UsageError } from "../cli";
import { RegionEndpoint } from "../pulumiStacks";
import { deployedDiffers, describeProgress, Progress } from "./progress";
import { planSwitchover, Step } from "./steps";

export interface Situation {
    readonly from: StackConfig;
    readonly to: StackConfig;
    readonly steps: Step[];
    readonly progress: Progress;
    /** The target's deep health check, by the public name, at its own load balancer. */
    readonly health: RegionEndpoint;
}

function byName(fleet: StackConfig[], stack: string): StackConfig {
    const config = fleet.find((s) => s.stack === stack);
    if (!config) throw new UsageError(`the switchover in progress names ${stack}, which has no stack file here`);
    return config;
}

function healthEndpoint(outputs: Record<string, unknown>, config: StackConfig): RegionEndpoint {
    const connectTo = outputs.loadBalancerHostname;
    if (typeof connectTo !== "string") throw new UsageError(`${config.stack} has no loadBalancerHostname output; deploy it first`);
    return { url: `https://${config.failover.recordName}${config.failover.healthCheck.path}`, connectTo };
}

export function describeEndpoint(e: RegionEndpoint): string {
    return `${e.url} at ${e.connectTo}`;
}

/** Picks up the switchover the stacks record; it must be the one asked for. */
export async function resume(io: Io, target: string, fleet: StackConfig[], progress: Progress): Promise<Situation> {
    const steps = planSwitchover(byName(fleet, progress.from), byName(fleet, progress.to));
    if (progress.to !== target) {
        throw new UsageError(`${describeProgress(progress)}; finish it first: npm run switchover -- --to ${progress.to}`);
    }
    const to = byName(fleet, progress.to);
    const health = healthEndpoint(await io.stacks.outputs(to.stack), to);
    return { from: byName(fleet, progress.from), to, steps, progress, health };
}

/**
 * Checks a stack is deployed exactly as its file says: the values a switchover moves, then
 * everything else. Returns its outputs.
 */
async function checkInLine(io: Io, config: StackConfig): Promise<Record<string, unknown>> {
    const stack = config.stack;
    if (!(await io.stacks.exists(stack))) throw new UsageError(`stack ${stack} is not deployed; run pulumi up --stack ${stack} first`);
    const outputs = await io.stacks.outputs(stack);
    const differs = deployedDiffers(config, outputs);
    if (differs.length > 0) {
        throw new UsageError(
            `${stack} is not deployed as Pulumi.${stack}.yaml says (${differs.join("; ")}); nothing was changed. Check out the commit that was deployed, or deploy this one first`,
        );
    }
    // A whole-stack step would deploy whatever else differs, in the middle of the switchover.
    const changes = await io.stacks.preview(stack);
    if (changes > 0) {
        throw new UsageError(
            `pulumi preview of ${stack} shows ${count(changes, "change")}: the stack files or the program differ from what is deployed; deploy them first, nothing was changed`,
        );
    }
    return outputs;
}

/** A switchover from the stack files, after checking both stacks and the target's health. */
export async function fresh(io: Io, target: string, fleet: StackConfig[]): Promise<Situation> {
    const to = byName(fleet, target);
    if (to.role === "active") throw new UsageError(`${target} is already the active region; nothing to do`);
    const from = fleet.find((s) => s.role === "active");
    if (!from) throw new UsageError(`no stack of ${target}'s fleet is active in its stack file; settle the files first`);
    await checkInLine(io, from);
    const health = healthEndpoint(await checkInLine(io, to), to);
    if (!(await io.probe.healthy(health))) {
        throw new UsageError(`${target} is not healthy (${describeEndpoint(health)}); nothing was changed`);
    }
    return { from, to, steps: planSwitchover(from, to), progress: { from: from.stack, to: target, done: 0 }, health };
}
