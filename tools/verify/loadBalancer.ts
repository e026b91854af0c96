/**
 * The load balancer claims: each row of docs/services.md's "Live check the verify tool needs"
 * column. Expected values come from the annotations the program puts on the frontend Service
 * (services/sampleApp.ts frontendNlbAnnotations) and the target group bounds the rollout
 * timings are derived from (services/loadBalancer.ts TARGET_GROUP).
 */
import type { TargetHealthDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { TARGET_GROUP } from "../../services/loadBalancer";
import { CONTAINER_PORT, FRONTEND_PORTS, frontendNlbAnnotations, REDIRECT_PORT } from "../../services/sampleApp";
import { all, atMost, Claim, found, judged, pick, Read, same, Verdict } from "./claim";
import { groupOf, listenerOn, LiveLoadBalancer, LiveTargetGroup } from "./lbRead";

const A = "service.beta.kubernetes.io/aws-load-balancer-";
const ANNOTATIONS = frontendNlbAnnotations("");
/** An annotation's value: every one verify reads is a plain string (only the certificate ARN is an Output). */
function annotation(key: string): string {
    const value = ANNOTATIONS[`${A}${key}`];
    return typeof value === "string" ? value : "";
}

/** `a=b,c=d` as the annotations write attributes. */
function attributesOf(text: string): Record<string, string> {
    return Object.fromEntries(text.split(",").map((pair) => pair.split("=") as [string, string]));
}

const LB_ATTRIBUTES = attributesOf(annotation("attributes"));
const TG_ATTRIBUTES = attributesOf(annotation("target-group-attributes"));
const CROSS_ZONE = "load_balancing.cross_zone.enabled";
const CLIENT_IP = "preserve_client_ip.enabled";
const DEREGISTRATION = "deregistration_delay.timeout_seconds";

/**
 * The listeners the Service makes: the ports in `ssl-ports` end TLS at the load balancer, the
 * others pass TCP through (https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html).
 */
const LISTENERS = [
    { port: FRONTEND_PORTS.tls, protocol: "TLS", podPort: CONTAINER_PORT },
    { port: FRONTEND_PORTS.redirect, protocol: "TCP", podPort: REDIRECT_PORT },
].sort((a, b) => a.port - b.port);

/** Distinct values, in order, as one text. */
function distinct(values: readonly (string | number | undefined)[]): string {
    return [...new Set(values.map((v) => String(v ?? "none")))].join(", ");
}

/** Each group's attribute `key`, or why it could not be read. */
function groupAttribute(groups: Read<LiveTargetGroup[]>, key: string): Read<string[]> {
    return pick(groups, (gs) => all(gs, (g) => pick(g.attributes, (a) => found(a[key], `the target group has no ${key} attribute`))));
}

/** The protocol and pod port behind a listener: what its target group sends to, and where its targets listen. */
function behindListener(live: Read<LiveLoadBalancer>, port: number): Read<{ protocol: string; targets: TargetHealthDescription[] }> {
    return pick(live, (l) =>
        pick(listenerOn(l, port), (listener) =>
            pick(groupOf(l, listener), (g) =>
                pick(g.health, (targets) => ({ ok: true, value: { protocol: g.group.Protocol ?? "", targets } })),
            ),
        ),
    );
}

function listenerClaims(live: Read<LiveLoadBalancer>): Claim[] {
    const listeners = pick(live, (l) => l.listeners);
    const tls = pick(live, (l) => listenerOn(l, FRONTEND_PORTS.tls));
    const forwarding = LISTENERS.map(({ port, podPort }) =>
        judged(`lb.listener${port}`, `what the ${port} listener reaches`, `TCP to port ${podPort}`, behindListener(live, port), (b) =>
            b.targets.length === 0
                ? { observed: `${b.protocol} to no targets`, status: "UNKNOWN", why: "no targets registered yet" }
                : same(`TCP to port ${podPort}`, `${b.protocol} to port ${distinct(b.targets.map((t) => t.Target?.Port))}`),
        ),
    );
    return [
        judged("lb.scheme", "the load balancer's scheme", annotation("scheme"), live, (l) => same(annotation("scheme"), l.lb.Scheme ?? "")),
        judged(
            "lb.crossZone",
            "cross-zone load balancing",
            LB_ATTRIBUTES[CROSS_ZONE]!,
            pick(live, (l) => l.attributes),
            (a) => same(LB_ATTRIBUTES[CROSS_ZONE]!, a[CROSS_ZONE] ?? "unset"),
        ),
        judged("lb.listeners", "the listeners, by port", LISTENERS.map((l) => `${l.port} ${l.protocol}`).join(", "), listeners, (ls) =>
            same(
                LISTENERS.map((l) => `${l.port} ${l.protocol}`).join(", "),
                [...ls]
                    .sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0))
                    .map((l) => `${l.Port} ${l.Protocol}`)
                    .join(", "),
            ),
        ),
        judged("lb.tlsPolicy", `the ${FRONTEND_PORTS.tls} listener's TLS policy`, annotation("ssl-negotiation-policy"), tls, (l) =>
            same(annotation("ssl-negotiation-policy"), l.SslPolicy ?? "none"),
        ),
        ...forwarding,
    ];
}

