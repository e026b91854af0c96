/** Who may use the cluster: EKS access entries with a cluster-wide access policy each. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy";

/** Stable, readable key for a principal ARN: its name after the last slash. */
export function principalKey(arn: string): string {
    return (arn.split("/").pop() ?? arn).replace(/[^A-Za-z0-9-]/g, "-").toLowerCase();
}

export interface AccessArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly principalArns: string[];
    /** Names the entries `${name}-<kind>-<principal>`. */
    readonly kind: "admin" | "viewer";
    /** An EKS access policy, such as AmazonEKSClusterAdminPolicy. */
    readonly policy: string;
    /** Kubernetes groups the entries carry besides the policy, for RBAC bindings of the program's own. */
    readonly kubernetesGroups?: string[];
    readonly tags: Record<string, string>;
}

/** One access entry and policy association per principal; returns the associations, which complete access. */
export function grantAccess(name: string, parent: pulumi.Resource, args: AccessArgs): aws.eks.AccessPolicyAssociation[] {
    const { clusterName, tags } = args;
    return args.principalArns.map((principalArn) => {
        const key = `${name}-${args.kind}-${principalKey(principalArn)}`;
        const entry = new aws.eks.AccessEntry(
            key,
            { clusterName, principalArn, type: "STANDARD", kubernetesGroups: args.kubernetesGroups, tags },
            { parent },
        );
        return new aws.eks.AccessPolicyAssociation(
            key,
            { clusterName, principalArn, policyArn: `${ACCESS_POLICY}/${args.policy}`, accessScope: { type: "cluster" } },
            { parent, dependsOn: [entry] },
        );
    });
}

/**
 * The group the viewers' entries carry: AmazonEKSViewPolicy reads neither nodes nor
 * PolicyEndpoints (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html),
 * which `npm run verify` needs for where metrics-server runs and whether NetworkPolicies are
 * enforced. An entry with policies "has all permissions assigned in the associated access policies and all permissions in any Kubernetes Role or ClusterRole objects that the group names are bound to"
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html).
 */
export const VERIFY_READERS_GROUP = "multiregion-verify-readers";

/**
 * What that group may do, and only what verify calls (tools/verify/kube/reader.ts): get a node,
 * list PolicyEndpoints. To revoke, remove the binding: an entry's groups are Optional+Computed in
 * the provider, so dropping `kubernetesGroups` from the code shows no diff and leaves the group.
 */
export const VERIFY_READER_RULES = [
    { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
    { apiGroups: ["networking.k8s.aws"], resources: ["policyendpoints"], verbs: ["list"] },
];
