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
    /** The pod's port, by number: with IP targets the NLB checks the pod itself. */
    readonly port: number;
    /** The pod's readiness path, so a draining pod leaves the NLB as it leaves the Service. */
    readonly path: string;
}

/** Seconds the NLB lets a deregistered pod finish its connections; the pod drains for less. */
export const DEREGISTRATION_DELAY_SECONDS = 30;

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

export function publicNlbAnnotations(check: TargetHealthCheck, tls: TlsListener): Record<string, pulumi.Input<string>> {
    return {
        [`${A}ssl-cert`]: tls.certificateArn,
        [`${A}ssl-ports`]: String(tls.port),
        [`${A}ssl-negotiation-policy`]: TLS_POLICY,
        [`${A}backend-protocol`]: "tcp",
        // Stated, not defaulted: the controllers this came from default to internal.
        [`${A}scheme`]: "internet-facing",
        // IP targets: the NLB sends to pods directly, and their readiness is its target health.
        [`${A}nlb-target-type`]: "ip",
        [`${A}healthcheck-protocol`]: "HTTP",
        [`${A}healthcheck-port`]: String(check.port),
        [`${A}healthcheck-path`]: check.path,
        [`${A}healthcheck-interval`]: "10",
        [`${A}healthcheck-healthy-threshold`]: "2",
        [`${A}healthcheck-unhealthy-threshold`]: "2",
        // Every zone's NLB node may reach every pod, so a zone with fewer pods is not overloaded.
        [`${A}attributes`]: "load_balancing.cross_zone.enabled=true",
        // Pods see the client's address (it is off by default for IP targets), for access logs.
        [`${A}target-group-attributes`]: `preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=${DEREGISTRATION_DELAY_SECONDS}`,
    };
}
