/**
 * One region of the active/standby pair: a VPC, an EKS Auto Mode cluster, the sample
 * microservices behind a TLS load balancer, and this region's Route 53 health check,
 * failover record and alarm. Each stack (`Pulumi.<fleet>-<region>.yaml`) is one region;
 * the stack files differ only in values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, StackConfig } from "./config";
import { clusterName } from "./facts/workload";
import { Alarms, Certificate, Cluster, DataAccess, Failover, failoverTimes, FleetTable, lookups, METRICS_REGION, Network } from "./regions";
import { capacityOf, ImageRegistry, SampleApp } from "./services";

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
 * this region's replication alarms, one per other replica of the table.
 */
function dataAccess(config: StackConfig, provider: aws.Provider, cluster: Cluster, table: FleetTable | undefined) {
    if (table === undefined) return undefined;
    const access = new DataAccess(
        config.stack,
        {
            clusterName: cluster.clusterName,
            roleArn: table.roleArn,
            tableName: table.table,
            peerRegions: table.peerRegions,
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
    return {
        tableName: table.table,
        peerRegions: table.peerRegions,
        credentialsReady: access.credentialsReady,
        vpcCidr: config.network.vpcCidr,
        topicArn: access.topicArn,
    };
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
    const { availabilityZones, hostedZone, loadBalancerZone, secretsKeyArn, data: table } = await lookups(config, provider);

    const { network, cluster } = platform(config, provider, availabilityZones, secretsKeyArn);
    const data = dataAccess(config, provider, cluster, table);
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
        ...(data ? { dataTable: data.tableName, dataPeerRegions: data.peerRegions, dataAlarmTopicArn: data.topicArn } : {}),
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
