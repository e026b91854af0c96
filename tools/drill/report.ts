/** What the drill tells: its plan for --dry-run, the measured-vs-computed table, and the --out JSON. */
import { Pair } from "./pair";
import { Live, restoreCommand, Settings } from "./preflight";
import { Replication, replicationTarget } from "./replication";
import { Outcome, Result, Timeline } from "./run";

/** The --out file: one drill, whatever its outcome. */
export interface Report {
    readonly stack: string;
    readonly peer: string | null;
    readonly recordName: string | null;
    readonly zone: { readonly id: string; readonly name: string } | null;
    readonly healthChecks: { readonly primary: string; readonly standby: string } | null;
    readonly nameServers: { readonly name: string; readonly address: string }[];
    readonly timestamps: Record<keyof Timeline, string | null>;
    readonly measuredSeconds: { readonly detection: number | null; readonly switch: number | null; readonly failback: number | null };
    /** How long a write through the active region took to show in the standby's replica; null when unmeasured. */
    readonly replicationLagMs: number | null;
    readonly computedSeconds: { readonly detection: number; readonly dnsTtl: number; readonly worstCaseSwitch: number } | null;
    readonly timeoutSeconds: number | null;
    readonly replication: Replication | null;
    readonly outcome: Outcome | "refused";
    readonly message: string;
}

const between = (from?: number, to?: number) => (from === undefined || to === undefined ? null : Math.round(to - from) / 1000);
const iso = (ms?: number) => (ms === undefined ? null : new Date(ms).toISOString());

export function report(live: Live, settings: Settings, result: Result, replication: Replication): Report {
    const { pair } = live;
    const t = result.timeline;
    const keys: (keyof Timeline)[] = ["started", "inverted", "detected", "switched", "restored", "failedBack", "finished"];
    return {
        stack: pair.primary.stack,
        peer: pair.standby.stack,
        recordName: pair.recordName,
        zone: live.zone,
        healthChecks: { primary: pair.primary.healthCheckId, standby: pair.standby.healthCheckId },
        nameServers: live.nameServers.map((s) => ({ name: s.name, address: s.address })),
        timestamps: Object.fromEntries(keys.map((k) => [k, iso(t[k])])) as Report["timestamps"],
        measuredSeconds: {
            detection: between(t.inverted, t.detected),
            switch: between(t.inverted, t.switched),
            failback: between(t.restored, t.failedBack),
        },
        replicationLagMs: replication.lagMs,
        computedSeconds: {
            detection: pair.computed.detectionSeconds,
            dnsTtl: pair.computed.dnsTtlSeconds,
            worstCaseSwitch: pair.computed.worstCaseSwitchSeconds,
        },
        timeoutSeconds: settings.timeoutSeconds,
        replication,
        outcome: result.outcome,
        message: result.message,
    };
}

/** The report of a drill that never inverted anything: the stack, and why. */
export function unstartedReport(stack: string, outcome: "refused" | "error", message: string): Report {
    const none = { started: null, inverted: null, detected: null, switched: null, restored: null, failedBack: null, finished: null };
    return {
        stack,
        peer: null,
        recordName: null,
        zone: null,
        healthChecks: null,
        nameServers: [],
        timestamps: none,
        measuredSeconds: { detection: null, switch: null, failback: null },
        replicationLagMs: null,
        computedSeconds: null,
        timeoutSeconds: null,
        replication: null,
        outcome,
        message,
    };
}

/** Measured next to computed, one row per number, marking a row that took longer than computed. */
export function table(r: Report): string[] {
    const c = r.computedSeconds!;
    const rows: [string, number | null, number, string][] = [
        ["detection", r.measuredSeconds.detection, c.detection, "Route 53 reports the primary unhealthy"],
        ["switch", r.measuredSeconds.switch, c.worstCaseSwitch, "the name servers answer the standby"],
        ["failback", r.measuredSeconds.failback, c.worstCaseSwitch, "after the restore, they answer the primary again"],
    ];
    const cell = (n: number | null) => (n === null ? "-" : `${n.toFixed(1)} s`);
    return [
        `drill ${r.stack} -> ${r.peer} -> ${r.stack} for ${r.recordName}: ${r.outcome}`,
        `  ${"".padEnd(10)}${"measured".padEnd(10)}computed`,
        ...rows.map(([name, measured, computed, what]) => {
            const over = measured !== null && measured > computed ? " (over the computed time)" : "";
            return `  ${name.padEnd(10)}${cell(measured).padEnd(10)}${`${computed} s`.padEnd(8)}${what}${over}`;
        }),
        `  measured at the zone's name servers; a resolver that cached the old answer keeps it up to ${c.dnsTtl} s (the TTL) longer, which the computed worst case includes`,
    ];
}

/** The steps --dry-run prints, with the ids and names a real run would use. */
export function planSteps(pair: Pair, settings: Settings, now: number): string[] {
    const { primary, standby } = pair;
    const r = replicationTarget(pair, now);
    const zone = "id" in pair.hostedZone ? `hosted zone ${pair.hostedZone.id}` : `the public hosted zone ${pair.hostedZone.name}`;
    const wait = `every ${settings.pollMs / 1000} s, for at most ${settings.timeoutSeconds} s`;
    return [
        `drill plan: ${primary.stack} (PRIMARY, ${primary.region}) -> ${standby.stack} (SECONDARY, ${standby.region}) -> back, for ${pair.recordName}`,
        `1. refuse unless: ${primary.stack}'s health check ${primary.healthCheckId} is not inverted (no other drill), and Route 53's checkers report it and ${standby.stack}'s ${standby.healthCheckId} healthy`,
        `2. look up ${zone}'s name servers and ask them for ${pair.recordName} A; refuse unless they answer ${primary.stack}'s load balancer ${primary.loadBalancerHostname}`,
        `3. measure replication: add 1 to item ${r.item} of table ${r.table} in ${r.from} (UpdateItem ADD), then read it in ${r.to} every ${settings.replication.pollMs / 1000} s, for at most ${settings.replication.timeoutSeconds} s, until it shows; UNKNOWN, and the drill goes on, if the table does not exist`,
        `4. invert ${primary.healthCheckId}: aws route53 update-health-check --health-check-id ${primary.healthCheckId} --inverted`,
        `5. ask the name servers ${wait}, until they answer ${standby.stack}'s load balancer ${standby.loadBalancerHostname}; note when Route 53 reports ${primary.stack} unhealthy`,
        `6. restore ${primary.healthCheckId}: ${restoreCommand(primary.healthCheckId)}`,
        `7. ask the name servers ${wait}, until they answer ${primary.stack}'s load balancer again`,
        `computed: detection ${pair.computed.detectionSeconds} s, worst-case switch ${pair.computed.worstCaseSwitchSeconds} s (TTL ${pair.computed.dnsTtlSeconds} s)`,
        `(dry run: nothing was asked of Route 53 or DynamoDB and nothing was changed or written)`,
    ];
}
