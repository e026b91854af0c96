import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSubscription } from "../config/types";
import { BACKEND_IDENTITY } from "../facts/workload";
import { AlarmText, alarmTopic } from "./alarms";

/** What a lagging replica means, sent with every notification: how much a loss of this region would lose. */
export function replicationAlarmDescription(a: AlarmText, table: string, peer: string, thresholdMs: number): string {
    const runbook = a.runbookUrl ?? "docs/runbook.md in the repository that deploys this stack";
    return (
        `${a.stack} (${a.region}, ${a.role}): writes to ${table} made here reach its replica in ${peer} more than ${thresholdMs / 1000} s late on average. ` +
        `Were ${a.region} lost now, the writes of that last stretch would be lost with it. Runbook: ${runbook}`
    );
}

/** How this region reaches the fleet's table, which the bootstrap owns (bootstrap/data.ts). */
export interface DataAccessArgs {
    /** The cluster whose backend pods take the role. */
    readonly clusterName: pulumi.Input<string>;
    /** The bootstrap's role for the backend, with access to the table alone. */
    readonly roleArn: pulumi.Input<string>;
    /** The fleet's table; this region holds a replica of it. */
    readonly tableName: string;
    /** The fleet's other regions: each receives this region's writes. */
    readonly peerRegions: string[];
    /** Average ReplicationLatency, in milliseconds, that raises an alarm. */
    readonly latencyAlarmMs: number;
    /** Who the stack is and where its runbook is, for the alarms' text. */
    readonly text: AlarmText;
    /** `<project>-<stack>`: the topic's and the alarms' names start with it. */
    readonly uniqueName: string;
    /** Who hears the alarms, as for the health-check alarm. */
    readonly subscriptions: AlarmSubscription[];
    readonly tags: Record<string, string>;
}

/**
 * The backend's identity and the replication alarms. The Pod Identity association maps the
 * backend's service account to the bootstrap's role; only pods started after it exists get
 * credentials (aws/containers-roadmap#2400), so the backend waits for it.
 * ReplicationLatency is published in the region a write came from, per receiving region
 * (dimensions TableName and ReceivingRegion,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html), and
 * an alarm notifies only a topic in its own region, so each stack alarms here on its writes
 * reaching every other replica, through a topic here with the stack's subscriptions.
 */
export class DataAccess extends pulumi.ComponentResource {
    /** The association the backend's pods need before they start. */
    public readonly association: aws.eks.PodIdentityAssociation;
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: DataAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:DataAccess", name, {}, opts);
        this.association = new aws.eks.PodIdentityAssociation(
            `${name}-backend-identity`,
            {
                clusterName: args.clusterName,
                namespace: BACKEND_IDENTITY.namespace,
                serviceAccount: BACKEND_IDENTITY.serviceAccount,
                roleArn: args.roleArn,
                tags: args.tags,
            },
            { parent: this },
        );
        const topic = alarmTopic(`${name}-data`, this, {
            topicName: `${args.uniqueName}-data-alarms`,
            subscriptions: args.subscriptions,
            tags: args.tags,
        });
        for (const peer of args.peerRegions) {
            // No writes, no data points: an idle table is not a lagging one. DynamoDB aggregates
            // this metric over five minutes ("For all other DynamoDB metrics, the aggregation
            // granularity is five minutes", metrics-dimensions.html), so 5-minute periods, two of
            // three above the threshold: one slow batch does not page anyone.
            new aws.cloudwatch.MetricAlarm(
                `${name}-replication-${peer}`,
                {
                    name: `${args.uniqueName}-replication-to-${peer}`,
                    alarmDescription: replicationAlarmDescription(args.text, args.tableName, peer, args.latencyAlarmMs),
                    namespace: "AWS/DynamoDB",
                    metricName: "ReplicationLatency",
                    dimensions: { TableName: args.tableName, ReceivingRegion: peer },
                    statistic: "Average",
                    period: 300,
                    evaluationPeriods: 3,
                    datapointsToAlarm: 2,
                    threshold: args.latencyAlarmMs,
                    comparisonOperator: "GreaterThanThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [topic.arn],
                    okActions: [topic.arn],
                    tags: { ...args.tags, Name: `${name}-replication-${peer}` },
                },
                { parent: this },
            );
        }
        this.topicArn = topic.arn;
        this.registerOutputs({ associationArn: this.association.associationArn, topicArn: this.topicArn });
    }
}
