/**
 * VPC flow logs to CloudWatch Logs, kept for a set number of days, written by a role only
 * this account's flow logs can assume (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { workloadBoundaryArn } from "./cluster/iam";

export interface FlowLogArgs {
    readonly vpcId: pulumi.Input<string>;
    /** The account and region the flow log belongs to, for the role's confused-deputy conditions. */
    readonly accountId: string;
    readonly region: string;
    /** Days CloudWatch keeps them. */
    readonly retentionDays: number;
    /** The IAM path of the role that writes them. */
    readonly rolePath: string;
    readonly tags: Record<string, string>;
}

/** The role's trust: VPC Flow Logs, and only for flow logs of this account in this region. */
export function flowLogTrust(accountId: string, region: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": `arn:aws:ec2:${region}:${accountId}:vpc-flow-log/*` },
                },
            },
        ],
    });
}

export function flowLogs(name: string, parent: pulumi.Resource, args: FlowLogArgs): aws.ec2.FlowLog {
    const tagged = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        { retentionInDays: args.retentionDays, tags: tagged("flow-logs") },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-flow-logs-role`,
        {
            path: args.rolePath,
            permissionsBoundary: workloadBoundaryArn(args.accountId),
            assumeRolePolicy: flowLogTrust(args.accountId, args.region),
            tags: tagged("flow-logs-role"),
        },
        { parent },
    );
    // The group exists already, so the role needs no logs:CreateLogGroup.
    const write = new aws.iam.RolePolicy(
        `${name}-flow-logs-write`,
        {
            role: role.name,
            policy: logGroup.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                            Resource: [arn, `${arn}:*`],
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    return new aws.ec2.FlowLog(
        `${name}-flow-log`,
        {
            vpcId: args.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: role.arn,
            maxAggregationInterval: 60,
            tags: tagged("flow-log"),
        },
        { parent, dependsOn: [write] },
    );
}
