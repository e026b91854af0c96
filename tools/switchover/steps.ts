/**
 * The switchover as data: six steps, each a stack-file edit plus an update of one stack,
 * either a whole `pulumi up` or one targeted at that stack's failover record alone.
 */
import { StackConfig } from "../../config";
import { count } from "../cli";

type Value = string | number | boolean;

export interface Step {
    readonly title: string;
    readonly stack: string;
    readonly edits: Record<string, Value>;
    /**
     * `dns` updates only the stack's failover record (`pulumi up --target`), so nothing else
     * in the stack can fail or stall the steps that leave no failover target; `all` is a whole update.
     */
    readonly scope: "all" | "dns";
    /** Wait for the target's deep health check after the update. */
    readonly waitHealthy?: boolean;
    /** Starts only once the new PRIMARY is healthy and resolvers have let go of the old answer. */
    readonly afterDnsSettles?: boolean;
}

/** The steps that leave the fleet without a failover target: from the withdrawal to the promotion. */
export const NO_FAILOVER_STEPS = { first: 1, last: 3 } as const;

/** The six steps, from stack files as they are before step 1. */
export function planSwitchover(from: StackConfig, to: StackConfig): Step[] {
    const fromActive = from.services.activeReplicas;
    const toActive = to.services.activeReplicas;
    return [
        {
            title: `scale ${to.stack} to active capacity (${count(toActive, "pod")} per service), still SECONDARY`,
            stack: to.stack,
            edits: { replicasOverride: toActive },
            scope: "all",
            waitHealthy: true,
        },
        { title: `withdraw ${to.stack}'s SECONDARY record`, stack: to.stack, edits: { failoverRecord: false }, scope: "dns" },
        {
            title: `demote ${from.stack} to SECONDARY, keeping its ${count(fromActive, "pod")} per service`,
            stack: from.stack,
            edits: { role: "standby", replicasOverride: fromActive },
            scope: "dns",
        },
        {
            title: `promote ${to.stack} to PRIMARY`,
            stack: to.stack,
            edits: { role: "active", failoverRecord: true, replicasOverride: 0 },
            scope: "dns",
        },
        {
            title: `scale ${from.stack} down to standby capacity (${count(from.services.standbyReplicas, "pod")} per service)`,
            stack: from.stack,
            edits: { replicasOverride: 0 },
            scope: "all",
            afterDnsSettles: true,
        },
        // The targeted steps left the rest of the new PRIMARY's stack (what follows its role,
        // and its outputs) as it was; a whole update brings it in line with its stack file.
        { title: `bring the rest of ${to.stack} in line with its new role`, stack: to.stack, edits: {}, scope: "all" },
    ];
}

/** The switched values after the first `done` steps, on top of a stack file's own. */
export function editsAfter(steps: Step[], done: number, stack: string): Record<string, Value> {
    return Object.assign(
        {},
        ...steps
            .slice(0, done)
            .filter((s) => s.stack === stack)
            .map((s) => s.edits),
    ) as Record<string, Value>;
}

/**
 * The URN of a stack's failover record, the one resource the DNS steps update. The
 * Failover component is a child of the stack, named after it; a URN names the stack
 * without its organisation. https://www.pulumi.com/docs/iac/concepts/resources/names/#urns
 */
export function recordUrn(project: string, stack: string): string {
    return `urn:pulumi:${stack}::${project}::multiregion:regions:Failover$aws:route53/record:Record::${stack}-record`;
}

/** A one-line account of a stack's DNS role and capacity, from its stack file. */
export function describeStack(config: StackConfig): string {
    const record = config.failover.publishRecord ? config.failover.failoverType : "no record";
    return `${config.stack}: role ${config.role}, ${record}, a floor of ${count(config.services.minReplicas, "pod")} per service`;
}
