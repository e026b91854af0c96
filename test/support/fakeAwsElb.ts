/**
 * The fake's Elastic Load Balancing v2 half: the six Describe actions verify calls, in awsQuery
 * (form-encoded request, XML response with `member` lists), shaped as the API reference gives
 * them (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/).
 */
import type { Answer } from "./fakeAws";
import type { LiveGroup, LiveLoadBalancer, LiveWorld } from "./fakeAwsWorld";

export interface Answered {
    readonly op: string;
    readonly input: Record<string, unknown>;
    readonly answer: Answer;
}

const notFound = (code: string, what: string): Answer => ({ error: { status: 400, code, message: `${what} not found` } });
const attributes = (a: Record<string, string>) => ({ Attributes: Object.entries(a).map(([Key, Value]) => ({ Key, Value })) });

function groupXml(g: LiveGroup) {
    return {
        TargetGroupArn: g.arn,
        Protocol: g.protocol,
        Port: g.port,
        TargetType: g.targetType,
        HealthCheckProtocol: g.healthCheck.protocol,
        HealthCheckPort: g.healthCheck.port,
        HealthCheckPath: g.healthCheck.path,
        HealthCheckIntervalSeconds: g.healthCheck.interval,
        HealthCheckTimeoutSeconds: g.healthCheck.timeout,
        HealthyThresholdCount: g.healthCheck.healthy,
        UnhealthyThresholdCount: g.healthCheck.unhealthy,
    };
}

function listenersXml(lb: LiveLoadBalancer) {
    return {
        Listeners: lb.listeners.map((l) => ({
            ListenerArn: `${lb.arn}/listener/${l.port}`,
            LoadBalancerArn: lb.arn,
            Port: l.port,
            Protocol: l.protocol,
            SslPolicy: l.sslPolicy,
            Certificates: l.certificateArn ? [{ CertificateArn: l.certificateArn }] : undefined,
            DefaultActions: [{ Type: "forward", TargetGroupArn: l.groupArn }],
        })),
    };
}

/** DescribeLoadBalancers in pages of one, so the tool must follow NextMarker. */
function describeLoadBalancers(lbs: LiveLoadBalancer[], marker: string | null): Answer {
    const at = Number(marker ?? "0");
    const lb = lbs[at];
    const page = lb ? [{ LoadBalancerArn: lb.arn, DNSName: lb.dnsName, Scheme: lb.scheme, Type: "network" }] : [];
    return { body: { LoadBalancers: page, NextMarker: at + 1 < lbs.length ? String(at + 1) : undefined } };
}

function byGroup(lbs: LiveLoadBalancer[], arn: string | null, answer: (g: LiveGroup) => unknown): Answer {
    const g = lbs.flatMap((lb) => lb.groups).find((x) => x.arn === arn);
    return g ? { body: answer(g) } : notFound("TargetGroupNotFound", `target group ${arn}`);
}

function byLoadBalancer(lbs: LiveLoadBalancer[], arn: string | null, answer: (lb: LiveLoadBalancer) => unknown): Answer {
    const lb = lbs.find((x) => x.arn === arn);
    return lb ? { body: answer(lb) } : notFound("LoadBalancerNotFound", `load balancer ${arn}`);
}

export function answerElb(world: LiveWorld, region: string, form: URLSearchParams): Answered {
    const op = form.get("Action") ?? "unknown";
    const input = Object.fromEntries(form.entries());
    const lbs = world.regions[region]?.loadBalancers ?? [];
    const lbArn = form.get("LoadBalancerArn");
    const tgArn = form.get("TargetGroupArn");
    const answers: Record<string, () => Answer> = {
        DescribeLoadBalancers: () => describeLoadBalancers(lbs, form.get("Marker")),
        DescribeLoadBalancerAttributes: () => byLoadBalancer(lbs, lbArn, (lb) => attributes(lb.attributes)),
        DescribeListeners: () => byLoadBalancer(lbs, lbArn, listenersXml),
        DescribeTargetGroups: () => byLoadBalancer(lbs, lbArn, (lb) => ({ TargetGroups: lb.groups.map(groupXml) })),
        DescribeTargetGroupAttributes: () => byGroup(lbs, tgArn, (g) => attributes(g.attributes)),
        DescribeTargetHealth: () =>
            byGroup(lbs, tgArn, (g) => ({
                TargetHealthDescriptions: g.targets.map((t) => ({ Target: { Id: t.id, Port: t.port }, TargetHealth: { State: t.state } })),
            })),
    };
    const answer = answers[op]?.() ?? { error: { status: 400, code: "InvalidAction", message: `the fake has no ${op}` } };
    return { op, input, answer };
}
