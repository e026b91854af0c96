import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterSettings } from "../config";

/** An EKS cluster with a managed AL2023 node group in private subnets, and its Kubernetes provider. */
export interface ClusterArgs extends ClusterSettings {
    /** AWS region, written into the kubeconfig's `aws eks get-token` call. */
    readonly region: string;
    /** Private subnets for the control-plane ENIs and the nodes. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Tags for every taggable resource. */
    readonly tags: Record<string, string>;
}

const MANAGED_POLICY = "arn:aws:iam::aws:policy";
const ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy";
const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Stable, readable key for a principal ARN: its name after the last slash. */
export function principalKey(arn: string): string {
    return (arn.split("/").pop() ?? arn).replace(/[^A-Za-z0-9-]/g, "-").toLowerCase();
}

/** A kubeconfig that authenticates with `aws eks get-token`, so no token is stored in state. */
export function kubeconfigFor(clusterName: string, endpoint: string, caData: string, region: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                    },
                },
            },
        ],
    });
}

function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

export class Cluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    /** Secret: the kubeconfig for this cluster. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Every Kubernetes object in the project goes through this provider. */
    public readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Cluster", name, {}, opts);
        const tags = args.tags;

        const clusterRole = new aws.iam.Role(
            `${name}-cluster-role`,
            { assumeRolePolicy: assumeRolePolicy("eks.amazonaws.com"), tags },
            { parent: this },
        );
        const clusterPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-cluster-policy`,
            { role: clusterRole.name, policyArn: `${MANAGED_POLICY}/AmazonEKSClusterPolicy` },
            { parent: this },
        );

        const secretsKey = new aws.kms.Key(
            `${name}-secrets-key`,
            { description: `${name} EKS secrets envelope encryption`, enableKeyRotation: true, tags },
            { parent: this },
        );
        // The cluster role encrypts and decrypts Kubernetes secrets with this key.
        const secretsKeyAccess = new aws.iam.RolePolicy(
            `${name}-cluster-kms`,
            {
                role: clusterRole.name,
                policy: secretsKey.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                                Resource: arn,
                            },
                        ],
                    }),
                ),
            },
            { parent: this },
        );

        const cluster = new aws.eks.Cluster(
            `${name}-eks`,
            {
                version: args.kubernetesVersion,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: true,
                    publicAccessCidrs: args.publicAccessCidrs,
                },
                accessConfig: {
                    authenticationMode: "API",
                    // The identity running the first `pulumi up` needs admin to create the Kubernetes objects.
                    bootstrapClusterCreatorAdminPermissions: true,
                },
                encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // Every add-on is managed below, so EKS should not install unmanaged copies.
                bootstrapSelfManagedAddons: false,
                tags,
            },
            // The role's permissions must exist before the cluster and outlive it on delete.
            { parent: this, protect: true, dependsOn: [clusterPolicy, secretsKeyAccess] },
        );

        const nodeRole = new aws.iam.Role(
            `${name}-node-role`,
            { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"), tags },
            { parent: this },
        );
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policy}`,
                    { role: nodeRole.name, policyArn: `${MANAGED_POLICY}/${policy}` },
                    { parent: this },
                ),
        );

        const addon = (addonName: string, configurationValues?: string, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(
                `${name}-${addonName}`,
                {
                    clusterName: cluster.name,
                    addonName,
                    // The default version for the cluster's Kubernetes version moves with upgrades.
                    addonVersion: aws.eks
                        .getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: false }, { parent: this })
                        .apply((v) => v.version),
                    configurationValues,
                    resolveConflictsOnCreate: "OVERWRITE",
                    resolveConflictsOnUpdate: "OVERWRITE",
                    tags,
                },
                { parent: this, dependsOn },
            );
        // Nodes need the CNI and kube-proxy to become Ready; NetworkPolicy needs enforcement on.
        const vpcCni = addon("vpc-cni", JSON.stringify({ enableNetworkPolicy: "true" }));
        const kubeProxy = addon("kube-proxy");

        const nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodes`,
            {
                clusterName: cluster.name,
                version: cluster.version,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType: args.amiType,
                capacityType: "ON_DEMAND",
                instanceTypes: args.instanceTypes,
                scalingConfig: { minSize: args.nodes.min, desiredSize: args.nodes.desired, maxSize: args.nodes.max },
                updateConfig: { maxUnavailable: 1 },
                tags,
            },
            {
                parent: this,
                // Autoscaling owns the desired size after creation.
                ignoreChanges: ["scalingConfig.desiredSize"],
                // Nodes join only with their policies in place, and lose them only after they are gone.
                dependsOn: [...nodePolicies, vpcCni, kubeProxy],
            },
        );
        // CoreDNS pods need nodes to schedule on before the add-on reports healthy.
        addon("coredns", undefined, [nodeGroup]);

        const access = (principalArns: string[], kind: "admin" | "viewer", policy: string) =>
            principalArns.map((principalArn) => {
                const key = `${name}-${kind}-${principalKey(principalArn)}`;
                const entry = new aws.eks.AccessEntry(
                    key,
                    { clusterName: cluster.name, principalArn, type: "STANDARD", tags },
                    { parent: this },
                );
                return new aws.eks.AccessPolicyAssociation(
                    key,
                    { clusterName: cluster.name, principalArn, policyArn: `${ACCESS_POLICY}/${policy}`, accessScope: { type: "cluster" } },
                    { parent: this, dependsOn: [entry] },
                );
            });
        const admins = access(args.adminPrincipalArns, "admin", "AmazonEKSClusterAdminPolicy");
        access(args.viewerPrincipalArns, "viewer", "AmazonEKSViewPolicy");

        this.clusterName = cluster.name;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
                .apply(([clusterName, endpoint, caData]) => kubeconfigFor(clusterName, endpoint, caData, args.region)),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this, dependsOn: [nodeGroup, ...admins] },
        );
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}
