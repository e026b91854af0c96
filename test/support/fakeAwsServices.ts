/**
 * The fake's other services: Route 53 (REST-XML,
 * https://docs.aws.amazon.com/Route53/latest/APIReference/), EKS (REST-JSON), and ACM, DynamoDB
 * and CloudWatch (JSON, the action in X-Amz-Target). Only the reads verify makes.
 */
import { Answer, toXml } from "./fakeAws";
import type { Answered } from "./fakeAwsElb";
import type { LiveRegion, LiveWorld } from "./fakeAwsWorld";

const NS = "https://route53.amazonaws.com/doc/2013-04-01/";
const r53 = (root: string, inner: unknown): Answer => ({
    body: `<${root} xmlns="${NS}">${typeof inner === "string" ? inner : toXml(inner)}</${root}>`,
});
const notFound = (status: number, code: string, message: string): Answer => ({ error: { status, code, message } });

function healthCheck(world: LiveWorld, id: string): Answer {
    const c = world.checks.find((x) => x.id === id);
    if (!c) return notFound(404, "NoSuchHealthCheck", `No health check exists with the specified ID ${id}`);
    const config = {
        Port: c.port,
        Type: c.type,
        ResourcePath: c.path,
        FullyQualifiedDomainName: c.fqdn,
        RequestInterval: c.interval,
        FailureThreshold: c.threshold,
        Inverted: c.inverted,
        EnableSNI: c.sni,
        Regions: c.regions.length > 0 ? c.regions : undefined,
    };
    const xml = toXml(config, "Region");
    return r53(
        "GetHealthCheckResponse",
        `<HealthCheck><Id>${id}</Id><CallerReference>ref</CallerReference><HealthCheckConfig>${xml}</HealthCheckConfig><HealthCheckVersion>1</HealthCheckVersion></HealthCheck>`,
    );
}

function recordSets(world: LiveWorld, zoneId: string): Answer {
    if (zoneId !== world.zone.id) return notFound(404, "NoSuchHostedZone", `No hosted zone found with ID: ${zoneId}`);
    const sets = world.zone.records.map((r) => {
        const target =
            r.type === "A"
                ? `<AliasTarget><HostedZoneId>ZLB</HostedZoneId><DNSName>${r.target}.</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget>`
                : `<TTL>30</TTL><ResourceRecords><ResourceRecord><Value>${r.target}</Value></ResourceRecord></ResourceRecords>`;
        return `<ResourceRecordSet><Name>${r.name}.</Name><Type>${r.type}</Type><SetIdentifier>${r.setId}</SetIdentifier><Failover>${r.failover}</Failover>${target}<HealthCheckId>${r.healthCheckId}</HealthCheckId></ResourceRecordSet>`;
    });
    return r53(
        "ListResourceRecordSetsResponse",
        `<ResourceRecordSets>${sets.join("")}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>100</MaxItems>`,
    );
}

function zone(world: LiveWorld): string {
    const z = world.zone;
    return `<HostedZone><Id>/hostedzone/${z.id}</Id><Name>${z.name}.</Name><CallerReference>ref</CallerReference><Config><PrivateZone>false</PrivateZone></Config></HostedZone>`;
}

function route53(world: LiveWorld, method: string, pathname: string, query: URLSearchParams): Answered {
    const m = /^\/2013-04-01\/(healthcheck|hostedzone|hostedzonesbyname)(?:\/([^/]+))?(\/rrset)?$/.exec(pathname);
    const [, kind, id = "", rrset] = m ?? [];
    const input = { id, ...Object.fromEntries(query.entries()) };
    if (method !== "GET" || !m) return { op: `unknown ${method} ${pathname}`, input, answer: notFound(400, "InvalidInput", "no route") };
    if (kind === "healthcheck") return { op: "GetHealthCheck", input, answer: healthCheck(world, id) };
    if (kind === "hostedzonesbyname")
        return {
            op: "ListHostedZonesByName",
            input,
            answer: r53(
                "ListHostedZonesByNameResponse",
                `<HostedZones>${zone(world)}</HostedZones><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems>`,
            ),
        };
    if (rrset) return { op: "ListResourceRecordSets", input, answer: recordSets(world, id) };
    const ns = `<DelegationSet><NameServers><NameServer>ns-1.awsdns.test</NameServer></NameServers></DelegationSet>`;
    return {
        op: "GetHostedZone",
        input,
        answer: id === world.zone.id ? r53("GetHostedZoneResponse", `${zone(world)}${ns}`) : notFound(404, "NoSuchHostedZone", id),
    };
}

