/**
 * The data claims (#19), when the stack has a table: its replicas ACTIVE in this region and in
 * every peer, deletion protection on (bootstrap/data.ts turns it on), and this region's writes
 * reaching each peer within replicationLatencyAlarmMs on average over the last 15 minutes.
 * ReplicationLatency is published in the region the writes come from, per receiving region
 * (dimensions TableName and ReceivingRegion,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html).
 */
import { Datapoint, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeTableCommand, TableDescription } from "@aws-sdk/client-dynamodb";
import { Clients } from "./aws";
import { attempt, Claim, judged, pick, Read, same, then, unknown, Verdict } from "./claim";
import { listOutput, output, Target } from "./target";

/** The window the latency is averaged over. */
export const LATENCY_WINDOW_MINUTES = 15;
/** DynamoDB aggregates this metric over five minutes (metrics-dimensions.html), so no finer period. */
const PERIOD_SECONDS = 300;

/** The average of 5-minute averages, each weighted by its sample count. */
function weightedAverage(points: Datapoint[]): number {
    const samples = points.reduce((n, p) => n + (p.SampleCount ?? 1), 0);
    return points.reduce((sum, p) => sum + (p.Average ?? 0) * (p.SampleCount ?? 1), 0) / samples;
}

function latencyVerdict(points: Datapoint[], limitMs: number): Verdict {
    if (points.length === 0) return { observed: "no data", status: "UNKNOWN", why: `no writes in ${LATENCY_WINDOW_MINUTES} minutes` };
    const ms = Math.round(weightedAverage(points));
    return { observed: `${ms} ms`, status: ms < limitMs ? "PASS" : "FAIL", why: `at or above ${limitMs} ms` };
}

async function latency(clients: Clients, target: Target, table: string, peer: string): Promise<Claim> {
    const limit = target.config.data.latencyAlarmMs;
    const points = await attempt(`CloudWatch GetMetricStatistics ReplicationLatency to ${peer}`, async () => {
        const out = await clients.cloudwatch.send(
            new GetMetricStatisticsCommand({
                Namespace: "AWS/DynamoDB",
                MetricName: "ReplicationLatency",
                Dimensions: [
                    { Name: "TableName", Value: table },
                    { Name: "ReceivingRegion", Value: peer },
                ],
                StartTime: new Date(target.now - LATENCY_WINDOW_MINUTES * 60_000),
                EndTime: new Date(target.now),
                Period: PERIOD_SECONDS,
                Statistics: ["Average", "SampleCount"],
            }),
        );
        return out.Datapoints ?? [];
    });
    return judged(
        `data.latency.${peer}`,
        `replication to ${peer}, average over ${LATENCY_WINDOW_MINUTES} minutes`,
        `below ${limit} ms`,
        points,
        (p) => latencyVerdict(p, limit),
    );
}

function replicaStatus(t: TableDescription, region: string, here: string): string {
    if (region === here) return t.TableStatus ?? "missing";
    return t.Replicas?.find((x) => x.RegionName === region)?.ReplicaStatus ?? "missing";
}

function replicaClaims(target: Target, table: Read<TableDescription>, peers: Read<string[]>): Claim[] {
    const regions = pick(peers, (p) => ({ ok: true, value: [target.config.region, ...p].sort() }) as const);
    const expected = regions.ok ? regions.value.map((r) => `${r} ACTIVE`).join(", ") : "this region and every peer ACTIVE";
    const both = pick(table, (t) => pick(regions, (r) => ({ ok: true, value: { t, r } }) as const));
    return [
        // In its own region DescribeTable gives this replica's status as TableStatus and lists only
        // the others under Replicas (terraform-provider-aws TestAccDynamoDBTable_Replica_multiple).
        judged("data.replicas", "the table's replicas", expected, both, ({ t, r }) =>
            same(expected, r.map((region) => `${region} ${replicaStatus(t, region, target.config.region)}`).join(", ")),
        ),
        judged("data.deletionProtection", "the table's deletion protection", "true", table, (t) =>
            same("true", String(t.DeletionProtectionEnabled ?? false)),
        ),
    ];
}

/** The data claims; none when the stack file names no table, and nothing is deployed that says otherwise. */
export async function dataClaims(clients: Clients, target: Target): Promise<Claim[]> {
    if (target.config.data.table === undefined && target.outputs.dataTable === undefined) return [];
    const name = output(target, "dataTable");
    const peers = listOutput(target, "dataPeerRegions");
    const table = await then(name, (n) =>
        attempt(
            `DynamoDB DescribeTable ${n}`,
            async () => (await clients.dynamodb.send(new DescribeTableCommand({ TableName: n }))).Table ?? {},
        ),
    );
    const both = pick(name, (n) => pick(peers, (p) => ({ ok: true, value: { n, p } }) as const));
    const latencies = both.ok
        ? await Promise.all(both.value.p.map((peer) => latency(clients, target, both.value.n, peer)))
        : [
              unknown(
                  "data.latency",
                  "replication to every peer",
                  `below ${target.config.data.latencyAlarmMs} ms`,
                  both.why,
                  both.unanswered,
              ),
          ];
    return [...replicaClaims(target, table, peers), ...latencies];
}
