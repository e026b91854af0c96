/** The stack's typed configuration, as the program and the tools use it. */
import type { AlarmSubscription } from "./subscriptions";

export type { AlarmSubscription, SubscriptionProtocol } from "./subscriptions";

export type Role = "active" | "standby";
/** A failover alias A record, or a failover CNAME with its own TTL. */
export type RecordType = "alias" | "cname";
export type NatMode = "perAz" | "single";

export interface NetworkSettings {
    /** The VPC's IPv4 CIDR block. */
    readonly vpcCidr: string;
    /** How many availability zones the subnets span. */
    readonly azCount: number;
    /** One NAT gateway per AZ, or a single shared one. */
    readonly natGateways: NatMode;
}

/** The cluster's own settings, from config: everything its component takes but what other components provide. */
export interface ClusterSettings {
    /** What EKS does at the end of standard support: upgrade (STANDARD) or extended support. */
    readonly eksSupportType: "STANDARD" | "EXTENDED";
    /** The role that deploys this stack: cluster admin. */
    readonly deployRoleArn: string;
    /** The role that previews it, if any: read-only. */
    readonly previewRoleArn?: string;
    /** EKS Kubernetes minor version, `1.NN`. */
    readonly kubernetesVersion: string;
    /** The metrics-server add-on's pinned version; undefined takes EKS's default once, at creation. */
    readonly metricsServerVersion?: string;
    /** IAM principals granted cluster admin. */
    readonly adminPrincipalArns: string[];
    /** IAM principals granted read-only access. */
    readonly viewerPrincipalArns: string[];
    /** CIDRs allowed to reach the public API endpoint. */
    readonly publicAccessCidrs: string[];
}

/** A container image in this region's ECR: the repository plus a pinned tag or digest. */
export interface ImageRef {
    /** ECR repository name, such as `sample-app-backend`. */
    readonly repository: string;
    /** `:tag` or `@sha256:...`, appended to the repository URL. */
    readonly pin: string;
}

export interface ServicesSettings {
    readonly backendImage: ImageRef;
    readonly frontendImage: ImageRef;
    /** The autoscaler's floor per service now: the override, or the role's floor. */
    readonly minReplicas: number;
    /** The autoscaler's ceiling per service, in either role. */
    readonly maxReplicas: number;
    /** Average CPU, as a percentage of the request, the autoscaler aims for. */
    readonly cpuTargetPercent: number;
    /** What one frontend pod serves at its CPU limit, for sizing only. */
    readonly podRequestsPerSecond: number;
    /** The floor whatever the role; 0 follows the role. */
    readonly replicasOverride: number;
    /** The floor when active; the switchover scales to this. */
    readonly activeReplicas: number;
    /** The floor when standby. */
    readonly standbyReplicas: number;
}

/** The existing public hosted zone, by id or by name. */
export type HostedZoneRef = { readonly id: string } | { readonly name: string };

export interface HealthCheckSettings {
    readonly path: string;
    /** Seconds between checks: 10 or 30; fixed once the check exists. */
    readonly interval: 10 | 30;
    /** Consecutive failures before the region counts as down. */
    readonly failureThreshold: number;
    /** Checker regions; empty means Route 53's defaults. */
    readonly regions: string[];
}

export interface FailoverSettings {
    /** The existing public hosted zone: its id (`Z...`) or its name. */
    readonly hostedZone: HostedZoneRef;
    /** The one name users reach, the same in every stack. */
    readonly recordName: string;
    /** `PRIMARY` for the active role, `SECONDARY` for the standby. */
    readonly failoverType: "PRIMARY" | "SECONDARY";
    /** Whether this stack publishes its record; the switchover withdraws it briefly. */
    readonly publishRecord: boolean;
    /** An alias A record or a CNAME, the same in every stack of a fleet. */
    readonly recordType: RecordType;
    /** The CNAME's TTL in seconds; unused for an alias. */
    readonly cnameTtl: number;
    readonly healthCheck: HealthCheckSettings;
}

export interface AlarmSettings {
    /** Who hears the alarm; none leaves the topic without subscribers. */
    readonly subscriptions: AlarmSubscription[];
    /** The runbook the alarm text links; undefined names the repository's docs/runbook.md. */
    readonly runbookUrl: string | undefined;
}

/** The fleet's data: its global table, when it has one (docs/data.md). */
export interface DataSettings {
    /** The table's name, the same in every region; undefined: the backend keeps no state. */
    readonly table: string | undefined;
    /** Average replication latency, in milliseconds, that raises the alarm. */
    readonly latencyAlarmMs: number;
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    /** The AWS account the stack deploys into. */
    readonly accountId: string;
    /** The role the stack's AWS provider and Kubernetes access assume; undefined uses the ambient credentials. */
    readonly assumeRoleArn?: string;
    readonly role: Role;
    /** Days CloudWatch keeps the region's logs. */
    readonly logRetentionDays: number;
    /** Tags for every AWS resource: the fixed ones plus the user's. */
    readonly tags: Record<string, string>;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly services: ServicesSettings;
    readonly failover: FailoverSettings;
    readonly data: DataSettings;
    readonly alarms: AlarmSettings;
}

/** Raw values as the CLI passes them: every value a string, lists as JSON. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

export interface ConfigContext {
    readonly project: string;
    readonly stack: string;
}
