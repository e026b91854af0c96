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
    readonly tags: Record<string, string>;
}

/** One access entry and policy association per principal; returns the associations, which complete access. */
export function grantAccess(name: string, parent: pulumi.Resource, args: AccessArgs): aws.eks.AccessPolicyAssociation[] {
    const { clusterName, tags } = args;
    return args.principalArns.map((principalArn) => {
        const key = `${name}-${args.kind}-${principalKey(principalArn)}`;
        const entry = new aws.eks.AccessEntry(key, { clusterName, principalArn, type: "STANDARD", tags }, { parent });
        return new aws.eks.AccessPolicyAssociation(
            key,
            { clusterName, principalArn, policyArn: `${ACCESS_POLICY}/${args.policy}`, accessScope: { type: "cluster" } },
            { parent, dependsOn: [entry] },
        );
    });
}
