import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cnameAtApex } from "../config/crossField";
import { isApex, isInZone, withoutRootDot } from "../facts/dns";
import type { ConfigContext, HostedZoneRef, RecordType } from "../config/types";
import { ConfigError } from "../config/parse";

/** How Route 53 checks a region's load balancer. */
export interface HealthCheckArgs {
    /** The path requested, such as the frontend's deep `/health`. */
    readonly path: string;
    /** Seconds between checks: 10 or 30. */
    readonly interval: 10 | 30;
    /** Consecutive failures before the region is unhealthy. */
    readonly failureThreshold: number;
    /** Checker regions; empty for Route 53's defaults. */
    readonly regions: string[];
}

/** This region's half of the Route 53 failover pair: a health check and a failover record. */
export interface FailoverArgs {
    /** Hosted zone id, looked up before anything is created. */
    readonly zoneId: string;
    /** The record name, the same in every stack. */
    readonly recordName: string;
    /** Set identifier of this stack's record, unique per stack: the stack name. */
    readonly setIdentifier: string;
    /** PRIMARY (active) or SECONDARY (standby). */
    readonly failoverType: "PRIMARY" | "SECONDARY";
    /** Whether to publish the record at all; only the switchover turns it off. */
    readonly publishRecord: boolean;
    /** A failover alias A record, or a failover CNAME to the load balancer. */
    readonly recordType: RecordType;
    /** The CNAME's TTL in seconds; unused for an alias. */
    readonly cnameTtl: number;
    /** This region's load balancer hostname: checked, and the record's target. */
    readonly loadBalancerHostname: pulumi.Input<string>;
    /** Route 53's canonical hosted-zone id for this region's load balancer type. */
    readonly loadBalancerZoneId: pulumi.Input<string>;
    /** How Route 53 checks this region. */
    readonly healthCheck: HealthCheckArgs;
    /** Tags for the health check. */
    readonly tags: Record<string, string>;
}

/**
 * Looks the public hosted zone up (it must outlive either region, so no stack owns it)
 * and checks the record name belongs to it, and is not a CNAME at its apex.
 */
export async function lookupHostedZone(
    ctx: ConfigContext,
    failover: { readonly hostedZone: HostedZoneRef; readonly recordName: string; readonly recordType?: RecordType },
    provider: aws.Provider,
): Promise<aws.route53.GetZoneResult> {
    const zone = await aws.route53.getZone(
        "id" in failover.hostedZone ? { zoneId: failover.hostedZone.id } : { name: failover.hostedZone.name, privateZone: false },
        { provider },
    );
    const zoneName = withoutRootDot(zone.name);
    const problems: string[] = [];
    if (zone.privateZone) {
        problems.push(`${ctx.project}:hostedZone: got ${JSON.stringify(zone.zoneId)}, a private zone; allowed: a public hosted zone`);
    }
    if (!isInZone(failover.recordName, zoneName)) {
        problems.push(
            `${ctx.project}:recordName: got ${JSON.stringify(failover.recordName)}; allowed: a name inside the hosted zone ${zoneName}`,
        );
    }
    if (failover.recordType === "cname" && isApex(failover.recordName, zoneName)) {
        problems.push(cnameAtApex(ctx.project, failover.recordName, zoneName));
    }
    if (problems.length > 0) throw new ConfigError(problems, ctx.stack);
    return zone;
}

/** Route 53 caches an alias answer for the target's TTL: 60 s for load balancers. */
export const ALIAS_TTL_SECONDS = 60;

/** What failover settings the times depend on. */
export interface FailoverTiming {
    readonly healthCheck: { readonly interval: number; readonly failureThreshold: number };
    readonly recordType: RecordType;
    readonly cnameTtl: number;
}

/**
 * How long failover takes with these settings, in seconds, for the record type chosen:
 * detection, then as long as a resolver may keep the old answer. A CNAME's answer names
 * the other load balancer, which no resolver has cached yet, so its own TTL is the wait.
 */
export function failoverTimes(settings: FailoverTiming) {
    const detectionSeconds = settings.healthCheck.interval * settings.healthCheck.failureThreshold;
    const dnsTtlSeconds = settings.recordType === "cname" ? settings.cnameTtl : ALIAS_TTL_SECONDS;
    return { recordType: settings.recordType, detectionSeconds, dnsTtlSeconds, worstCaseSwitchSeconds: detectionSeconds + dnsTtlSeconds };
}

/** The record's type and target: an alias A record, or a CNAME with its TTL. */
function recordTarget(args: FailoverArgs): Pick<aws.route53.RecordArgs, "type" | "aliases" | "ttl" | "records"> {
    if (args.recordType === "cname") return { type: "CNAME", ttl: args.cnameTtl, records: [args.loadBalancerHostname] };
    // An alias takes the load balancer's TTL, so none is set here.
    return {
        type: "A",
        aliases: [{ name: args.loadBalancerHostname, zoneId: args.loadBalancerZoneId, evaluateTargetHealth: true }],
    };
}

/**
 * How Route 53 reaches the load balancer: over TLS on 443 with SNI. Route 53 does not validate
 * the certificate (it names the record, not the NLB) and needs TLS 1.2 or older, which the
 * listener's policy keeps.
 */
export const HEALTH_CHECK_PROTOCOL = { type: "HTTPS", port: 443, enableSni: true } as const;

/** This region's half of the failover pair: a health check on its own load balancer and its failover record. */
export class Failover extends pulumi.ComponentResource {
    public readonly healthCheckId: pulumi.Output<string>;

    constructor(name: string, args: FailoverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Failover", name, {}, opts);

        // Checks this region's own load balancer, never the failover name, whose answer moves.
        const healthCheck = new aws.route53.HealthCheck(
            `${name}-health`,
            {
                ...HEALTH_CHECK_PROTOCOL,
                fqdn: args.loadBalancerHostname,
                resourcePath: args.healthCheck.path,
                requestInterval: args.healthCheck.interval,
                failureThreshold: args.healthCheck.failureThreshold,
                regions: args.healthCheck.regions.length > 0 ? args.healthCheck.regions : undefined,
                tags: { ...args.tags, Name: `${name}-health` },
            },
            { parent: this },
        );

        if (args.publishRecord) {
            new aws.route53.Record(
                `${name}-record`,
                {
                    zoneId: args.zoneId,
                    name: args.recordName,
                    setIdentifier: args.setIdentifier,
                    failoverRoutingPolicies: [{ type: args.failoverType }],
                    healthCheckId: healthCheck.id,
                    ...recordTarget(args),
                },
                // A name holds one record per type and set identifier, and a CNAME next to no
                // other record, so a replaced record (an A becoming a CNAME) must go before the
                // new one can exist. Some provider versions change the type in place instead,
                // in one Route 53 change: hashicorp/terraform-provider-aws#43500.
                { parent: this, deleteBeforeReplace: true },
            );
        }

        this.healthCheckId = healthCheck.id;
        this.registerOutputs({ healthCheckId: this.healthCheckId });
    }
}
