import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { grantAccess, VERIFY_READER_RULES, VERIFY_READERS_GROUP } from "./access";
import { addon } from "./addons";
import { NODE_POOLS } from "./autoMode";
import { kubeconfigFor } from "./kubeconfig";
import type { ClusterSettings } from "../../config/types";
import { workloadRoleArn } from "../../facts/workload";

export * from "./access";
export * from "./autoMode";
export * from "./kubeconfig";

/** What the cluster needs: its version, who may use it and where it sits. */
export interface ClusterArgs extends ClusterSettings {
    /** AWS region, written into the kubeconfig's `aws eks get-token` call. */
    readonly region: string;
    /** The account whose bootstrap made the roles the control plane and the nodes run as. */
    readonly accountId: string;
    /** The role the Kubernetes provider's tokens are for; undefined for the ambient credentials. */
    readonly assumeRoleArn?: string;
    /** A name unique in the account and region: the cluster's, and its key alias's. */
    readonly uniqueName: string;
    /** The bootstrap's KMS key that encrypts the cluster's Kubernetes secrets. */
    readonly secretsKeyArn: string;
    /** Days CloudWatch keeps the control-plane logs. */
    readonly logRetentionDays: number;
    /** Private subnets for the control-plane ENIs and the nodes. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Tags for every taggable resource. */
    readonly tags: Record<string, string>;
}

/** The one add-on the program installs and pins (metricsServerVersion); the verify tool reads its version. */
export const METRICS_SERVER_ADDON = "metrics-server";

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/**
 * An EKS Auto Mode cluster (API authentication, KMS-encrypted secrets, every control-plane
 * log): AWS grows and shrinks its nodes with the pods. Also its metrics-server, the
 * NetworkPolicy switch, access entries, and the Kubernetes provider every object goes through.
 */
export class Cluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    /** Secret: the kubeconfig for this cluster. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Every Kubernetes object in the project goes through this provider. */
    public readonly provider: k8s.Provider;
    /** The HPAs' metrics source; autoscalers should wait for it. */
    public readonly metricsServer: aws.eks.Addon;
    /** The ConfigMap that switches NetworkPolicy enforcement on; policies are created after it. */
    public readonly networkPolicyController: k8s.core.v1.ConfigMap;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Cluster", name, {}, opts);
        const tags = args.tags;

        const cluster = this.controlPlane(name, args);
        const clusterName = cluster.name;
        const admins = grantAccess(name, this, {
            clusterName,
            principalArns: [args.deployRoleArn, ...args.adminPrincipalArns],
            kind: "admin",
            policy: "AmazonEKSClusterAdminPolicy",
            tags,
        });
        grantAccess(name, this, {
            clusterName,
            principalArns: [...(args.previewRoleArn ? [args.previewRoleArn] : []), ...args.viewerPrincipalArns],
            kind: "viewer",
            policy: "AmazonEKSViewPolicy",
            kubernetesGroups: [VERIFY_READERS_GROUP],
            tags,
        });
        // Pods pending on it make Auto Mode launch a system node, so it needs nothing but the cluster.
        this.metricsServer = addon(name, this, { cluster, addonName: METRICS_SERVER_ADDON, version: args.metricsServerVersion, tags });

        this.clusterName = cluster.name;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data])
                .apply(([clusterName, endpoint, caData]) => kubeconfigFor(clusterName, endpoint, caData, args.region, args.assumeRoleArn)),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this, dependsOn: [cluster, ...admins] },
        );
        // Auto Mode enforces NetworkPolicies only once this switch is on; the vpc-cni add-on's
        // setting does not reach Auto Mode nodes. https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html
        this.networkPolicyController = new k8s.core.v1.ConfigMap(
            `${name}-network-policy-controller`,
            { metadata: { name: "amazon-vpc-cni", namespace: "kube-system" }, data: { "enable-network-policy-controller": "true" } },
            { parent: this, provider: this.provider },
        );
        this.verifyReaders(name);
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }

    /** The viewers' group may also read what verify needs beyond AmazonEKSViewPolicy (access.ts). */
    private verifyReaders(name: string): void {
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-verify-readers`,
            { metadata: { name: VERIFY_READERS_GROUP }, rules: VERIFY_READER_RULES },
            { parent: this, provider: this.provider },
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-verify-readers`,
            {
                metadata: { name: VERIFY_READERS_GROUP },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: VERIFY_READERS_GROUP },
                subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: VERIFY_READERS_GROUP }],
            },
            { parent: this, provider: this.provider, dependsOn: [role] },
        );
    }

    /** The EKS control plane with Auto Mode on, and its log group. */
    private controlPlane(name: string, args: ClusterArgs): aws.eks.Cluster {
        const tags = args.tags;
        // Made before the cluster, under the name EKS writes to, so EKS uses it with its retention
        // instead of making one that never expires (https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html).
        const logs = new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { name: `/aws/eks/${args.uniqueName}/cluster`, retentionInDays: args.logRetentionDays, tags },
            { parent: this },
        );
        return new aws.eks.Cluster(
            `${name}-eks`,
            {
                // Named, not generated, so its log group can exist before it does.
                name: args.uniqueName,
                version: args.kubernetesVersion,
                upgradePolicy: { supportType: args.eksSupportType },
                roleArn: workloadRoleArn(args.accountId, "cluster"),
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: true,
                    publicAccessCidrs: args.publicAccessCidrs,
                },
                // No admin for whoever happens to create it: the deploy role's access entry is the admin.
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                encryptionConfig: { provider: { keyArn: args.secretsKeyArn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // Auto Mode's compute, block storage and load balancing go on together, and it
                // requires that EKS installs no self-managed add-ons.
                computeConfig: { enabled: true, nodePools: NODE_POOLS, nodeRoleArn: workloadRoleArn(args.accountId, "node") },
                storageConfig: { blockStorage: { enabled: true } },
                kubernetesNetworkConfig: { elasticLoadBalancing: { enabled: true } },
                bootstrapSelfManagedAddons: false,
                tags,
            },
            { parent: this, protect: true, dependsOn: [logs] },
        );
    }
}
