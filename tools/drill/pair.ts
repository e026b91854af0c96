/**
 * The pair a drill works on, from the stack files and the stacks' outputs: the fleet's
 * active stack (the PRIMARY), its one standby, the record and the computed times. Every
 * problem here is a refusal: one line, exit 2, nothing changed.
 */
import type { HostedZoneRef, StackConfig } from "../../config/types";
import { Io, UsageError } from "../cli";
import { fleetOf, fleetStacks, loadStack, requireStack } from "../stacks";
import { describeProgress, readProgress } from "../switchover/progress";

/** The drill will not run; says why. Nothing was changed. */
export class Refusal extends UsageError {}

/** One region's half of the pair, as deployed. */
export interface Side {
    readonly stack: string;
    readonly region: string;
    readonly healthCheckId: string;
    readonly loadBalancerHostname: string;
}

/** What `pulumi up` computed from the health check settings (index.ts's `failover` output). */
export interface Computed {
    readonly detectionSeconds: number;
    readonly dnsTtlSeconds: number;
    readonly worstCaseSwitchSeconds: number;
}

export interface Pair {
    readonly primary: Side;
    readonly standby: Side;
    readonly recordName: string;
    readonly hostedZone: HostedZoneRef;
    /** The primary's: its check is the one that fails, then recovers. */
    readonly computed: Computed;
    /** The fleet's table (dataTable), or undefined when the fleet keeps no state. */
    readonly table?: string;
}

/** The fleet's active stack and its one standby, from the stack files; `stack` must be the active one. */
export function fleetPair(stack: string, root: string): { primary: StackConfig; standby: StackConfig } {
    requireStack(stack, root);
    const fleet = fleetStacks(stack, root).map((s) => loadStack(s, root));
    const active = fleet.filter((c) => c.role === "active").map((c) => c.stack);
    const standbys = fleet.filter((c) => c.role === "standby");
    const primary = fleet.find((c) => c.stack === stack && c.role === "active");
    if (!primary) {
        const which = active.length > 0 ? `its active stack is ${active.join(", ")}` : "none of its stacks is active";
        throw new Refusal(`--stack must name the ${fleetOf(stack)} fleet's active stack (the PRIMARY): ${stack} is a standby; ${which}`);
    }
    if (standbys.length !== 1) {
        throw new Refusal(
            `the drill needs exactly one standby in the ${fleetOf(stack)} fleet; found ${standbys.length}${standbys.length > 0 ? `: ${standbys.map((c) => c.stack).join(", ")}` : ""}`,
        );
    }
    return { primary, standby: standbys[0]! };
}

const COMPUTED_KEYS = ["detectionSeconds", "dnsTtlSeconds", "worstCaseSwitchSeconds"] as const;

/** One stack's outputs, checked: the ids and names the drill needs, and whether its record is published. */
async function deployedSide(config: StackConfig, io: Io): Promise<{ side: Side; computed: Computed }> {
    const outputs = await io.stacks.outputs(config.stack);
    const deployFirst = (what: string) =>
        new Refusal(`${config.stack} has no ${what} output; deploy it first (pulumi up --stack ${config.stack})`);
    const { healthCheckId, loadBalancerHostname, failover } = outputs;
    if (typeof healthCheckId !== "string" || healthCheckId === "") throw deployFirst("healthCheckId");
    if (typeof loadBalancerHostname !== "string" || loadBalancerHostname === "") throw deployFirst("loadBalancerHostname");
    if (typeof failover !== "object" || failover === null) throw deployFirst("failover");
    const f = failover as Record<string, unknown>;
    for (const key of COMPUTED_KEYS) if (typeof f[key] !== "number") throw deployFirst(`failover.${key}`);
    if (f.recordPublished !== true) {
        throw new Refusal(
            `${config.stack} does not publish its ${config.failover.failoverType} record for ${config.failover.recordName} (output failover.recordPublished is ${String(f.recordPublished)}): a switchover may be under way; finish it first`,
        );
    }
    const computed = Object.fromEntries(COMPUTED_KEYS.map((k) => [k, f[k] as number])) as unknown as Computed;
    return { side: { stack: config.stack, region: config.region, healthCheckId, loadBalancerHostname }, computed };
}

/** The pair, from the two stack files and both stacks' outputs. Reads only. */
export async function loadPair({ primary, standby }: ReturnType<typeof fleetPair>, io: Io): Promise<Pair> {
    // A switchover moves the records under the drill's feet; its tag says one is under way.
    const progress = await readProgress(io.stacks, [primary.stack, standby.stack]);
    if (progress) throw new Refusal(`${describeProgress(progress)}; drill once it has finished`);
    const p = await deployedSide(primary, io);
    const s = await deployedSide(standby, io);
    return {
        primary: p.side,
        standby: s.side,
        recordName: primary.failover.recordName,
        hostedZone: primary.failover.hostedZone,
        computed: p.computed,
        table: primary.data.table,
    };
}
