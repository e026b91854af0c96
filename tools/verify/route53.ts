/**
 * The Route 53 and alarm claims: the health check as regions/failover.ts makes it and the
 * stack's config sets it, this stack's failover record in the zone, and the alarm on the check
 * in us-east-1 (regions/alarms.ts), with its state.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { GetHealthCheckCommand, HealthCheckConfig, ListResourceRecordSetsCommand, ResourceRecordSet } from "@aws-sdk/client-route-53";
import { HEALTH_CHECKER_REGIONS } from "../../facts/awsData";
import { withoutRootDot } from "../../facts/dns";
import { healthAlarmName, METRICS_REGION } from "../../regions/alarms";
import { HEALTH_CHECK_PROTOCOL } from "../../regions/failover";
import { Route53 } from "../drill/route53";
import { Clients } from "./aws";
import { attempt, Claim, found, judged, pick, Read, same, then, Verdict } from "./claim";
import { output, Target } from "./target";

/** Regions as a sorted list; Route 53's default set when none were chosen. */
function regionsText(regions: readonly string[]): string {
    return [...(regions.length > 0 ? regions : HEALTH_CHECKER_REGIONS)].sort().join(", ");
}

function healthCheckClaims(target: Target, check: Read<HealthCheckConfig>, hostname: Read<string>): Claim[] {
    const hc = target.config.failover.healthCheck;
    const field = (id: string, what: string, expected: string, value: (c: HealthCheckConfig) => unknown): Claim =>
        judged(`r53.check.${id}`, what, expected, check, (c) => same(expected, String(value(c))));
    const checked = pick(check, (c) => pick(hostname, (h) => ({ ok: true, value: { c, h } })));
    return [
        field("type", "the health check's type", HEALTH_CHECK_PROTOCOL.type, (c) => c.Type),
        field("port", "the health check's port", String(HEALTH_CHECK_PROTOCOL.port), (c) => c.Port),
        field("sni", "the health check sends SNI", String(HEALTH_CHECK_PROTOCOL.enableSni), (c) => c.EnableSNI ?? false),
        field("path", "the health check's path", hc.path, (c) => c.ResourcePath),
        field("interval", "seconds between checks", String(hc.interval), (c) => c.RequestInterval),
        field("threshold", "failures before unhealthy", String(hc.failureThreshold), (c) => c.FailureThreshold),
        // No regions chosen: "Route 53 health checkers automatically performs checks from all of the regions"
        // (https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html).
        field("regions", "the checkers' regions", regionsText(hc.regions), (c) => regionsText(c.Regions ?? [])),
        judged(
            "r53.check.target",
            "the check asks this region's load balancer",
            hostname.ok ? hostname.value : "loadBalancerHostname",
            checked,
            ({ c, h }) => same(h, withoutRootDot(c.FullyQualifiedDomainName ?? "")),
        ),
        judged("r53.check.inverted", "the check is not inverted (a drill left running)", "false", check, (c) =>
            same("false", String(c.Inverted ?? false)),
        ),
    ];
}

/** The record's target as a name: an alias's DNS name without Route 53's `dualstack.` prefix and root dot, or the CNAME's value. */
function recordTarget(r: ResourceRecordSet): string {
    const name = r.AliasTarget?.DNSName ?? r.ResourceRecords?.[0]?.Value ?? "";
    return withoutRootDot(name)
        .toLowerCase()
        .replace(/^dualstack\./, "");
}

function recordClaims(
    target: Target,
    record: Read<ResourceRecordSet | undefined>,
    ids: Read<{ hostname: string; check: string }>,
): Claim[] {
    const f = target.config.failover;
    if (!f.publishRecord) {
        return [
            judged("r53.record.published", "the stack publishes no record (failoverRecord is false)", "no record", record, (r) =>
                same("no record", r ? `${r.Type} record` : "no record"),
            ),
        ];
    }
    const expectedTarget = ids.ok ? `${ids.value.hostname} checked by ${ids.value.check}` : "loadBalancerHostname checked by healthCheckId";
    const absent: Verdict = {
        observed: "no record",
        status: "FAIL",
        why: `no ${f.failoverType} record ${f.recordName} with set identifier ${target.stack}`,
    };
    const onRecord = (id: string, what: string, expected: string, observe: (r: ResourceRecordSet) => string) =>
        judged(`r53.record.${id}`, what, expected, record, (r) => (r ? same(expected, observe(r)) : absent));
    const type = f.recordType === "cname" ? "CNAME" : "A alias";
    return [
        onRecord("type", "the failover record's type", type, (r) => `${r.Type}${r.AliasTarget ? " alias" : ""}`),
        onRecord("role", "the failover record's role", f.failoverType, (r) => r.Failover ?? "none"),
        judged(
            "r53.record.target",
            "the record points at this region's load balancer and health check",
            expectedTarget,
            pick(record, (r) => pick(ids, () => ({ ok: true, value: r }))),
            (r) => (r ? same(expectedTarget, `${recordTarget(r)} checked by ${r.HealthCheckId ?? "none"}`) : absent),
        ),
    ];
}

