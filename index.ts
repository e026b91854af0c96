/**
 * One region of the active/standby pair: a VPC, an EKS Auto Mode cluster, the sample
 * microservices behind a TLS load balancer, and this region's Route 53 health check,
 * failover record and alarm. Each stack (`Pulumi.<fleet>-<region>.yaml`) is one region;
 * the stack files differ only in values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { fleetOf, loadConfig, StackConfig } from "./config";
import { clusterName, dataRoleArn, dataRoleName, secretsKeyAlias, WORKLOAD_ROLES, workloadRoleArn, WorkloadRole } from "./facts/workload";
import { listStacks, loadStackFile } from "./config/stackFiles";
import {
    Alarms,
    Certificate,
    Cluster,
    DataAccess,
    Failover,
    failoverTimes,
    lookupHostedZone,
    METRICS_REGION,
    Network,
    pickZones,
} from "./regions";
import { capacityOf, ImageRegistry, SampleApp } from "./services";

/**
 * The images' repositories must exist before the stack adopts them, and `npm run images` makes
 * them; say so plainly, rather than let the adoption fail on a missing resource.
 */
async function requireRepositories(config: StackConfig, provider: aws.Provider): Promise<void> {
    const existing = (await aws.ecr.getRepositories({}, { provider })).names;
    const wanted = [config.services.backendImage.repository, config.services.frontendImage.repository];
    const missing = wanted.filter((r) => !existing.includes(r));
    if (missing.length > 0) {
        throw new Error(
            `ECR has no ${missing.join(" or ")} repository in ${config.region} yet: run npm run images (it creates the repositories and pushes the images), then run this again`,
        );
    }
}

/**
 * The bootstrap makes the roles this stack's resources run as, its cluster's secrets key and the
 * fleet's table, so CI's deploy role never makes a role, a key or the data (facts/workload.ts).
 * Without them EKS and the flow logs would fail halfway through the first `up`; say so before
 * anything is created, with AWS's own words when a lookup failed for another reason than absence.
 * Returns the key's ARN: EKS takes an alias too, but would then record another value than Pulumi
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_EncryptionConfig.html).
 */
async function requireFoundation(config: StackConfig, provider: aws.Provider) {
    const alias = secretsKeyAlias(clusterName(config.project, config.stack));
    const missing: string[] = [];
    const found = async <T>(what: string, lookup: () => Promise<T>): Promise<T | undefined> =>
        lookup().catch((err: unknown) => void missing.push(`${what} (${firstLine(err)})`));
    const role = async (name: string, arn: string) => {
        const got = await found(`the role ${arn}`, () => aws.iam.getRole({ name }, { provider }));
        // A role of that name on another path is not the one the deploy role may pass.
        if (got !== undefined && got.arn !== arn) missing.push(`the role ${arn} (found ${got.arn} instead)`);
        return got;
    };
    const key = await found(`the KMS alias ${alias} in ${config.region}`, () => aws.kms.getAlias({ name: alias }, { provider }));
    for (const r of Object.keys(WORKLOAD_ROLES) as WorkloadRole[]) await role(WORKLOAD_ROLES[r], workloadRoleArn(config.accountId, r));
    const table = config.data.table;
    const dataRole =
        table === undefined
            ? undefined
            : await role(dataRoleName(fleetOf(config.stack)), dataRoleArn(config.accountId, fleetOf(config.stack)));
    if (table !== undefined) {
        await found(`a replica of the table ${table} in ${config.region}`, () => aws.dynamodb.getTable({ name: table }, { provider }));
    }
    if (key === undefined || missing.length > 0) {
        throw new Error(
            `account ${config.accountId} lacks ${missing.join(", ")}: run pulumi up in bootstrap/ for this account (docs/bootstrap.md), then run this again`,
        );
    }
    return { secretsKeyArn: key.targetKeyArn, dataRoleArn: dataRole?.arn };
}

/** An error's first line, for a one-line message. */
function firstLine(err: unknown): string {
    return (err instanceof Error ? err.message : String(err)).split("\n")[0]!.trim();
}

/** What must exist before anything is created: the region's zones, the hosted zone, the load balancers' zone id, the bootstrap's roles and key. */
async function lookups(config: StackConfig, provider: aws.Provider) {
    const zones = await aws.getAvailabilityZones(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { provider },
    );
    await requireRepositories(config, provider);
    const foundation = await requireFoundation(config, provider);
    return {
        ...foundation,
        availabilityZones: pickZones(config, config.region, zones.names, config.network.azCount),
        hostedZone: await lookupHostedZone(config, config.failover, provider),
        // The alias target's zone must match the load balancer type the frontend Service asks for (NLB).
        loadBalancerZone: await aws.lb.getHostedZoneId({ loadBalancerType: "network" }, { provider }),
    };
}

/** The region's network and cluster. */
function platform(config: StackConfig, provider: aws.Provider, availabilityZones: string[], secretsKeyArn: string) {
    const { stack: name, tags } = config;
    const network = new Network(
        name,
        {
            cidrBlock: config.network.vpcCidr,
            region: config.region,
            availabilityZones,
            natGateways: config.network.natGateways,
            flowLogs: { accountId: config.accountId, retentionDays: config.logRetentionDays },
            tags,
        },
        { provider },
    );
    const cluster = new Cluster(
        name,
        {
            region: config.region,
            accountId: config.accountId,
            assumeRoleArn: config.assumeRoleArn,
            uniqueName: clusterName(config.project, config.stack),
            secretsKeyArn,
            logRetentionDays: config.logRetentionDays,
            privateSubnetIds: network.privateSubnetIds,
            ...config.cluster,
            tags,
        },
        { provider },
    );
    return { network, cluster };
}

