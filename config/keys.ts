/**
 * Every key this program reads: its type and rule (the kind), its default and its
 * description, declared once. The parser loops over this table; `npm run gen:config`
 * writes the `config:` block of Pulumi.yaml and docs/config.md from it.
 */
import { flag, integer, integerOf, Kind, KeyType, list, oneOf, text, YamlValue } from "./kinds";
import {
    checkerRegions,
    hostedZoneRef,
    image,
    awsRegion,
    isCidr,
    isHealthCheckPath,
    isDataTableName,
    isHostedZone,
    isIamPrincipal,
    isIamRole,
    isOptionalIamRole,
    isAccountId,
    isAddonVersion,
    isCertifiableName,
    isEksVersion,
    isVpcCidr,
    userTags,
} from "./rules";
import { AUTO_MODE_MIN_MINOR, AWS_DATA_FILE, EKS_VERSIONS, LOG_RETENTION_DAYS, newestEksVersion } from "../facts/awsData";
import { PROD_API_MAX_ADDRESSES } from "./apiAccess";
import { SUPPORT_NOTICE_DAYS } from "./support";
import { POD_REQUESTS_PER_SECOND } from "../facts/measured";
import { withoutRootDot } from "../facts/dns";
import { alarmSubscriptions, isRunbookUrl } from "./subscriptions";

/** One key: how to read it, and what a user needs to know about it. */
export interface Key<V, T extends KeyType = KeyType> extends Kind<V, T> {
    readonly description: string;
    /** Absent for required keys. */
    readonly default?: YamlValue<T>;
}

function key<V, T extends KeyType>(kind: Kind<V, T>, doc: { description: string; default?: YamlValue<T> }): Key<V, T> {
    return { ...kind, ...doc };
}

// ---- Region and network ----------------------------------------------------------
const REGION_KEYS = {
    region: key(awsRegion(), {
        description: "AWS region of this stack, such as us-east-2. Required.",
    }),
    accountId: key(text(isAccountId, 'the 12-digit AWS account id, quoted, such as "123456789012"'), {
        description: "The AWS account this stack deploys into; the provider refuses credentials for any other. Required.",
    }),
    role: key(oneOf(["active", "standby"] as const), {
        description: "Failover role of this region: active or standby. Required; exactly one stack is active.",
    }),
    vpcCidr: key(text(isVpcCidr, "an aligned IPv4 CIDR from /16 to /20 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"), {
        description: "VPC IPv4 CIDR, /16 to /20 inside RFC 1918 space; must not overlap another region's. Required.",
    }),
    azCount: key(integer(2, 6), { default: 3, description: "Availability zones to spread subnets and nodes over, 2 to 6." }),
    logRetentionDays: key(integerOf(LOG_RETENTION_DAYS), {
        default: 90,
        description:
            "Days CloudWatch keeps this region's VPC flow logs and EKS control-plane logs: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653.",
    }),
    natGateways: key(oneOf(["perAz", "single"] as const), {
        default: "perAz",
        description: "perAz (one NAT per AZ, survives a zone outage) or single (one shared NAT, a cheaper standby).",
    }),
};

// ---- Cluster ---------------------------------------------------------------------
const DEFAULT_VERSION = "1.35";
const NEWEST = newestEksVersion();

