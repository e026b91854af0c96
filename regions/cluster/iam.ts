/** The cluster's and the nodes' IAM roles, with the AWS managed policies EKS Auto Mode documents for each. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const MANAGED_POLICY = "arn:aws:iam::aws:policy";

/**
 * The permissions boundary every role the program creates carries (iam/workload-boundary.json,
 * installed by an administrator as docs/iam.md says). CI's deploy role may create and change roles
 * only with exactly this boundary, so no role it makes can exceed it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
 */
export function workloadBoundaryArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:policy/multiregion-ci/multiregion-workload-boundary`;
}

/** A trust policy that lets one AWS service assume the role with `actions`. */
export function assumeRolePolicy(service: string, actions: string[] = ["sts:AssumeRole"]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions.length === 1 ? actions[0] : actions }],
    });
}

export interface RoleWithPolicies {
    readonly role: aws.iam.Role;
    readonly attachments: aws.iam.RolePolicyAttachment[];
}

interface ServiceRole {
    /** The IAM path the role sits under. */
    readonly path: string;
    /** The account whose workload boundary the role carries, as every role the program makes does. */
    readonly accountId: string;
    /** Names the role `${name}-${roleName}`. */
    readonly roleName: string;
    readonly service: string;
    readonly actions?: string[];
    /** AWS managed policies, each attached as `attachmentName(policy)`. */
    readonly policies: string[];
    readonly attachmentName: (policy: string) => string;
    readonly tags: Record<string, string>;
}

function serviceRole(name: string, parent: pulumi.Resource, r: ServiceRole): RoleWithPolicies {
    const role = new aws.iam.Role(
        `${name}-${r.roleName}`,
        {
            path: r.path,
            permissionsBoundary: workloadBoundaryArn(r.accountId),
            assumeRolePolicy: assumeRolePolicy(r.service, r.actions),
            tags: r.tags,
        },
        { parent },
    );
    const attachments = r.policies.map(
        (policy) =>
            new aws.iam.RolePolicyAttachment(
                r.attachmentName(policy),
                { role: role.name, policyArn: `${MANAGED_POLICY}/${policy}` },
                { parent },
            ),
    );
    return { role, attachments };
}

/**
 * The role the control plane runs as. Auto Mode needs `sts:TagSession` in its trust and the
 * compute, block storage, load balancing and networking policies besides the cluster policy.
 * https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html
 */
export function clusterRole(
    name: string,
    parent: pulumi.Resource,
    path: string,
    accountId: string,
    tags: Record<string, string>,
): RoleWithPolicies {
    const autoMode = ["AmazonEKSComputePolicy", "AmazonEKSBlockStoragePolicy", "AmazonEKSLoadBalancingPolicy", "AmazonEKSNetworkingPolicy"];
    return serviceRole(name, parent, {
        path,
        accountId,
        roleName: "cluster-role",
        service: "eks.amazonaws.com",
        actions: ["sts:AssumeRole", "sts:TagSession"],
        policies: ["AmazonEKSClusterPolicy", ...autoMode],
        // The first policy keeps the name it had before Auto Mode, so it is not replaced.
        attachmentName: (policy) => (policy === "AmazonEKSClusterPolicy" ? `${name}-cluster-policy` : `${name}-cluster-${policy}`),
        tags,
    });
}

/**
 * The role Auto Mode's nodes run as. EKS creates its EC2 access entry itself for the
 * built-in node pools, so the program must not create another.
 * https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html
 */
export function nodeRole(
    name: string,
    parent: pulumi.Resource,
    path: string,
    accountId: string,
    tags: Record<string, string>,
): RoleWithPolicies {
    return serviceRole(name, parent, {
        path,
        accountId,
        roleName: "auto-node-role",
        service: "ec2.amazonaws.com",
        policies: ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"],
        attachmentName: (policy) => `${name}-auto-node-${policy}`,
        tags,
    });
}
