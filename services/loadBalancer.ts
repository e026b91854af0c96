/**
 * The frontend's internet-facing Network Load Balancer, made by EKS Auto Mode's load
 * balancing from the Service's class and annotations:
 * https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html
 */

import * as pulumi from "@pulumi/pulumi";

/** Auto Mode's load balancer class; the legacy in-tree controller never sees such a Service. */
export const NLB_CLASS = "eks.amazonaws.com/nlb";

const A = "service.beta.kubernetes.io/aws-load-balancer-";

/** Where the NLB asks each pod whether it may take traffic. */
export interface TargetHealthCheck {
    /** The pod's probe port, by number: with IP targets the NLB checks the pod itself, outside its connection cap. */
    readonly port: number;
    /** The pod's readiness path, so a draining pod leaves the NLB as it leaves the Service. */
    readonly path: string;
}

/**
 * TLS 1.3 and 1.2 with forward-secret ciphers and post-quantum key exchange, the one AWS
 * recommends; TLS 1.2 stays because Route 53's HTTPS health checks speak no TLS 1.3
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html).
 */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09";

/** TLS ends at the listener on `port`, with this certificate; the pod behind speaks plain TCP. */
export interface TlsListener {
    readonly port: number;
    readonly certificateArn: pulumi.Input<string>;
}

/**
 * The target group's health checks and deregistration: for each, the most it can be, which the
 * rollout timings are derived from. The annotation list of Auto Mode's page
 * (https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html, which warns it "may not
 * support all annotations") has no health-check interval or thresholds, so the program sets none:
 * the figure is the larger of Elastic Load Balancing's default (API_CreateTargetGroup) and the AWS
 * Load Balancer Controller's, whose annotations Auto Mode follows (interval 10, timeout 10,
 * thresholds 3 and 3: https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/#healthcheck-interval).
 * The page's migration section sets target group attributes with `target-group-attributes`, so the
 * deregistration delay is set there. The verify tool fails a region whose live figure is larger.
 */
export const TARGET_GROUP = {
    /** ELB: "If the target group protocol is TCP, TLS, UDP, TCP_UDP, HTTP or HTTPS, the default is 30 seconds."; the controller: 10. */
    healthCheckIntervalSeconds: 30,
    /** The target group's protocol is TCP, so ELB: "For target groups with a protocol of TCP, TLS or HTTPS, the default is 10 seconds"; the controller: 10. */
    healthCheckTimeoutSeconds: 10,
    /** ELB: "If the target group protocol is TCP, TCP_UDP, UDP, TLS, HTTP or HTTPS, the default is 5."; the controller: 3. */
    healthyThresholdCount: 5,
    /** ELB: "… the default is 2."; the controller: 3. */
    unhealthyThresholdCount: 3,
    /** Set by `target-group-attributes`; long enough for a request in flight (IN_FLIGHT_LIMIT_SECONDS), and ELB sends a deregistering target no new flows. */
    deregistrationDelaySeconds: 60,
} as const;

/** The target group attributes the program sets: the delay above, and client IPs not preserved, which the NetworkPolicies assume. */
export const TARGET_GROUP_ATTRIBUTES = `deregistration_delay.timeout_seconds=${TARGET_GROUP.deregistrationDelaySeconds},preserve_client_ip.enabled=false`;

/** The target group figures the rollout timings are derived from. */
export type TargetGroupTiming = { readonly [K in keyof typeof TARGET_GROUP]: number };

/**
 * How long a new target may take to be registered before its health checks start: "It can take a
 * few minutes for the registration process to complete and health checks to start"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/target-group-health-checks.html).
 * The docs give no bound; three minutes, which the verify tool measures on a live rollout.
 */
export const REGISTRATION_ALLOWANCE_SECONDS = 180;

/** Slack on top of each derived figure, for the checkers' clocks and the controller's reaction. */
export const TIMING_MARGIN_SECONDS = 10;

/** The load-balanced pod's rollout and shutdown figures, all derived from the target group's. */
export interface RolloutTimings {
    /** Kubernetes counts a new pod available only this long after it is ready: registration plus the healthy threshold. */
    readonly minReadySeconds: number;
    /** After SIGTERM the pod fails readiness but keeps serving this long: past the unhealthy threshold and the deregistration delay. */
    readonly drainSeconds: number;
    /** The pod's grace period: the drain, then the in-flight limit, with room to spare. */
    readonly terminationGracePeriodSeconds: number;
}

/**
 * The timings for a pod behind the NLB, from the target group's figures and the pod's in-flight
 * limit. A new pod may replace an old one only once the NLB sends it traffic: registered, then
 * `healthyThresholdCount` checks `healthCheckIntervalSeconds` apart
 * (https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/
 * describes the outage when it goes sooner; Auto Mode has no readiness gate, aws/containers-roadmap#2511).
 * An old pod must serve for as long as the NLB may still send to it: until its failing readiness
 * makes it unhealthy, and until the deregistration delay ends and the target is gone.
 */
export function loadBalancedTimings(tg: TargetGroupTiming, inFlightLimitSeconds: number): RolloutTimings {
    const becomesHealthy = REGISTRATION_ALLOWANCE_SECONDS + tg.healthyThresholdCount * tg.healthCheckIntervalSeconds;
    const becomesUnhealthy = tg.unhealthyThresholdCount * tg.healthCheckIntervalSeconds + tg.healthCheckTimeoutSeconds;
    const drainSeconds = Math.max(becomesUnhealthy, tg.deregistrationDelaySeconds) + TIMING_MARGIN_SECONDS;
    return {
        minReadySeconds: becomesHealthy + TIMING_MARGIN_SECONDS,
        drainSeconds,
        terminationGracePeriodSeconds: drainSeconds + inFlightLimitSeconds + TIMING_MARGIN_SECONDS,
    };
}

/**
 * The annotations Auto Mode documents, plus the TLS policy (see below). Left out, because that
 * list lacks them: `backend-protocol` (the pods speak plain TCP, the default) and the health-check
 * interval and thresholds (see TARGET_GROUP). docs/services.md lists where each setting comes from
 * and the live check it needs.
 */
export function publicNlbAnnotations(check: TargetHealthCheck, tls: TlsListener): Record<string, pulumi.Input<string>> {
    return {
        [`${A}ssl-cert`]: tls.certificateArn,
        [`${A}ssl-ports`]: String(tls.port),
        // Not on Auto Mode's list, so not relied on: without it a listener made through the API gets
        // ELBSecurityPolicy-2016-08, which still accepts TLS 1.0 (describe-ssl-policies.html), so it
        // is asked for here and the verify tool fails the region if the live listener has another.
        [`${A}ssl-negotiation-policy`]: TLS_POLICY,
        // Stated, not defaulted: the controllers this came from default to internal.
        [`${A}scheme`]: "internet-facing",
        // IP targets: the NLB sends to pods directly, and their readiness is its target health.
        [`${A}nlb-target-type`]: "ip",
        [`${A}healthcheck-protocol`]: "HTTP",
        [`${A}healthcheck-port`]: String(check.port),
        [`${A}healthcheck-path`]: check.path,
        // Every zone's NLB node may reach every pod, so a zone with fewer pods is not overloaded.
        // The page names this annotation as the way to set load balancer attributes.
        [`${A}attributes`]: "load_balancing.cross_zone.enabled=true",
        // The page's migration section sets target group attributes this way.
        [`${A}target-group-attributes`]: TARGET_GROUP_ATTRIBUTES,
    };
}