const CLUSTER_KEYS = {
    kubernetesVersion: key(
        text(
            isEksVersion,
            `a minor version "1.NN" EKS has, from "1.${AUTO_MODE_MIN_MINOR}" (EKS Auto Mode's oldest) to "${NEWEST}" (the newest in ${AWS_DATA_FILE}; add a newer one's line there), such as "${DEFAULT_VERSION}"`,
        ),
        {
            default: DEFAULT_VERSION,
            description: `EKS Kubernetes version, 1.NN, from 1.${AUTO_MODE_MIN_MINOR} (EKS Auto Mode) to the newest listed in ${AWS_DATA_FILE}. ${DEFAULT_VERSION} is in standard support until ${EKS_VERSIONS[DEFAULT_VERSION]?.endOfStandardSupport ?? "?"}; CI fails ${SUPPORT_NOTICE_DAYS} days before a stack's version leaves support, since EKS then upgrades the cluster itself.`,
        },
    ),
    metricsServerVersion: key(text(isAddonVersion, 'empty, or an EKS add-on version such as "v0.8.1-eksbuild.5"'), {
        default: "",
        description:
            "The metrics-server add-on version the autoscalers read CPU from, such as v0.8.1-eksbuild.5; list them with aws eks describe-addon-versions --addon-name metrics-server --kubernetes-version <version>. Pin it in every stack file, so parity compares it: empty takes EKS's default on the day each cluster is created, and keeps it, so regions drift apart.",
    }),
    deployRoleArn: key(
        text(isIamRole, 'an IAM role ARN in this stack\'s account, such as "arn:aws:iam::123456789012:role/multiregion-deploy"'),
        {
            description:
                "The IAM role that runs pulumi up for this stack (CI's deploy role). It gets cluster admin through an access entry: EKS grants nobody admin for creating the cluster. Required.",
        },
    ),
    previewRoleArn: key(text(isOptionalIamRole, 'empty, or an IAM role ARN such as "arn:aws:iam::123456789012:role/multiregion-preview"'), {
        default: "",
        description: "The IAM role CI runs pulumi preview with; it gets read-only cluster access. Empty for none.",
    }),
    assumeDeployRole: key(flag(), {
        default: false,
        description:
            "true: this stack's AWS provider and its Kubernetes access assume deployRoleArn, from whatever credentials run Pulumi (one account per environment, CI signed in to a deployment account). false: the credentials running Pulumi are used as they are.",
    }),
    eksSupportType: key(oneOf(["STANDARD", "EXTENDED"] as const), {
        default: "STANDARD",
        description:
            "What EKS does when the Kubernetes version leaves standard support: STANDARD upgrades the cluster; EXTENDED keeps it, at extended-support prices.",
    }),
    adminPrincipalArns: key(list(isIamPrincipal, 'IAM role or user ARNs such as "arn:aws:iam::123456789012:role/Admin"'), {
        default: [],
        description:
            "IAM role or user ARNs given cluster admin via EKS access entries: the people who run kubectl, and whoever runs pulumi up from a laptop (the first up of a region), such as an IAM Identity Center role, arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef, path included. EKS grants the creator nothing here (bootstrapClusterCreatorAdminPermissions is off), so list every person; the deploy role is an admin already. The same in every stack.",
    }),
    viewerPrincipalArns: key(list(isIamPrincipal, 'IAM role or user ARNs such as "arn:aws:iam::123456789012:role/PulumiPreview"'), {
        default: [],
        description:
            "IAM role or user ARNs given read-only cluster access (AmazonEKSViewPolicy, plus the group multiregion-verify-readers: get nodes and list PolicyEndpoints, for npm run verify), such as the CI role that runs pulumi preview.",
    }),
    publicAccessCidrs: key(list(isCidr, 'aligned IPv4 CIDRs such as "203.0.113.0/24"', 1), {
        default: ["0.0.0.0/0"],
        description: `CIDRs allowed to reach the public Kubernetes API endpoint (nodes use the private one): your CI runners' fixed egress and a person's /32 for a first up from a laptop. A stage-* or prod-* stack takes at most ${PROD_API_MAX_ADDRESSES} addresses in all, never 0.0.0.0/0; the default, the whole internet, suits only a throwaway fleet deployed from GitHub-hosted runners.`,
    }),
    tags: key(userTags(), { default: [], description: "Extra tags for every AWS resource, as Key=Value strings." }),
};

// ---- Services --------------------------------------------------------------------
const SERVICES_KEYS = {
    backendImage: key(image(), {
        description:
            "Backend image in this region's ECR, as repository:tag or repository@sha256:digest, such as sample-app-backend:1.0.0. Never latest. Required.",
    }),
    frontendImage: key(image(), {
        description:
            "Frontend image in this region's ECR, as repository:tag or repository@sha256:digest, such as sample-app-frontend:1.0.0. Never latest. Required.",
    }),
    activeReplicas: key(integer(2, 100), {
        default: 3,
        description: "The autoscaler's floor, in pods per service, while this region is active; at least 2.",
    }),
    standbyReplicas: key(integer(1, 100), {
        default: 1,
        description:
            "The warm floor per service while this region is standby: it takes traffic at once and the autoscaler grows it. 1 to activeReplicas.",
    }),
    maxReplicas: key(integer(2, 200), {
        default: 10,
        description: "The autoscaler's ceiling per service, in either role: what one region alone must carry. At least activeReplicas.",
    }),
    cpuTargetPercent: key(integer(10, 95), {
        default: 70,
        description: "Average CPU, as a percentage of each pod's request, the autoscaler keeps services at; 10 to 95.",
    }),
    podRequestsPerSecond: key(integer(1, 1_000_000), {
        default: POD_REQUESTS_PER_SECOND,
        description:
            "Requests per second one frontend pod serves at its CPU limit, from npm run bench; only used to size: the plan and the capacity output.",
    }),
    replicasOverride: key(integer(0, 200), {
        default: 0,
        description:
            "The autoscaler's floor whatever the role; 0 follows the role. Only the switchover sets it, to hold capacity while roles change.",
    }),
};

