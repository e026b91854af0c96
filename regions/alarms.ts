import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSubscription, Role } from "../config/types";

/**
 * Route 53 publishes health-check metrics in us-east-1 only ("Route 53 metrics are not
 * available if you select any other region",
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html).
 */
export const METRICS_REGION = "us-east-1";

/** The health-check alarm's name, from the stack's `<project>-<stack>`; the verify tool looks it up by it. */
export function healthAlarmName(uniqueName: string): string {
    return `${uniqueName}-health`;
}

/** What the alarm text says and where it sends people. */
export interface AlarmText {
    /** The stack, named first in the alarm. */
    readonly stack: string;
    /** The region the stack serves from; the alarm itself lives in us-east-1. */
    readonly region: string;
    /** active or standby: whether a failing check moves traffic or leaves none to move to. */
    readonly role: Role;
    /** The failover record users reach. */
    readonly recordName: string;
    /** The runbook's URL; undefined names the repository's docs/runbook.md. */
    readonly runbookUrl: string | undefined;
}

/** A stack's alarm on its own Route 53 health check, and who hears it. */
export interface AlarmsArgs extends AlarmText {
    /** The health check whose HealthCheckStatus the alarm watches. */
    readonly healthCheckId: pulumi.Input<string>;
    /** Unique per stack in the account, `<project>-<stack>`: the topic's and the alarm's names start with it. */
    readonly uniqueName: string;
    /** SNS subscriptions on the stack's topic. */
    readonly subscriptions: AlarmSubscription[];
    /** Tags for the topic and the alarm. */
    readonly tags: Record<string, string>;
}

/**
 * The alarm's description, which SNS sends in every notification: the stack, its region, its
 * role and what a failing check means in that role, and the runbook. At most 1024 characters
 * (PutMetricAlarm's AlarmDescription): runbookUrl is capped at 512 and recordName at 64.
 */
export function alarmDescription(a: AlarmText): string {
    const who = `${a.stack} (${a.region}, ${a.role})`;
    const what =
        a.role === "active"
            ? `the region is failing its Route 53 health check; Route 53 is failing ${a.recordName} over to the standby region's record.`
            : `no failover target: the standby region is failing its Route 53 health check, so ${a.recordName} has nowhere to go if the active region fails.`;
    const runbook = a.runbookUrl ?? "docs/runbook.md in the repository that deploys this stack";
    return `${who}: ${what} Runbook: ${runbook}`;
}

/** A stable child-name suffix per subscription: readable, and unique even where two endpoints slug alike. */
export function subscriptionKey(s: AlarmSubscription): string {
    const slug = s.endpoint
        .toLowerCase()
        .replace(/^https:\/\//, "")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 40);
    const hash = createHash("sha256").update(`${s.protocol}:${s.endpoint}`).digest("hex").slice(0, 6);
    return `${s.protocol}-${slug}-${hash}`;
}

/**
 * An SNS topic and its subscriptions: where a stack's alarms in one region go. Unencrypted: the
 * messages carry no secrets, and the AWS-managed aws/sns key would stop CloudWatch publishing
 * (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns).
 */
export function alarmTopic(
    name: string,
    parent: pulumi.Resource,
    args: { topicName: string; subscriptions: AlarmSubscription[]; tags: Record<string, string> },
): aws.sns.Topic {
    const topic = new aws.sns.Topic(`${name}-topic`, { name: args.topicName, tags: { ...args.tags, Name: `${name}-topic` } }, { parent });
    for (const subscription of args.subscriptions) {
        new aws.sns.TopicSubscription(
            `${name}-${subscriptionKey(subscription)}`,
            { topic: topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
            { parent },
        );
    }
    return topic;
}

/**
 * The stack's SNS topic, an alarm on its own health check, and the topic's subscriptions. All
 * live in us-east-1, where the metric is: an alarm can only notify a topic in its own region
 * (PutMetricAlarm refuses another: "Invalid region ... specified",
 * https://github.com/cds-snc/notification-terraform/pull/128), so pass a us-east-1 provider.
 */
export class Alarms extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly alarmName: pulumi.Output<string>;

    constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Alarms", name, {}, opts);

        const topic = alarmTopic(name, this, {
            topicName: `${args.uniqueName}-alarms`,
            subscriptions: args.subscriptions,
            tags: args.tags,
        });

        // HealthCheckStatus is 1 while Route 53 calls the check healthy and 0 once it has failed
        // failureThreshold times, sent once a minute, statistic Minimum, dimension HealthCheckId
        // (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-cloudwatch.html).
        // One minute below 1 is enough: the check's own threshold already filtered blips.
        const alarm = new aws.cloudwatch.MetricAlarm(
            `${name}-health-alarm`,
            {
                name: healthAlarmName(args.uniqueName),
                alarmDescription: alarmDescription(args),
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: args.healthCheckId },
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 1,
                datapointsToAlarm: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                // No data means a deleted or silent health check: never take that as healthy.
                treatMissingData: "breaching",
                alarmActions: [topic.arn],
                // People learn of the recovery too.
                okActions: [topic.arn],
                tags: { ...args.tags, Name: `${name}-health-alarm` },
            },
            { parent: this },
        );

        this.topicArn = topic.arn;
        this.alarmName = alarm.name;
        this.registerOutputs({ topicArn: this.topicArn, alarmName: this.alarmName });
    }
}
