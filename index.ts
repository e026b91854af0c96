/**
 * One region of the active/standby pair: a VPC, an EKS Auto Mode cluster, the sample
 * microservices behind a TLS load balancer, and this region's Route 53 health check,
 * failover record and alarm. Each stack (`Pulumi.<fleet>-<region>.yaml`) is one region;
 * the stack files differ only in values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, StackConfig } from "./config";
import { clusterName, secretsKeyAlias, WORKLOAD_ROLES, workloadRoleArn, WorkloadRole } from "./facts/workload";
import { Alarms, Certificate, Cluster, Failover, failoverTimes, lookupHostedZone, METRICS_REGION, Network, pickZones } from "./regions";
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
 * The bootstrap makes the roles this stack's resources run as and its cluster's secrets key, so
 * CI's deploy role never makes a role or a key (facts/workload.ts). Without them EKS and the flow
 * logs would fail halfway through the first `up`; say so before anything is created.
 * Returns the key's ARN: EKS takes an alias too, but would then record another value than Pulumi
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_EncryptionConfig.html).
 */
async function requireFoundation(config: StackConfig, provider: aws.Provider): Promise<string> {
    const alias = secretsKeyAlias(clusterName(config.project, config.stack));
    const missing: string[] = [];
    const found = async <T>(what: string, lookup: () => Promise<T>): Promise<T | undefined> =>
        lookup().catch(() => void missing.push(what));
    const key = await found(`the KMS alias ${alias} in ${config.region}`, () => aws.kms.getAlias({ name: alias }, { provider }));
    for (const role of Object.keys(WORKLOAD_ROLES) as WorkloadRole[]) {
        const arn = workloadRoleArn(config.accountId, role);
        await found(`the role ${arn}`, () => aws.iam.getRole({ name: WORKLOAD_ROLES[role] }, { provider }));
    }
    if (key === undefined || missing.length > 0) {
        throw new Error(
            `account ${config.accountId} lacks ${missing.join(", ")}: run pulumi up in bootstrap/ for this account (docs/bootstrap.md), then run this again`,
        );
    }
    return key.targetKeyArn;
}

/** What must exist before anything is created: the region's zones, the hosted zone, the load balancers' zone id, the bootstrap's roles and key. */
async function lookups(config: StackConfig, provider: aws.Provider) {
    const zones = await aws.getAvailabilityZones(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { provider },
    );
    await requireRepositories(config, provider);
    const secretsKeyArn = await requireFoundation(config, provider);
    return {
        secretsKeyArn,
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

/** The app: its certificate, its images' registry, and its services on the cluster. */
function application(config: StackConfig, provider: aws.Provider, { network, cluster }: Platform, zoneId: string) {
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
    const { availabilityZones, hostedZone, loadBalancerZone, secretsKeyArn } = await lookups(config, provider);

    const { network, cluster } = platform(config, provider, availabilityZones, secretsKeyArn);
    const { registry, app } = application(config, provider, { network, cluster }, hostedZone.zoneId);
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
