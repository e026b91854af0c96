/**
 * Everything the drill checks before it changes anything: no drill already running, both
 * regions healthy in Route 53's eyes, and the zone's own name servers answering with the
 * primary's load balancer. Each failed check is a Refusal.
 */
import { Io } from "../cli";
import { askAll, describeAnswer, NameServer, normalResolver, Round, Target, verdict } from "./dns";
import { Pair, Refusal, Side } from "./pair";
import { ReplicationSettings } from "./replication";
import { Route53 } from "./route53";

/** How the drill talks to DNS and how long it waits. */
export interface Settings {
    /** Between two rounds of questions; 1 s. */
    readonly pollMs: number;
    /** The authoritative servers' port: 53, but loopback tests cannot bind it (DRILL_DNS_PORT). */
    readonly dnsPort: number;
    readonly queryTimeoutMs: number;
    /** Bounds each wait: for the switch, then for the failback. */
    readonly timeoutSeconds: number;
    /** How the standby's replica is polled for the drill's write. */
    readonly replication: ReplicationSettings;
}

/** What the drill acts on, checked against Route 53 and DNS. */
export interface Live {
    readonly pair: Pair;
    readonly zone: { readonly id: string; readonly name: string };
    readonly nameServers: NameServer[];
    /** The primary's load balancer, then the standby's. */
    readonly targets: [Target, Target];
    /** The primary check's HealthCheckVersion when read: the invert is a compare-and-swap on it. */
    readonly primaryVersion: number;
}

/** The command that clears an inverted check by hand. */
export function restoreCommand(healthCheckId: string): string {
    return `aws route53 update-health-check --health-check-id ${healthCheckId} --no-inverted`;
}

/** The inverted flag is the lock everybody can see: in the console, the API and the CLI. */
async function checkNotInverted(r53: Route53, pair: Pair): Promise<number> {
    const [primary, standby] = await Promise.all([r53.check(pair.primary.healthCheckId), r53.check(pair.standby.healthCheckId)]);
    if (primary.inverted) {
        throw new Refusal(
            `another drill is in progress: ${pair.primary.stack}'s health check ${primary.id} is inverted already; if a drill crashed, clear it with: ${restoreCommand(primary.id)}`,
        );
    }
    if (standby.inverted) {
        throw new Refusal(
            `${pair.standby.stack}'s health check ${standby.id} is inverted, so Route 53 counts the standby down while it is up; clear it first: ${restoreCommand(standby.id)}`,
        );
    }
    return primary.version;
}

async function checkHealthy(r53: Route53, side: Side, role: "primary" | "standby", pair: Pair): Promise<void> {
    const view = await r53.checkers(side.healthCheckId);
    if (view.healthy) return;
    const seen = `${view.succeeding} of ${view.reporting} Route 53 checkers report success on health check ${side.healthCheckId}`;
    if (role === "standby") {
        throw new Refusal(`${side.stack} (${side.region}) is unhealthy: ${seen}; failing over to an unhealthy standby would be an outage`);
    }
    throw new Refusal(
        `${side.stack} (${side.region}) is unhealthy already: ${seen}; traffic may be on ${pair.standby.stack} now; fix ${side.stack} before a drill`,
    );
}

/** Name servers by name, each at its first IPv4 address; load balancers by name, at all theirs. */
async function resolveAll(io: Io, names: string[], pair: Pair): Promise<{ nameServers: NameServer[]; targets: [Target, Target] }> {
    const resolve = normalResolver(io.env);
    const lookup = async (host: string) => {
        try {
            return await resolve(host);
        } catch (err) {
            throw new Refusal(`cannot resolve ${host}: ${err instanceof Error ? err.message : String(err)}`);
        }
    };
    const nameServers = await Promise.all(names.map(async (name) => ({ name, address: (await lookup(name))[0]! })));
    const target = async (side: Side): Promise<Target> => ({
        stack: side.stack,
        hostname: side.loadBalancerHostname,
        addresses: await lookup(side.loadBalancerHostname),
    });
    return { nameServers, targets: [await target(pair.primary), await target(pair.standby)] };
}

/** What each server said, for a message. */
export function describeRound(round: Round): string {
    return round.answers.map((a) => `${a.server.name}: ${a.answer ? describeAnswer(a.answer) : a.error}`).join("; ");
}

/** Every check, in order; reads only. */
export async function preflight(pair: Pair, r53: Route53, io: Io, settings: Settings): Promise<Live> {
    const primaryVersion = await checkNotInverted(r53, pair);
    await checkHealthy(r53, pair.standby, "standby", pair);
    await checkHealthy(r53, pair.primary, "primary", pair);
    const zone = await r53.zoneServers(pair.hostedZone);
    if (zone.nameServers.length === 0) throw new Refusal(`hosted zone ${zone.id} lists no name servers`);
    const { nameServers, targets } = await resolveAll(io, zone.nameServers, pair);
    const round = await askAll(nameServers, settings.dnsPort, pair.recordName, settings.queryTimeoutMs);
    if (verdict(round, targets) !== pair.primary.stack) {
        throw new Refusal(
            `the zone's name servers do not answer ${pair.recordName} with ${pair.primary.stack}'s load balancer (${describeRound(round)}); traffic is not on the primary, so there is nothing to fail over`,
        );
    }
    return { pair, zone: { id: zone.id, name: zone.name }, nameServers, targets, primaryVersion };
}
