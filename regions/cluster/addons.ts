/** EKS managed add-ons. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface AddonArgs {
    readonly cluster: aws.eks.Cluster;
    readonly addonName: string;
    /** A pinned `vX.Y.Z-eksbuild.N`, or undefined for EKS's default for the cluster's version at creation. */
    readonly version?: string;
    readonly tags: Record<string, string>;
}

/**
 * A managed add-on. Pinned, it moves only when the pin does. Unpinned, it takes EKS's
 * default version once, at creation, and keeps it: an unrelated `pulumi up` never upgrades it.
 */
export function addon(name: string, parent: pulumi.Resource, args: AddonArgs, dependsOn: pulumi.Resource[] = []): aws.eks.Addon {
    const { cluster, addonName } = args;
    const addonVersion =
        args.version ??
        aws.eks
            .getAddonVersionOutput({ addonName, kubernetesVersion: cluster.version, mostRecent: false }, { parent })
            .apply((v) => v.version);
    return new aws.eks.Addon(
        `${name}-${addonName}`,
        {
            clusterName: cluster.name,
            addonName,
            addonVersion,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags: args.tags,
        },
        { parent, dependsOn, ignoreChanges: args.version === undefined ? ["addonVersion"] : [] },
    );
}
