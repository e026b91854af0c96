import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { grantAccess } from "./access";
import { addon } from "./addons";
import { AMI_TYPE, Architecture } from "./architecture";
import { secretsKey } from "./encryption";
import { clusterRole, nodeRole } from "./iam";
import { kubeconfigFor } from "./kubeconfig";

export * from "./access";
export * from "./architecture";
export * from "./kubeconfig";

/** What the cluster needs: its version, its nodes, who may use it and where it sits. */
export interface ClusterArgs {
    /** AWS region, written into the kubeconfig's `aws eks get-token` call. */
    readonly region: string;
    /** Private subnets for the control-plane ENIs and the nodes. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** EKS Kubernetes minor version, `1.NN`. */
    readonly kubernetesVersion: string;
    /** EC2 instance types of the node group, all of `architecture`. */
    readonly instanceTypes: string[];
    /** The instance types' CPU architecture; picks the AL2023 AMI type. */
    readonly architecture: Architecture;
    /** Node group bounds; the desired size applies at creation only. */
    readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
    /** IAM principals granted cluster admin. */
    readonly adminPrincipalArns: string[];
    /** IAM principals granted read-only access. */
    readonly viewerPrincipalArns: string[];
    /** CIDRs allowed to reach the public API endpoint. */
    readonly publicAccessCidrs: string[];
    /** Tags for every taggable resource. */
    readonly tags: Record<string, string>;
}

const CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/**
 * An EKS cluster (API authentication, KMS-encrypted secrets, every control-plane log)
 * with a managed AL2023 node group in private subnets, its managed add-ons, access
 * entries, and the Kubernetes provider every object in the project goes through.
 */
export class Cluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    /** Secret: the kubeconfig for this cluster. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** Every Kubernetes object in the project goes through this provider. */
    public readonly provider: k8s.Provider;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Cluster", name, {}, opts);
        const tags = args.tags;

        const cluster = this.controlPlane(name, args);
        const nodeGroup = this.nodes(name, args, cluster);
        const clusterName = cluster.name;
        const admins = grantAccess(name, this, {
            clusterName,
            principalArns: args.adminPrincipalArns,
            kind: "admin",
            policy: "AmazonEKSClusterAdminPolicy",
            tags,
        });
        grantAccess(name, this, {
            clusterName,
            principalArns: args.viewerPrincipalArns,
            kind: "viewer",
            policy: "AmazonEKSViewPolicy",
            tags,
        });

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

    /** The EKS control plane, its role and its secrets key. */
    private controlPlane(name: string, args: ClusterArgs): aws.eks.Cluster {
        const tags = args.tags;
        const role = clusterRole(name, this, tags);
        const secrets = secretsKey(name, this, role.role, tags);
        return new aws.eks.Cluster(
            `${name}-eks`,
            {
                version: args.kubernetesVersion,
                roleArn: role.role.arn,
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
                encryptionConfig: { provider: { keyArn: secrets.key.arn }, resources: ["secrets"] },
                enabledClusterLogTypes: CONTROL_PLANE_LOGS,
                // Every add-on is managed below, so EKS should not install unmanaged copies.
                bootstrapSelfManagedAddons: false,
                tags,
            },
            // The role's permissions must exist before the cluster and outlive it on delete.
            { parent: this, protect: true, dependsOn: [...role.attachments, secrets.grant] },
        );
    }

    /** The managed node group and the add-ons it needs to become Ready, then CoreDNS on it. */
    private nodes(name: string, args: ClusterArgs, cluster: aws.eks.Cluster): aws.eks.NodeGroup {
        const tags = args.tags;
        const role = nodeRole(name, this, tags);
        // Nodes need the CNI and kube-proxy to become Ready; NetworkPolicy needs enforcement on.
        const vpcCni = addon(name, this, {
            cluster,
            addonName: "vpc-cni",
            configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
            tags,
        });
        const kubeProxy = addon(name, this, { cluster, addonName: "kube-proxy", tags });
        const nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodes`,
            {
                clusterName: cluster.name,
                version: cluster.version,
                nodeRoleArn: role.role.arn,
                subnetIds: args.privateSubnetIds,
                amiType: AMI_TYPE[args.architecture],
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
                dependsOn: [...role.attachments, vpcCni, kubeProxy],
            },
        );
        // CoreDNS pods need nodes to schedule on before the add-on reports healthy.
        addon(name, this, { cluster, addonName: "coredns", tags }, [nodeGroup]);
        return nodeGroup;
    }
}