// ---- Failover --------------------------------------------------------------------
const FAILOVER_KEYS = {
    hostedZone: key(
        text(
            isHostedZone,
            'a hosted zone id such as "Z0123456789ABCDEFGHIJ" or a lower-case domain name such as "example.com"',
            hostedZoneRef,
        ),
        {
            description:
                "The existing public Route 53 hosted zone, by id (Z...) or name (example.com); looked up, never created. Same in every stack. Required.",
        },
    ),
    recordName: key(
        text(
            isCertifiableName,
            'a lower-case DNS name such as "app.example.com", at most 64 characters, no wildcard: the name its TLS certificate is issued for',
            withoutRootDot,
        ),
        {
            description: "The failover record users reach, such as app.example.com, inside hostedZone. Same in every stack. Required.",
        },
    ),
    healthCheckPath: key(text(isHealthCheckPath, 'a path starting with "/", at most 255 printable characters'), {
        default: "/health",
        description: "Path Route 53 checks on this region's load balancer: the frontend's deep health check.",
    }),
    healthCheckInterval: key(integerOf([10, 30] as const), {
        default: 10,
        description: "Seconds between health checks, 10 or 30. Route 53 cannot change it after the check exists.",
    }),
    healthCheckFailureThreshold: key(integer(1, 10), {
        default: 3,
        description: "Consecutive failed checks before Route 53 calls the region unhealthy, 1 to 10.",
    }),
    healthCheckRegions: key(checkerRegions(), {
        default: [],
        description: "Route 53 checker regions, at least 3 of its list; empty for Route 53's default set.",
    }),
    failoverRecord: key(flag(), {
        default: true,
        description:
            "Whether this stack publishes its failover record. Only the switchover turns it off, for a moment, so Route 53 never holds two PRIMARY or two SECONDARY records.",
    }),
    recordType: key(oneOf(["alias", "cname"] as const), {
        default: "alias",
        description:
            "alias: a failover alias A record (free queries, allowed at the zone apex, 60 s load-balancer TTL). cname: a failover CNAME with cnameTtl, for a name below the apex (charged queries, faster only for clients that honour TTLs). Same in every stack.",
    }),
    cnameTtl: key(integer(10, 60), {
        default: 30,
        description:
            "Seconds resolvers may cache the CNAME when recordType is cname, 10 to 60: at most the 60 s the alias gives, and no lower than 10, where query charges grow with no real gain.",
    }),
};

// ---- Data ------------------------------------------------------------------------
const DATA_KEYS = {
    dataTable: key(
        text(isDataTableName, 'empty, or a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ . -, such as "multiregion-prod-data"'),
        {
            default: "",
            description:
                "The fleet's DynamoDB global table the backend counts visits in. The bootstrap makes it, with a replica in every region of the fleet (docs/data.md). Empty: the backend keeps no state. The same in every stack of a fleet.",
        },
    ),
    replicationLatencyAlarmMs: key(integer(1000, 3_600_000), {
        default: 60_000,
        description:
            "Milliseconds of average ReplicationLatency, from this region to another replica, that raise this region's replication alarm (docs/data.md), 1000 to 3600000.",
    }),
};

// ---- Alarms ----------------------------------------------------------------------
const ALARM_KEYS = {
    alarmSubscriptions: key(alarmSubscriptions(), {
        default: [],
        description:
            "Who hears this stack's alarms (its health check's, and its replication alarms, docs/data.md), each as email:ADDRESS, email-json:ADDRESS, sms:+E.164, an https:// URL, or an SQS queue or Lambda function ARN in this account. Empty: the topics and alarms exist, nobody is told.",
    }),
    runbookUrl: key(
        text(
            isRunbookUrl,
            'empty, or an https:// URL of at most 512 characters, such as "https://github.com/acme/multiregion/blob/main/docs/runbook.md"',
        ),
        {
            default: "",
            description:
                "The runbook the alarm text links, an https URL. Empty names docs/runbook.md in the repository that deploys the stack.",
        },
    ),
};

/** The keys by concern, in the order the docs and Pulumi.yaml list them. */
export const CONFIG_GROUPS = [
    { title: "Region and network", keys: REGION_KEYS },
    { title: "Cluster", keys: CLUSTER_KEYS },
    { title: "Services", keys: SERVICES_KEYS },
    { title: "Failover", keys: FAILOVER_KEYS, more: "alarms.md#the-record-type" },
    { title: "Data", keys: DATA_KEYS, more: "data.md" },
    { title: "Alarms", keys: ALARM_KEYS, more: "alarms.md" },
] as const;

export const CONFIG_KEYS = { ...REGION_KEYS, ...CLUSTER_KEYS, ...SERVICES_KEYS, ...FAILOVER_KEYS, ...DATA_KEYS, ...ALARM_KEYS };

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Every key's parsed value. */
export type Values = { -readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K] extends Kind<infer V> ? V : never };
