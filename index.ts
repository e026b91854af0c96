/**
 * One region of the active/standby pair: a VPC, an EKS cluster, the sample
 * microservices, and this region's Route 53 health check and failover record.
 * Each stack (`Pulumi.prod-*.yaml`) is one region; the stack files differ only in values.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "./config";
import { Cluster, Failover, failoverTimes, lookupHostedZone, Network, pickZones } from "./regions";
import { ImageRegistry, SampleApp } from "./services";

export = async () => {
    const config = loadConfig();
    const name = config.stack;

    // Every AWS resource goes through this provider; the ambient default is never used.
    const provider = new aws.Provider(`aws-${config.region}`, { region: config.region });
    const zones = await aws.getAvailabilityZones(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { provider },
    );
    const availabilityZones = pickZones(config.project, config.region, zones.names, config.network.azCount);
    const hostedZone = await lookupHostedZone(config.project, config.failover, provider);
    // The alias target's zone must match the load balancer type the frontend Service asks for (NLB).
    const loadBalancerZone = await aws.lb.getHostedZoneId({ loadBalancerType: "network" }, { provider });

    const network = new Network(
        name,
        {
            cidrBlock: config.network.vpcCidr,
            availabilityZones,
            natGateways: config.network.natGateways,
            tags: config.tags,
        },
        { provider },
    );
    const cluster = new Cluster(
        name,
        {
            region: config.region,
            privateSubnetIds: network.privateSubnetIds,
            ...config.cluster,
            tags: config.tags,
        },
        { provider },
    );

    const { backendImage, frontendImage, replicas } = config.services;
    const registry = new ImageRegistry(
        name,
        { repositories: [backendImage.repository, frontendImage.repository], tags: config.tags },
        { provider },
    );
    const app = new SampleApp(
        name,
        {
            region: config.region,
            backendImage: registry.imageFor(backendImage),
            frontendImage: registry.imageFor(frontendImage),
            replicas,
        },
        { provider: cluster.provider },
    );

    const { failover: settings } = config;
    const failover = new Failover(
        name,
        {
            zoneId: hostedZone.zoneId,
            recordName: settings.recordName,
            setIdentifier: config.stack,
            failoverType: settings.failoverType,
            publishRecord: settings.publishRecord,
            loadBalancerHostname: app.frontendHostname,
            loadBalancerZoneId: loadBalancerZone.id,
            healthCheck: settings.healthCheck,
            tags: config.tags,
        },
        { provider },
    );

    return {
        region: config.region,
        role: config.role,
        appUrl: `http://${settings.recordName}`,
        healthCheckId: failover.healthCheckId,
        failover: { type: settings.failoverType, recordPublished: settings.publishRecord, ...failoverTimes(settings.healthCheck) },
        vpcId: network.vpcId,
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        imageRepositories: registry.repositoryUrls,
        loadBalancerUrl: pulumi.interpolate`http://${app.frontendHostname}`,
    };
};