/** Each group's figure; FAIL above the bound the rollout timings are derived from. */
function boundClaim(
    live: Read<LiveLoadBalancer>,
    id: string,
    what: string,
    bound: number,
    figure: (g: LiveTargetGroup) => number | undefined,
): Claim {
    return judged(
        id,
        what,
        `at most ${bound}`,
        pick(live, (l) => l.groups),
        (gs) =>
            atMost(
                bound,
                gs.map((g) => figure(g) ?? Infinity),
            ),
    );
}

function targetGroupClaims(live: Read<LiveLoadBalancer>): Claim[] {
    const groups = pick(live, (l) => l.groups);
    const check = `${annotation("healthcheck-protocol")} ${annotation("healthcheck-path")} ${annotation("healthcheck-port")}`;
    const delay = Number(TG_ATTRIBUTES[DEREGISTRATION]);
    return [
        judged("lb.targetType", "every target group's target type", annotation("nlb-target-type"), groups, (gs) =>
            same(annotation("nlb-target-type"), distinct(gs.map((g) => g.group.TargetType))),
        ),
        judged("lb.healthCheck", "every target group's health check protocol, path and port", check, groups, (gs) =>
            same(check, distinct(gs.map((g) => `${g.group.HealthCheckProtocol} ${g.group.HealthCheckPath} ${g.group.HealthCheckPort}`))),
        ),
        boundClaim(
            live,
            "lb.healthCheck.interval",
            "health check interval, seconds",
            TARGET_GROUP.healthCheckIntervalSeconds,
            (g) => g.group.HealthCheckIntervalSeconds,
        ),
        boundClaim(
            live,
            "lb.healthCheck.timeout",
            "health check timeout, seconds",
            TARGET_GROUP.healthCheckTimeoutSeconds,
            (g) => g.group.HealthCheckTimeoutSeconds,
        ),
        boundClaim(
            live,
            "lb.healthCheck.healthy",
            "healthy threshold, checks",
            TARGET_GROUP.healthyThresholdCount,
            (g) => g.group.HealthyThresholdCount,
        ),
        boundClaim(
            live,
            "lb.healthCheck.unhealthy",
            "unhealthy threshold, checks",
            TARGET_GROUP.unhealthyThresholdCount,
            (g) => g.group.UnhealthyThresholdCount,
        ),
        judged("lb.deregistrationDelay", "deregistration delay, seconds", `at most ${delay}`, groupAttribute(groups, DEREGISTRATION), (v) =>
            atMost(delay, v.map(Number)),
        ),
        judged("lb.clientIp", "client IP preservation", TG_ATTRIBUTES[CLIENT_IP]!, groupAttribute(groups, CLIENT_IP), (v) =>
            same(TG_ATTRIBUTES[CLIENT_IP]!, distinct(v)),
        ),
        judged("lb.targetsHealthy", "every target healthy, at least one per group", "all healthy", groups, targetsHealthy),
    ];
}

/**
 * PASS when every group has a healthy target and none is failing. `draining` targets are the old
 * pods of a rollout, deregistering for the group's deregistration delay ("changing the state of a
 * deregistering target from draining to unused", API_TargetGroupAttribute.html), so they are left
 * out; `initial` (registering, first checks,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html) is
 * UNKNOWN; any other state FAIL.
 */
function targetsHealthy(groups: LiveTargetGroup[]): Verdict {
    const failed = groups.find((g) => !g.health.ok);
    if (failed && !failed.health.ok)
        return { observed: "", status: "UNKNOWN", why: failed.health.why, unanswered: failed.health.unanswered };
    const all = groups.map((g) => (g.health.ok ? g.health.value : []).map((t) => t.TargetHealth?.State ?? "unknown"));
    const states = all.map((s) => s.filter((state) => state !== "draining"));
    const observed = groups
        .map((g, i) => {
            const draining = all[i]!.length - states[i]!.length;
            const healthy = `${states[i]!.filter((s) => s === "healthy").length}/${states[i]!.length} healthy`;
            return `tg ${g.group.Port}: ${healthy}${draining > 0 ? `, ${draining} draining` : ""}`;
        })
        .join("; ");
    const flat = states.flat();
    if (states.some((s) => s.length === 0)) return { observed, status: "FAIL", why: "a target group has no targets" };
    if (flat.every((s) => s === "healthy")) return { observed, status: "PASS" };
    if (flat.every((s) => s === "healthy" || s === "initial")) return { observed, status: "UNKNOWN", why: "targets still registering" };
    return { observed, status: "FAIL", why: `states: ${distinct(flat)}` };
}

/** Every load balancer claim, from one read of it. */
export function loadBalancerClaims(live: Read<LiveLoadBalancer>): Claim[] {
    return [...listenerClaims(live), ...targetGroupClaims(live)];
}
