/** EKS managed add-ons, at the default version for the cluster's Kubernetes version. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AddonArgs {
    readonly cluster: aws.eks.Cluster;
    readonly addonName: string;
    /** The add-on's JSON configuration values. */
    readonly configurationValues?: string;
    readonly tags: Record<string, string>;
}

export function addon(name: string, parent: pulumi.Resource, args: AddonArgs, dependsOn: pulumi.Resource[] = []): aws.eks.Addon {
    const { cluster, addonName } = args;
    return new aws.eks.Addon(
        `${name}-${addonName}`,
        {
            clusterName: cluster.name,
            addonName,
            // The default version for the cluster's Kubernetes version moves with upgrades.
            addonVersion: aws.eks
                .getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: false }, { parent })
                .apply((v) => v.version),
            configurationValues: args.configurationValues,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags: args.tags,
        },
        { parent, dependsOn },
    );
}
