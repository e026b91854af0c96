/**
 * The AWS clients verify reads with, one per service and region. Each takes its endpoint from
 * the SDKs' service-specific endpoint variable in the tool's env
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html) and static keys
 * when the env has them, as the drill does, so tests point the real SDK at fakes on loopback.
 */
import { ACMClient } from "@aws-sdk/client-acm";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EKSClient } from "@aws-sdk/client-eks";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { Route53Client } from "@aws-sdk/client-route-53";
import { METRICS_REGION } from "../../regions/alarms";
import { credentialsFrom } from "../drill/route53";

type Env = Readonly<Record<string, string | undefined>>;

/** Each client's endpoint variable: AWS_ENDPOINT_URL_ plus the service id, upper-cased, spaces as underscores. */
export const ENDPOINT_VARIABLES = {
    elb: "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2",
    route53: "AWS_ENDPOINT_URL_ROUTE_53",
    acm: "AWS_ENDPOINT_URL_ACM",
    cloudwatch: "AWS_ENDPOINT_URL_CLOUDWATCH",
    eks: "AWS_ENDPOINT_URL_EKS",
    dynamodb: "AWS_ENDPOINT_URL_DYNAMODB",
} as const;

/** What every client shares: the region, the endpoint when set (empty counts as unset, as the SDK treats it), keys, bounded waits. */
function options(env: Env, service: keyof typeof ENDPOINT_VARIABLES, region: string) {
    const endpoint = env[ENDPOINT_VARIABLES[service]]?.trim();
    return {
        region,
        endpoint: endpoint ? endpoint : undefined,
        credentials: credentialsFrom(env),
        // The SDK waits forever by default; a hung read must not hang a nightly run.
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15_000 },
        maxAttempts: 2,
    };
}

/** The clients for one stack's region; Route 53 and the health-check alarm live in us-east-1. */
export interface Clients {
    readonly elb: ElasticLoadBalancingV2Client;
    readonly acm: ACMClient;
    readonly eks: EKSClient;
    readonly dynamodb: DynamoDBClient;
    /** CloudWatch in the stack's region: the replication metrics. */
    readonly cloudwatch: CloudWatchClient;
    /** CloudWatch in us-east-1, where Route 53's metrics and the health-check alarm are. */
    readonly alarms: CloudWatchClient;
    /** Route 53 is global and signed for us-east-1 (https://docs.aws.amazon.com/general/latest/gr/r53.html). */
    readonly route53: Route53Client;
}

export function clientsFor(env: Env, region: string): Clients {
    return {
        elb: new ElasticLoadBalancingV2Client(options(env, "elb", region)),
        acm: new ACMClient(options(env, "acm", region)),
        eks: new EKSClient(options(env, "eks", region)),
        dynamodb: new DynamoDBClient(options(env, "dynamodb", region)),
        cloudwatch: new CloudWatchClient(options(env, "cloudwatch", region)),
        alarms: new CloudWatchClient(options(env, "cloudwatch", METRICS_REGION)),
        route53: new Route53Client(options(env, "route53", "us-east-1")),
    };
}

/** Closes every client's sockets, so the process can exit. */
export function closeClients(clients: Clients): void {
    for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}
