/**
 * One region's Network Load Balancer as Elastic Load Balancing describes it: found by the
 * stack's `loadBalancerHostname` output, with its attributes, listeners and target groups, and
 * each group's attributes and target health. Reads only (Describe*); any read that fails is
 * kept as its reason, so the claims that needed it say UNKNOWN and the others still run.
 */
import {
    DescribeListenersCommand,
    DescribeLoadBalancerAttributesCommand,
    DescribeLoadBalancersCommand,
    DescribeLoadBalancersCommandOutput,
    DescribeTargetGroupAttributesCommand,
    DescribeTargetGroupsCommand,
    DescribeTargetHealthCommand,
    ElasticLoadBalancingV2Client,
    Listener,
    LoadBalancer,
    TargetGroup,
    TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { withoutRootDot } from "../../facts/dns";
import { attempt, found, missing, Read, then } from "./claim";

export interface LiveTargetGroup {
    readonly group: TargetGroup;
    /** DescribeTargetGroupAttributes, as key -> value. */
    readonly attributes: Read<Record<string, string>>;
    /** DescribeTargetHealth: each registered target and its state. */
    readonly health: Read<TargetHealthDescription[]>;
}

export interface LiveLoadBalancer {
    readonly lb: LoadBalancer;
    /** DescribeLoadBalancerAttributes, as key -> value. */
    readonly attributes: Read<Record<string, string>>;
    readonly listeners: Read<Listener[]>;
    readonly groups: Read<LiveTargetGroup[]>;
}

function asMap(attributes: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
    return Object.fromEntries((attributes ?? []).map((a) => [a.Key ?? "", a.Value ?? ""]));
}

/** DescribeLoadBalancers pages through every load balancer of the region; the one with this DNS name. */
async function findByDnsName(elb: ElasticLoadBalancingV2Client, hostname: string): Promise<Read<LoadBalancer>> {
    const wanted = withoutRootDot(hostname).toLowerCase();
    let marker: string | undefined;
    do {
        const page: Read<DescribeLoadBalancersCommandOutput> = await attempt("ELB DescribeLoadBalancers", () =>
            elb.send(new DescribeLoadBalancersCommand({ Marker: marker })),
        );
        if (!page.ok) return page;
        const lb = page.value.LoadBalancers?.find((l) => withoutRootDot(l.DNSName ?? "").toLowerCase() === wanted);
        if (lb) return { ok: true, value: lb };
        marker = page.value.NextMarker;
    } while (marker);
    return missing(`ELB DescribeLoadBalancers found no load balancer named ${hostname} in this region; not deployed yet?`);
}

async function targetGroup(elb: ElasticLoadBalancingV2Client, group: TargetGroup): Promise<LiveTargetGroup> {
    const TargetGroupArn = group.TargetGroupArn;
    const [attributes, health] = await Promise.all([
        attempt("ELB DescribeTargetGroupAttributes", async () =>
            asMap((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn }))).Attributes),
        ),
        attempt(
            "ELB DescribeTargetHealth",
            async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn }))).TargetHealthDescriptions ?? [],
        ),
    ]);
    return { group, attributes, health };
}

/** Everything the load balancer claims need, from the hostname output. */
export async function readLoadBalancer(elb: ElasticLoadBalancingV2Client, hostname: Read<string>): Promise<Read<LiveLoadBalancer>> {
    return then(hostname, async (name) =>
        then(await findByDnsName(elb, name), async (lb) => {
            const LoadBalancerArn = lb.LoadBalancerArn;
            const [attributes, listeners, groups] = await Promise.all([
                attempt("ELB DescribeLoadBalancerAttributes", async () =>
                    asMap((await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn }))).Attributes),
                ),
                attempt(
                    "ELB DescribeListeners",
                    async () => (await elb.send(new DescribeListenersCommand({ LoadBalancerArn }))).Listeners ?? [],
                ),
                attempt(
                    "ELB DescribeTargetGroups",
                    async () => (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn }))).TargetGroups ?? [],
                ),
            ]);
            const live = await then(
                groups,
                async (gs) => ({ ok: true, value: await Promise.all(gs.map((g) => targetGroup(elb, g))) }) as const,
            );
            return { ok: true, value: { lb, attributes, listeners, groups: live } };
        }),
    );
}

/** The listener on `port`, or why there is none. */
export function listenerOn(live: LiveLoadBalancer, port: number): Read<Listener> {
    return live.listeners.ok
        ? found(
              live.listeners.value.find((l) => l.Port === port),
              `the load balancer has no listener on ${port}`,
          )
        : live.listeners;
}

/** The target group a listener forwards to, or why there is none. */
export function groupOf(live: LiveLoadBalancer, listener: Listener): Read<LiveTargetGroup> {
    if (!live.groups.ok) return live.groups;
    const action = listener.DefaultActions?.[0];
    const arn = action?.TargetGroupArn ?? action?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    return found(
        live.groups.value.find((g) => g.group.TargetGroupArn === arn),
        `the listener on ${listener.Port} forwards to no target group of this load balancer`,
    );
}
