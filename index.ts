/**
 * One region of the active/standby pair: a VPC, an EKS cluster, the sample
 * microservices, and this region's Route 53 health check and failover record.
 * Each stack (`Pulumi.prod-*.yaml`) is one region; the stack files differ only in values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig, StackConfig } from "./config";
import { Cluster, Failover, failoverTimes, lookupHostedZone, Network, pickZones } from "./regions";
import { capacityOf, ImageRegistry, SampleApp } from "./services";

/** What must exist before anything is created: the region's zones, the hosted zone, the load balancers' zone id. */
async function lookups(config: StackConfig, provider: aws.Provider) {
    const zones = await aws.getAvailabilityZones(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { provider },
    );
    return {
        availabilityZones: pickZones(config, config.region, zones.names, config.network.azCount),
        hostedZone: await lookupHostedZone(config, config.failover, provider),
        // The alias target's zone must match the load balancer type the frontend Service asks for (NLB).
        loadBalancerZone: await aws.lb.getHostedZoneId({ loadBalancerType: "network" }, { provider }),
    };
}

export = async () => {
    const config = loadConfig();
    const name = config.stack;
    const tags = config.tags;

    // Every AWS resource goes through this provider; the ambient default is never used.
    const provider = new aws.Provider(`aws-${config.region}`, { region: config.region });
    const { availabilityZones, hostedZone, loadBalancerZone } = await lookups(config, provider);

    const network = new Network(
        name,
        { cidrBlock: config.network.vpcCidr, availabilityZones, natGateways: config.network.natGateways, tags },
        { provider },
    );
    const cluster = new Cluster(
        name,
        { region: config.region, privateSubnetIds: network.privateSubnetIds, ...config.cluster, tags },
        { provider },
    );

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
        },
        { provider: cluster.provider },
    );

    const settings = config.failover;
    const failover = new Failover(
        name,
        {
            ...settings,
            zoneId: hostedZone.zoneId,
            setIdentifier: config.stack,
            loadBalancerHostname: app.frontendHostname,
            loadBalancerZoneId: loadBalancerZone.id,
            tags,
        },
        { provider },
    );

    return outputs(config, { network, cluster, registry, app, failover });
};

/** What each stack exports: how to reach it, its failover settings and times, its capacity. */
function outputs(
    config: StackConfig,
    c: { network: Network; cluster: Cluster; registry: ImageRegistry; app: SampleApp; failover: Failover },
) {
    const settings = config.failover;
    const { network, cluster, registry, app, failover } = c;
    return {
        region: config.region,
        role: config.role,
        appUrl: `http://${settings.recordName}`,
        healthCheckId: failover.healthCheckId,
        failover: { type: settings.failoverType, recordPublished: settings.publishRecord, ...failoverTimes(settings.healthCheck) },
        capacity: capacityOf(config.services),
        vpcId: network.vpcId,
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        imageRepositories: registry.repositoryUrls,
        loadBalancerUrl: pulumi.interpolate`http://${app.frontendHostname}`,
    };
}
