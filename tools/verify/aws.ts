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
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
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

/** Who verify reads as: the stack's own deploy role when its stack file says to assume it, as the program does. */
export interface ReadAs {
    /** `assumeRoleArn` from the stack file; undefined reads with the credentials verify runs with. */
    readonly roleArn?: string;
    readonly stack: string;
}

/**
 * With `assumeDeployRole` the program's provider assumes the stack's role (index.ts), and CI's own
 * role may only assume it (docs/deploying.md), so verify assumes it too, once per stack
 * (https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-aws-sdk-credential-providers/#fromtemporarycredentials).
 */
function credentialsOf(
    env: Env,
    as: ReadAs,
): ReturnType<typeof credentialsFrom> | (() => ReturnType<ReturnType<typeof fromTemporaryCredentials>>) {
    if (as.roleArn === undefined) return credentialsFrom(env);
    const endpoint = env.AWS_ENDPOINT_URL_STS?.trim();
    const assume = fromTemporaryCredentials({
        params: { RoleArn: as.roleArn, RoleSessionName: `verify-${as.stack}`, DurationSeconds: 3600 },
        masterCredentials: credentialsFrom(env),
        clientConfig: { region: "us-east-1", ...(endpoint ? { endpoint } : {}) },
    });
    // One AssumeRole for all seven clients, which ask at once; a run ends well within the hour.
    let once: ReturnType<typeof assume> | undefined;
    return () => (once ??= assume());
}

/** What every client shares: the region, the endpoint when set (empty counts as unset, as the SDK treats it), keys, bounded waits. */
function options(env: Env, service: keyof typeof ENDPOINT_VARIABLES, region: string, credentials: ReturnType<typeof credentialsOf>) {
    const endpoint = env[ENDPOINT_VARIABLES[service]]?.trim();
    return {
        region,
        endpoint: endpoint ? endpoint : undefined,
        credentials,
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

export function clientsFor(env: Env, region: string, as: ReadAs): Clients {
    const c = credentialsOf(env, as);
    return {
        elb: new ElasticLoadBalancingV2Client(options(env, "elb", region, c)),
        acm: new ACMClient(options(env, "acm", region, c)),
        eks: new EKSClient(options(env, "eks", region, c)),
        dynamodb: new DynamoDBClient(options(env, "dynamodb", region, c)),
        cloudwatch: new CloudWatchClient(options(env, "cloudwatch", region, c)),
        alarms: new CloudWatchClient(options(env, "cloudwatch", METRICS_REGION, c)),
        route53: new Route53Client(options(env, "route53", "us-east-1", c)),
    };
}

/** Closes every client's sockets, so the process can exit. */
export function closeClients(clients: Clients): void {
    for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}
