/**
 * What the main program's resources run as, made once per account by an administrator, so CI's
 * deploy role never makes a role or a key (facts/workload.ts says why): the EKS cluster role, Auto
 * Mode's node role and the flow-log role, each with the workload boundary, and one KMS key per
 * cluster, in the cluster's region, for its Kubernetes secrets. Names are the contract
 * facts/workload.ts holds.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretsKeyAlias, WORKLOAD_ROLE_PATH, WORKLOAD_ROLES, WorkloadRole } from "../facts/workload";

export const MANAGED_POLICY = "arn:aws:iam::aws:policy";

/**
 * Each role's trust and AWS managed policies, as the EKS and VPC user guides give them:
 * - cluster: Auto Mode needs `sts:TagSession` and the compute, block storage, load balancing and
 *   networking policies besides the cluster policy (https://docs.aws.amazon.com/eks/latest/userguide/auto-cluster-iam-role.html);
 * - node: https://docs.aws.amazon.com/eks/latest/userguide/auto-create-node-role.html;
 * - flowLogs: only this account's flow logs, against the confused deputy
 *   (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
 */
export function workloadTrust(role: WorkloadRole, accountId: string): object {
    const statement = (service: string, action: string | string[], condition?: object) => ({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: action, ...(condition ? { Condition: condition } : {}) }],
    });
    switch (role) {
        case "cluster":
            return statement("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);
        case "node":
            return statement("ec2.amazonaws.com", "sts:AssumeRole");
        case "flowLogs":
            return statement("vpc-flow-logs.amazonaws.com", "sts:AssumeRole", {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": `arn:aws:ec2:*:${accountId}:vpc-flow-log/*` },
            });
    }
}

export const WORKLOAD_MANAGED_POLICIES: Record<WorkloadRole, string[]> = {
    cluster: [
        "AmazonEKSClusterPolicy",
        "AmazonEKSComputePolicy",
        "AmazonEKSBlockStoragePolicy",
        "AmazonEKSLoadBalancingPolicy",
        "AmazonEKSNetworkingPolicy",
    ],
    node: ["AmazonEKSWorkerNodeMinimalPolicy", "AmazonEC2ContainerRegistryPullOnly"],
    flowLogs: [],
};

/**
 * The inline policies: the control plane uses the secrets keys; flow logs write to the program's
 * flow-log groups, which exist already, so no logs:CreateLogGroup
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
 */
export function workloadInlinePolicy(role: "cluster" | "flowLogs", accountId: string, keyArns: string[]): object {
    const allow = (Action: string[], Resource: string[]) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }] });
    if (role === "cluster") return allow(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], keyArns);
    const groups = `arn:aws:logs:*:${accountId}:log-group:*-flow-logs-*`;
    return allow(
        ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        [groups, `${groups}:*`],
    );
}

/** The key policy, written out rather than left to KMS's default: the account owns the key and IAM policies grant its use (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). */
export function secretsKeyPolicy(accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EnableIamPolicies",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    });
}

/** One cluster the account runs: its name and its region. */
export interface WorkloadCluster {
    readonly name: string;
    readonly region: string;
}

export interface WorkloadFoundationArgs {
    /** The account the roles and keys live in. */
    readonly accountId: pulumi.Input<string>;
    /** The workload boundary every role carries (iam/workload-boundary.json). */
    readonly boundaryArn: pulumi.Input<string>;
    /** Every cluster of the fleets this account serves; each gets its secrets key. */
    readonly clusters: readonly WorkloadCluster[];
    /** A provider for this account in `region`. */
    readonly providerIn: (region: string) => aws.Provider;
    readonly tags: Record<string, string>;
}

export class WorkloadFoundation extends pulumi.ComponentResource {
    /** Each cluster's secrets key, by cluster name. */
    public readonly keyArns: Record<string, pulumi.Output<string>>;
    public readonly roleArns: Record<WorkloadRole, pulumi.Output<string>>;

    constructor(name: string, args: WorkloadFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:WorkloadFoundation", name, {}, opts);
        const keys = args.clusters.map((c) => this.secretsKey(name, c, args));
        this.keyArns = Object.fromEntries(args.clusters.map((c, i) => [c.name, keys[i]!.arn]));
        const keyArns = pulumi.all(keys.map((k) => k.arn));
        const roles = Object.keys(WORKLOAD_ROLES) as WorkloadRole[];
        this.roleArns = Object.fromEntries(roles.map((r) => [r, this.role(name, r, args, keyArns).arn])) as Record<
            WorkloadRole,
            pulumi.Output<string>
        >;
        this.registerOutputs({ keyArns: this.keyArns, roleArns: this.roleArns });
    }

    private secretsKey(name: string, cluster: WorkloadCluster, args: WorkloadFoundationArgs): aws.kms.Key {
        const provider = args.providerIn(cluster.region);
        const key = new aws.kms.Key(
            `${name}-${cluster.name}-secrets-key`,
            {
                description: `${cluster.name} EKS secrets envelope encryption`,
                enableKeyRotation: true,
                policy: pulumi.output(args.accountId).apply(secretsKeyPolicy),
                // Deleting it leaves the cluster "permanently in a degraded state" (EKS user guide),
                // so a deletion waits the longest KMS allows, and Pulumi refuses it outright.
                deletionWindowInDays: 30,
                tags: args.tags,
            },
            { parent: this, provider, protect: true },
        );
        new aws.kms.Alias(
            `${name}-${cluster.name}-secrets-key`,
            { name: secretsKeyAlias(cluster.name), targetKeyId: key.keyId },
            { parent: this, provider },
        );
        return key;
    }

    private role(name: string, role: WorkloadRole, args: WorkloadFoundationArgs, keyArns: pulumi.Output<string[]>): aws.iam.Role {
        const accountId = pulumi.output(args.accountId);
        const created = new aws.iam.Role(
            `${name}-${WORKLOAD_ROLES[role]}`,
            {
                name: WORKLOAD_ROLES[role],
                path: WORKLOAD_ROLE_PATH,
                permissionsBoundary: args.boundaryArn,
                assumeRolePolicy: accountId.apply((id) => JSON.stringify(workloadTrust(role, id))),
                tags: args.tags,
            },
            { parent: this },
        );
        for (const policy of WORKLOAD_MANAGED_POLICIES[role]) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${WORKLOAD_ROLES[role]}-${policy}`,
                { role: created.name, policyArn: `${MANAGED_POLICY}/${policy}` },
                { parent: this },
            );
        }
        if (role === "flowLogs" || (role === "cluster" && args.clusters.length > 0)) {
            const policy = pulumi.all([accountId, keyArns]).apply(([id, arns]) => JSON.stringify(workloadInlinePolicy(role, id, arns)));
            new aws.iam.RolePolicy(
                `${name}-${WORKLOAD_ROLES[role]}-inline`,
                { role: created.name, name: WORKLOAD_ROLES[role], policy },
                { parent: this },
            );
        }
        return created;
    }
}
