/**
 * The fleet's data (#19): one DynamoDB global table with a replica in every region of the fleet,
 * and the role the backend's pods reach it with. The bootstrap owns both, not a region stack,
 * because the data must outlive any one region: a region stack's destroy (the standby's, or the
 * nightly rehearsal's) removes its pods and their association, never a replica, and a switchover
 * moves no ownership. CI's deploy role cannot delete the table. docs/data.md says why at length.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKEND_IDENTITY, DATA_TABLE, dataRoleName, WORKLOAD_ROLE_PATH } from "../facts/workload";

/** A fleet's table as the bootstrap makes it. */
export interface FleetTable {
    /** The fleet, such as prod. */
    readonly fleet: string;
    /** The table's name, as every stack file of the fleet gives it. */
    readonly table: string;
    /** The table's first region: the bootstrap's own, one of the fleet's. */
    readonly home: string;
    /** The fleet's other regions, each a replica. */
    readonly replicas: string[];
    /** The fleet's clusters, by name and region: the only ones whose pods may take the role. */
    readonly clusters: { readonly name: string; readonly region: string }[];
}

/**
 * The trust EKS Pod Identity needs, narrowed by the session tags it sets to the backend's service
 * account in the fleet's clusters: without them any Pod Identity association in the account could
 * take the role (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html).
 */
export function dataRoleTrust(accountId: string, clusters: FleetTable["clusters"]): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "OnlyTheBackendOfTheFleetsClusters",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": accountId,
                        "aws:RequestTag/kubernetes-namespace": BACKEND_IDENTITY.namespace,
                        "aws:RequestTag/kubernetes-service-account": BACKEND_IDENTITY.serviceAccount,
                        // By ARN, a tag Pod Identity sets (pod-id-abac.html): a name alone matches that name in any region.
                        "aws:RequestTag/eks-cluster-arn": clusters.map((c) => `arn:aws:eks:${c.region}:${accountId}:cluster/${c.name}`),
                    },
                },
            },
        ],
    };
}

/** What the backend does: one item read for its deep health check, one atomic counter update; on the table in every region, which shares its name. */
export function dataRolePolicy(accountId: string, table: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CountVisitsInTheFleetsTable",
                Effect: "Allow",
                Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                Resource: `arn:aws:dynamodb:*:${accountId}:table/${table}`,
            },
        ],
    };
}

export interface FleetDataArgs {
    /** The account the table and the role live in. */
    readonly accountId: pulumi.Input<string>;
    /** The workload boundary the role carries (iam/workload-boundary.json). */
    readonly boundaryArn: pulumi.Input<string>;
    /** The fleet's table, its regions and clusters. */
    readonly data: FleetTable;
    /** A provider for this account in `region`. */
    readonly providerIn: (region: string) => aws.Provider;
    readonly tags: Record<string, string>;
}

export class FleetData extends pulumi.ComponentResource {
    public readonly tableArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: FleetDataArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:FleetData", name, {}, opts);
        const { data } = args;
        // Global tables version 2019.11.21: replicas need a stream of new and old images
        // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_reqs_bestpractices.html).
        // On demand, so every replica takes any write rate; point-in-time recovery and deletion
        // protection on each replica; encryption with the AWS managed key of each region, which
        // DynamoDB uses through its own grants, so the backend's role needs no KMS permission
        // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html).
        const table = new aws.dynamodb.Table(
            `${name}-table`,
            {
                name: data.table,
                billingMode: "PAY_PER_REQUEST",
                hashKey: DATA_TABLE.hashKey,
                attributes: [{ name: DATA_TABLE.hashKey, type: "S" }],
                streamEnabled: true,
                streamViewType: "NEW_AND_OLD_IMAGES",
                pointInTimeRecovery: { enabled: true },
                deletionProtectionEnabled: true,
                // Permanent: with replicas, turning this off fails (terraform-provider-aws#31153), and a
                // replica's kmsKeyArn set to the default key recreates it on every run (#29636): never set it.
                serverSideEncryption: { enabled: true },
                replicas: data.replicas.map((regionName) => ({
                    regionName,
                    pointInTimeRecovery: true,
                    deletionProtectionEnabled: true,
                    propagateTags: true,
                })),
                tags: { ...args.tags, Fleet: data.fleet },
            },
            { parent: this, provider: args.providerIn(data.home), protect: true },
        );
        const accountId = pulumi.output(args.accountId);
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: dataRoleName(data.fleet),
                path: WORKLOAD_ROLE_PATH,
                permissionsBoundary: args.boundaryArn,
                assumeRolePolicy: accountId.apply((id) => JSON.stringify(dataRoleTrust(id, data.clusters))),
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.name,
                name: dataRoleName(data.fleet),
                policy: accountId.apply((id) => JSON.stringify(dataRolePolicy(id, data.table))),
            },
            { parent: this },
        );
        this.tableArn = table.arn;
        this.roleArn = role.arn;
        this.registerOutputs({ tableArn: this.tableArn, roleArn: this.roleArn });
    }
}