/** This stack's record in the zone: the record name, its set identifier the stack's name. */
async function readRecord(clients: Clients, target: Target): Promise<Read<ResourceRecordSet | undefined>> {
    const f = target.config.failover;
    const zone = await attempt("Route 53 hosted zone", () => new Route53(clients.route53).zoneServers(f.hostedZone));
    return then(zone, (z) =>
        attempt(`Route 53 ListResourceRecordSets ${z.id}`, async () => {
            const out = await clients.route53.send(
                new ListResourceRecordSetsCommand({ HostedZoneId: z.id, StartRecordName: f.recordName, MaxItems: 100 }),
            );
            return (out.ResourceRecordSets ?? []).find(
                (r) => withoutRootDot(r.Name ?? "") === f.recordName && r.SetIdentifier === target.stack,
            );
        }),
    );
}

/** How long a new or changed alarm may read ALARM before that counts. */
const NEW_ALARM_MS = 15 * 60_000;

/** The health-check alarm, named as regions/alarms.ts names it, in us-east-1. */
async function alarmClaims(clients: Clients, target: Target, checkId: Read<string>): Promise<Claim[]> {
    const name = healthAlarmName(`${target.config.project}-${target.stack}`);
    const alarm = await then(checkId, async () =>
        pick(
            await attempt(
                `CloudWatch DescribeAlarms in ${METRICS_REGION}`,
                async () => (await clients.alarms.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms ?? [],
            ),
            (alarms) => ({ ok: true, value: { alarm: alarms.find((a) => a.AlarmName === name) } }),
        ),
    );
    const expected = `${name} in ${METRICS_REGION} on HealthCheckId ${checkId.ok ? checkId.value : "(healthCheckId)"}`;
    const exists = judged("alarm.exists", "the alarm on the health check exists", expected, alarm, ({ alarm: a }) =>
        a
            ? same(
                  expected,
                  `${a.AlarmName} in ${METRICS_REGION} on HealthCheckId ${a.Dimensions?.find((d) => d.Name === "HealthCheckId")?.Value ?? "none"}`,
              )
            : { observed: "no such alarm", status: "FAIL", why: `no alarm named ${name} in ${METRICS_REGION}` },
    );
    const state = judged(
        "alarm.state",
        "the alarm's state",
        "OK",
        pick(alarm, ({ alarm: a }) => found(a, `no alarm named ${name}`)),
        (a): Verdict => {
            const observed = a.StateValue ?? "none";
            if (observed === "INSUFFICIENT_DATA") return { observed, status: "UNKNOWN", why: "the alarm has too little data to say" };
            // A new alarm starts INSUFFICIENT_DATA and, treating missing data as breaching, reads
            // ALARM until Route 53 reports the check healthy (API_PutMetricAlarm.html,
            // alarms-and-missing-data.html): not yet a verdict in its first minutes.
            const age = target.now - (a.AlarmConfigurationUpdatedTimestamp?.getTime() ?? 0);
            if (observed === "ALARM" && age < NEW_ALARM_MS)
                return {
                    observed,
                    status: "UNKNOWN",
                    why: `the alarm was created or changed ${Math.round(age / 60_000)} min ago; it settles within ${NEW_ALARM_MS / 60_000} min`,
                };
            return { observed, status: observed === "OK" ? "PASS" : "FAIL", why: a.StateReason ?? "" };
        },
    );
    return [exists, state];
}

/** Every Route 53 and alarm claim for one stack. */
export async function route53Claims(clients: Clients, target: Target): Promise<Claim[]> {
    const checkId = output(target, "healthCheckId");
    const hostname = output(target, "loadBalancerHostname");
    const [check, record, alarms] = await Promise.all([
        then(checkId, (id) =>
            attempt(
                `Route 53 GetHealthCheck ${id}`,
                async () =>
                    (await clients.route53.send(new GetHealthCheckCommand({ HealthCheckId: id }))).HealthCheck?.HealthCheckConfig ??
                    ({} as HealthCheckConfig),
            ),
        ),
        // Not deployed, no record to expect yet.
        then(checkId, () => readRecord(clients, target)),
        alarmClaims(clients, target, checkId),
    ]);
    const ids = pick(hostname, (h) => pick(checkId, (c) => ({ ok: true, value: { hostname: h, check: c } })));
    return [...healthCheckClaims(target, check, hostname), ...recordClaims(target, record, ids), ...alarms];
}