/** The region's network and cluster, which the app runs in. */
interface Platform {
    readonly network: Network;
    readonly cluster: Cluster;
}

/**
 * The backend's way to the fleet's table, when the fleet has one: the Pod Identity association and
 * this region's replication alarms, one per other region of the fleet, read from its stack files.
 */
function dataAccess(config: StackConfig, provider: aws.Provider, cluster: Cluster, roleArn: string | undefined) {
    const table = config.data.table;
    if (table === undefined || roleArn === undefined) return undefined;
    const fleet = fleetOf(config.stack);
    const peerRegions = listStacks()
        .filter((s) => s !== config.stack && fleetOf(s) === fleet)
        .map((s) => loadStackFile(s).region);
    const access = new DataAccess(
        config.stack,
        {
            clusterName: cluster.clusterName,
            roleArn,
            tableName: table,
            peerRegions,
            latencyAlarmMs: config.data.latencyAlarmMs,
            text: {
                stack: config.stack,
                region: config.region,
                role: config.role,
                recordName: config.failover.recordName,
                runbookUrl: config.alarms.runbookUrl,
            },
            uniqueName: `${config.project}-${config.stack}`,
            subscriptions: config.alarms.subscriptions,
            tags: config.tags,
        },
        { provider },
    );
    return { tableName: table, association: access.association, vpcCidr: config.network.vpcCidr, topicArn: access.topicArn };
}

/** The app: its certificate, its images' registry, and its services on the cluster. */
function application(
    config: StackConfig,
    provider: aws.Provider,
    { network, cluster }: Platform,
    zoneId: string,
    data: ReturnType<typeof dataAccess>,
) {
    const { stack: name, tags } = config;
    const { recordName } = config.failover;
    const certificate = new Certificate(name, { domainName: recordName, zoneId, tags }, { provider });
    const { backendImage, frontendImage, minReplicas, maxReplicas, cpuTargetPercent } = config.services;
    const registry = new ImageRegistry(name, { repositories: [backendImage.repository, frontendImage.repository], tags }, { provider });
    const app = new SampleApp(
        name,
        {
            region: config.region,
            backendImage: registry.imageFor(backendImage),
            frontendImage: registry.imageFor(frontendImage),
            scaling: { minReplicas, maxReplicas, cpuTargetPercent },
            metricsSource: cluster.metricsServer,
            publicHost: recordName,
            certificateArn: certificate.certificateArn,
            networkPolicyEnforcement: cluster.networkPolicyController,
            loadBalancerSubnetCidrs: network.publicSubnetCidrs,
            data,
        },
        { provider: cluster.provider },
    );
    return { registry, app };
}

/**
 * The alarm on this region's health check, in us-east-1 where Route 53 publishes the metric
 * (see regions/alarms.ts). Its provider guards the same account; a stack in us-east-1 shares
 * its own. The wording follows the role, so the deploy after a switchover flips it.
 */
function healthAlarms(config: StackConfig, regional: aws.Provider, healthCheckId: pulumi.Input<string>): Alarms {
    const provider = config.region === METRICS_REGION ? regional : awsProvider(config, METRICS_REGION);
    return new Alarms(
        config.stack,
        {
            stack: config.stack,
            region: config.region,
            role: config.role,
            recordName: config.failover.recordName,
            runbookUrl: config.alarms.runbookUrl,
            healthCheckId,
            uniqueName: `${config.project}-${config.stack}`,
            subscriptions: config.alarms.subscriptions,
            tags: config.tags,
        },
        { provider },
    );
}

/**
 * An explicit AWS provider for one region; the ambient default is never used. Credentials
 * for any other account fail before anything changes. With one account per environment it
 * assumes the stack's own deploy role, so one CI identity reaches each.
 * https://www.pulumi.com/registry/packages/aws/api-docs/provider/#assumeroles
 */
function awsProvider(config: StackConfig, region: string): aws.Provider {
    return new aws.Provider(`aws-${region}`, {
        region,
        allowedAccountIds: [config.accountId],
        assumeRoles: config.assumeRoleArn ? [{ roleArn: config.assumeRoleArn, sessionName: `pulumi-${config.stack}` }] : undefined,
    });
}

export = async () => {
    const config = loadConfig();
    const provider = awsProvider(config, config.region);
    const { availabilityZones, hostedZone, loadBalancerZone, secretsKeyArn, dataRoleArn } = await lookups(config, provider);

    const { network, cluster } = platform(config, provider, availabilityZones, secretsKeyArn);
    const data = dataAccess(config, provider, cluster, dataRoleArn);
    const { registry, app } = application(config, provider, { network, cluster }, hostedZone.zoneId, data);
    const failover = new Failover(
        config.stack,
        {
            ...config.failover,
            zoneId: hostedZone.zoneId,
            setIdentifier: config.stack,
            loadBalancerHostname: app.frontendHostname,
            loadBalancerZoneId: loadBalancerZone.id,
            tags: config.tags,
        },
        { provider },
    );
    const alarms = healthAlarms(config, provider, failover.healthCheckId);

    const settings = config.failover;
    return {
        region: config.region,
        role: config.role,
        appUrl: `https://${settings.recordName}`,
        healthCheckId: failover.healthCheckId,
        failover: { type: settings.failoverType, recordPublished: settings.publishRecord, ...failoverTimes(settings) },
        alarmTopicArn: alarms.topicArn,
        ...(data ? { dataTable: data.tableName, dataAlarmTopicArn: data.topicArn } : {}),
        capacity: capacityOf(config.services),
        vpcId: network.vpcId,
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        imageRepositories: registry.repositoryUrls,
        // The certificate names the record, not this hostname: reach this region by the name,
        // connected here, as in curl --connect-to app.example.com:443:<loadBalancerHostname>:443.
        loadBalancerHostname: app.frontendHostname,
    };
};
