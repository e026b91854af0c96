/** The cluster's and the nodes' IAM roles, with the AWS managed policies EKS documents for each. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const MANAGED_POLICY = "arn:aws:iam::aws:policy";

/** A trust policy that lets one AWS service assume the role. */
export function assumeRolePolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

export interface RoleWithPolicies {
    readonly role: aws.iam.Role;
    readonly attachments: aws.iam.RolePolicyAttachment[];
}

/** A role for `service` with the managed `policies`, each attachment named `${name}-${prefix}${policy}`. */
function serviceRole(
    name: string,
    parent: pulumi.Resource,
    roleName: string,
    service: string,
    attachmentName: (policy: string) => string,
    policies: string[],
    tags: Record<string, string>,
): RoleWithPolicies {
    const role = new aws.iam.Role(`${name}-${roleName}`, { assumeRolePolicy: assumeRolePolicy(service), tags }, { parent });
    const attachments = policies.map(
        (policy) =>
            new aws.iam.RolePolicyAttachment(
                attachmentName(policy),
                { role: role.name, policyArn: `${MANAGED_POLICY}/${policy}` },
                { parent },
            ),
    );
    return { role, attachments };
}

/** The role the EKS control plane runs as. */
export function clusterRole(name: string, parent: pulumi.Resource, tags: Record<string, string>): RoleWithPolicies {
    return serviceRole(name, parent, "cluster-role", "eks.amazonaws.com", () => `${name}-cluster-policy`, ["AmazonEKSClusterPolicy"], tags);
}

/** The role the managed node group's instances run as: join the cluster, pull from ECR, run the VPC CNI. */
export function nodeRole(name: string, parent: pulumi.Resource, tags: Record<string, string>): RoleWithPolicies {
    return serviceRole(
        name,
        parent,
        "node-role",
        "ec2.amazonaws.com",
        (policy) => `${name}-node-${policy}`,
        ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"],
        tags,
    );
}
