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
 * Pod Identity associations "are eventually consistent, and may take several seconds to be
 * effective" (https://docs.aws.amazon.com/cli/latest/reference/eks/create-pod-identity-association.html),
 * and EKS injects the credentials only when it admits a pod: a pod admitted sooner never gets them
 * (aws/eks-pod-identity-agent#52 saw 5-10 s; hashicorp/terraform-provider-aws#40852). So the
 * backend's pods wait this long after a new association, and only then: a margin, not a bound.
 */
export const ASSOCIATION_SETTLES_SECONDS = 60;

/**
 * Waits `seconds` when created, and again whenever `key` changes (a replacement); never otherwise.
 * A dynamic provider: its code is serialized into the state and run by the provider plugin the
 * Pulumi CLI bundles (pulumi-resource-pulumi-nodejs), so no plugin is downloaded
 * (https://www.pulumi.com/docs/iac/concepts/resources/dynamic-providers/). Self-contained: it
 * captures nothing, and an edit reaches a stack only when its association is replaced
 * (pulumi/pulumi#16826), since an unchanged one keeps the code stored with it.
 */
export const settleProvider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: { key: string; seconds: number }) {
        await new Promise((resolve) => setTimeout(resolve, inputs.seconds * 1000));
        return { id: inputs.key, outs: inputs };
    },
    diff(_id: string, olds: { key: string }, news: { key: string }) {
        const changed = olds.key !== news.key;
        return Promise.resolve({ changes: changed, replaces: changed ? ["key"] : [], deleteBeforeReplace: false });
    },
};

/** A wait that ends `seconds` after `key` first appears. */
class Settle extends pulumi.dynamic.Resource {
    constructor(name: string, args: { key: pulumi.Input<string>; seconds: number }, opts: pulumi.CustomResourceOptions) {
        super(settleProvider, name, args, opts, "multiregion", "AssociationSettle");
    }
}

/**
 * The backend's identity and the replication alarms. The Pod Identity association maps the
 * backend's service account to the bootstrap's role; the backend's pods start once it has
 * settled (ASSOCIATION_SETTLES_SECONDS).
 * ReplicationLatency "is emitted for every source- and destination-Region pair"
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html),
 * in the source region with dimensions TableName and ReceivingRegion (metrics-dimensions.html;
 * docs/data.md says how to check that reading live), and
 * an alarm notifies only a topic in its own region, so each stack alarms here on its writes
 * reaching every other replica, through a topic here with the stack's subscriptions.
 */
export class DataAccess extends pulumi.ComponentResource {
    public readonly association: aws.eks.PodIdentityAssociation;
    /** What the backend's pods wait for: the association, and its settling time when it is new. */
    public readonly credentialsReady: pulumi.Resource;
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
        // A new association id replaces the sleep, so it waits again; an unchanged one waits never.
        this.credentialsReady = new Settle(
            `${name}-identity-settles`,
            { key: this.association.associationId, seconds: ASSOCIATION_SETTLES_SECONDS },
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