function eks(r: LiveRegion | undefined, method: string, pathname: string): Answered {
    const m = /^\/clusters\/([^/]+)(?:\/addons\/([^/]+))?$/.exec(pathname);
    const [, name = "", addon] = m ?? [];
    const input = { name, addon };
    if (method !== "GET" || !m)
        return { op: `unknown ${method} ${pathname}`, input, answer: notFound(400, "InvalidRequestException", "no route") };
    const cluster = r?.clusters.find((c) => c.name === decodeURIComponent(name));
    const missing = notFound(404, "ResourceNotFoundException", `No cluster found for name: ${name}.`);
    if (addon === undefined) {
        const body = cluster && {
            cluster: {
                name: cluster.name,
                version: cluster.version,
                status: "ACTIVE",
                upgradePolicy: { supportType: cluster.supportType },
                kubernetesNetworkConfig: { serviceIpv4Cidr: cluster.serviceRange, ipFamily: "ipv4" },
            },
        };
        return { op: "DescribeCluster", input, answer: body ? { body } : missing };
    }
    const a = cluster?.addons[addon];
    const body = a && { addon: { addonName: addon, clusterName: name, addonVersion: a.version, status: a.status } };
    return {
        op: "DescribeAddon",
        input,
        answer: body ? { body } : notFound(404, "ResourceNotFoundException", `No addon: ${addon} found in cluster: ${name}`),
    };
}

export function answerRest(world: LiveWorld, region: string, service: string, method: string, url: string): Answered {
    const { pathname, searchParams } = new URL(url, "http://fake");
    if (service === "route53") return route53(world, method, pathname, searchParams);
    return eks(world.regions[region], method, pathname);
}

type Input = Record<string, any>;

function describeCertificate(r: LiveRegion | undefined, input: Input): Answer {
    const c = r?.certificates.find((x) => x.arn === input.CertificateArn);
    if (!c) return notFound(400, "ResourceNotFoundException", `Could not find certificate ${input.CertificateArn}`);
    const Certificate = {
        CertificateArn: c.arn,
        DomainName: c.domain,
        SubjectAlternativeNames: [c.domain],
        Status: c.status,
        NotAfter: c.notAfter / 1000,
    };
    return { body: { Certificate } };
}

/**
 * As DynamoDB answers in one region: this replica's status as TableStatus, and only the other
 * replicas under Replicas (terraform-provider-aws's TestAccDynamoDBTable_Replica_multiple: three
 * regions, "replica.#" 2).
 */
function describeTable(r: LiveRegion | undefined, input: Input, region: string): Answer {
    const t = r?.tables.find((x) => x.name === input.TableName);
    if (!t) return notFound(400, "ResourceNotFoundException", `Requested resource not found: Table: ${input.TableName} not found`);
    const Replicas = Object.entries(t.replicas)
        .filter(([RegionName]) => RegionName !== region)
        .map(([RegionName, ReplicaStatus]) => ({ RegionName, ReplicaStatus }));
    const TableStatus = t.replicas[region] ?? "ACTIVE";
    return { body: { Table: { TableName: t.name, TableStatus, DeletionProtectionEnabled: t.deletionProtection, Replicas } } };
}

function describeAlarms(r: LiveRegion | undefined, input: Input): Answer {
    const MetricAlarms = (r?.alarms ?? [])
        .filter((a) => (input.AlarmNames as string[]).includes(a.name))
        .map((a) => ({
            AlarmName: a.name,
            StateValue: a.state,
            StateReason: `scripted ${a.state}`,
            AlarmConfigurationUpdatedTimestamp: a.configuredAt / 1000,
            Namespace: "AWS/Route53",
            Dimensions: [{ Name: "HealthCheckId", Value: a.healthCheckId }],
        }));
    return { body: { MetricAlarms } };
}

function getMetricStatistics(r: LiveRegion | undefined, input: Input): Answer {
    const dims = Object.fromEntries((input.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]));
    const points = r?.latency[`${dims.TableName} ${dims.ReceivingRegion}`] ?? [];
    const Datapoints = points.map((p, i) => ({
        Timestamp: input.StartTime + i * 300,
        Average: p.average,
        SampleCount: p.samples,
        Unit: "Milliseconds",
    }));
    return { body: { Label: input.MetricName, Datapoints } };
}

const JSON_ANSWERS: Record<string, (r: LiveRegion | undefined, input: Input, region: string) => Answer> = {
    DescribeCertificate: describeCertificate,
    DescribeTable: describeTable,
    DescribeAlarms: describeAlarms,
    GetMetricStatistics: getMetricStatistics,
};

/** ACM, DynamoDB and CloudWatch: JSON in, JSON out; timestamps as epoch seconds. */
export function answerJson(world: LiveWorld, region: string, target: string, body: string): Answered {
    const op = target.split(".")[1] ?? target;
    const input = JSON.parse(body || "{}") as Input;
    const answer =
        JSON_ANSWERS[op]?.(world.regions[region], input, region) ?? notFound(400, "UnknownOperationException", `the fake has no ${op}`);
    return { op, input, answer };
}
