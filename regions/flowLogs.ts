/**
 * VPC flow logs to CloudWatch Logs, kept for a set number of days, written by the bootstrap's
 * flow-log role, which only this account's flow logs can assume
 * (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-cwl.html).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { workloadRoleArn } from "../facts/workload";

export interface FlowLogArgs {
    readonly vpcId: pulumi.Input<string>;
    /** The account whose flow-log role writes them. */
    readonly accountId: string;
    /** Days CloudWatch keeps them. */
    readonly retentionDays: number;
    readonly tags: Record<string, string>;
}

export function flowLogs(name: string, parent: pulumi.Resource, args: FlowLogArgs): aws.ec2.FlowLog {
    const tagged = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        { retentionInDays: args.retentionDays, tags: tagged("flow-logs") },
        { parent },
    );
    return new aws.ec2.FlowLog(
        `${name}-flow-log`,
        {
            vpcId: args.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: logGroup.arn,
            iamRoleArn: workloadRoleArn(args.accountId, "flowLogs"),
            maxAggregationInterval: 60,
            tags: tagged("flow-log"),
        },
        { parent },
    );
}
