import { strict as assert } from "node:assert";
import { alarmDescription, subscriptionKey } from "../regions/alarms";
import { listStacks } from "../tools/stacks";
import { mockId } from "./support/fixtures";
import { ProgramRun, ResourceRecord, runProgram, stackRun } from "./support/run";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const ALARMS = "multiregion:regions:Alarms";

/** One of each form alarmSubscriptions takes. */
const SUBSCRIPTIONS = [
    "email:ops@example.com",
    "email-json:pager@example.com",
    "sms:+14155550100",
    "https://hooks.example.com/route53",
    "arn:aws:sqs:us-east-1:ACCOUNT:alarms",
    "arn:aws:lambda:eu-west-1:ACCOUNT:function:notify",
];

function usEast1(run: ProgramRun): ResourceRecord {
    return run.resources.get("pulumi:providers:aws", "aws-us-east-1");
}

function topicOf(run: ProgramRun): ResourceRecord {
    return run.resources.get(TOPIC, `${run.stack}-topic`);
}

describe("alarms", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("watches this stack's own health check: HealthCheckStatus in AWS/Route53, its minimum over a minute below 1", async () => {
                const run = await stackRun(stack);
                const alarm = run.resources.get(ALARM, `${stack}-health-alarm`).inputs;
                assert.equal(alarm.name, `multiregion-${stack}-health`);
                assert.equal(alarm.namespace, "AWS/Route53");
                assert.equal(alarm.metricName, "HealthCheckStatus");
                assert.deepEqual(alarm.dimensions, { HealthCheckId: mockId(`${stack}-health`) });
                assert.equal(alarm.dimensions.HealthCheckId, run.outputs.healthCheckId);
                assert.deepEqual([alarm.statistic, alarm.period, alarm.evaluationPeriods, alarm.datapointsToAlarm], ["Minimum", 60, 1, 1]);
                assert.deepEqual([alarm.comparisonOperator, alarm.threshold], ["LessThanThreshold", 1]);
                assert.equal(alarm.treatMissingData, "breaching", "a deleted or silent check must not look healthy");
            });

            it("lives in us-east-1 with its topic, through a provider that guards the stack's account", async () => {
                const run = await stackRun(stack);
                const provider = usEast1(run);
                assert.equal(provider.inputs.region, "us-east-1");
                assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), [run.settings.accountId]);
                for (const r of [run.resources.get(ALARM, `${stack}-health-alarm`), topicOf(run)]) {
                    assert.equal(r.provider, run.resources.providerRef(provider), r.name);
                }
            });

            it("tells the stack's topic on ALARM and on OK, and nothing on missing data, which counts as failing", async () => {
                const run = await stackRun(stack);
                const alarm = run.resources.get(ALARM, `${stack}-health-alarm`).inputs;
                const topic = topicOf(run);
                assert.equal(topic.inputs.name, `multiregion-${stack}-alarms`);
                assert.deepEqual(alarm.alarmActions, [topic.outputs.arn]);
                assert.deepEqual(alarm.okActions, [topic.outputs.arn]);
                assert.equal(alarm.insufficientDataActions, undefined);
                assert.equal(run.outputs.alarmTopicArn, topic.outputs.arn);
            });

            it("names the stack, its region and role, says what a failing check means in that role, and links the runbook", async () => {
                const run = await stackRun(stack);
                const { region, role } = run.settings;
                const record = run.settings.failover.recordName;
                const what =
                    role === "active"
                        ? `the region is failing its Route 53 health check; Route 53 is failing ${record} over to the standby region's record.`
                        : `no failover target: the standby region is failing its Route 53 health check, so ${record} has nowhere to go if the active region fails.`;
                assert.equal(
                    run.resources.get(ALARM, `${stack}-health-alarm`).inputs.alarmDescription,
                    `${stack} (${region}, ${role}): ${what} Runbook: docs/runbook.md in the repository that deploys this stack`,
                );
            });

            it("subscribes nobody by default, and each configured entry once, on the us-east-1 topic", async () => {
                const base = await stackRun(stack);
                assert.deepEqual(base.resources.ofType(SUBSCRIPTION), []);
                const entries = SUBSCRIPTIONS.map((e) => e.replace("ACCOUNT", base.settings.accountId));
                const run = await runProgram(stack, { overrides: { alarmSubscriptions: entries } });
                const subs = run.resources.ofType(SUBSCRIPTION).filter((s) => s.parent === run.resources.get(ALARMS, stack).urn);
                assert.deepEqual(
                    subs.map((s) => [s.inputs.protocol, s.inputs.endpoint]),
                    [
                        ["email", "ops@example.com"],
                        ["email-json", "pager@example.com"],
                        ["sms", "+14155550100"],
                        ["https", "https://hooks.example.com/route53"],
                        ["sqs", entries[4]],
                        ["lambda", entries[5]],
                    ],
                );
                for (const s of subs) {
                    assert.equal(s.inputs.topic, topicOf(run).outputs.arn, s.name);
                    assert.equal(s.provider, run.resources.providerRef(usEast1(run)), s.name);
                }
                assert.equal(new Set(subs.map((s) => s.name)).size, subs.length);
            });
        });
    }

    it("rewords the alarm when a switchover makes the standby active, keeping its name so nothing is replaced", async () => {
        const standby = (await stackRun("prod-eu")).resources.get(ALARM, "prod-eu-health-alarm").inputs;
        const promoted = (await runProgram("prod-eu", { overrides: { role: "active" } })).resources.get(
            ALARM,
            "prod-eu-health-alarm",
        ).inputs;
        assert.equal(promoted.name, standby.name);
        assert.match(standby.alarmDescription, /^prod-eu \(eu-west-1, standby\): no failover target: /);
        assert.match(promoted.alarmDescription, /^prod-eu \(eu-west-1, active\): the region is failing its Route 53 health check; /);
    });

    it("links the runbookUrl when one is set", async () => {
        const url = "https://github.com/acme/multiregion/blob/main/docs/runbook.md#unplanned-the-active-region-fails";
        const run = await runProgram("prod-us", { overrides: { runbookUrl: url } });
        assert.ok(run.resources.get(ALARM, "prod-us-health-alarm").inputs.alarmDescription.endsWith(` Runbook: ${url}`));
    });

    it("shares the stack's own provider when the stack is in us-east-1", async () => {
        const run = await runProgram("prod-us", { overrides: { region: "us-east-1" } });
        const providers = run.resources.ofType("pulumi:providers:aws");
        assert.deepEqual(
            providers.map((p) => p.name),
            ["aws-us-east-1"],
        );
        assert.equal(topicOf(run).provider, run.resources.providerRef(providers[0]!));
    });

    it("keeps the description within CloudWatch's 1024 characters at the longest inputs config allows", () => {
        const text = alarmDescription({
            stack: "s".repeat(100),
            region: "ap-southeast-5",
            role: "standby",
            recordName: `${"a".repeat(52)}.example.com`,
            runbookUrl: `https://example.com/${"r".repeat(492)}`,
        });
        assert.ok(text.length <= 1024, String(text.length));
    });

    it("keys each subscription stably, apart even where two endpoints read alike", () => {
        const a = { protocol: "email", endpoint: "ops.a@example.com" } as const;
        const b = { protocol: "email", endpoint: "ops-a@example.com" } as const;
        assert.equal(subscriptionKey(a), subscriptionKey({ ...a }));
        assert.notEqual(subscriptionKey(a), subscriptionKey(b));
        assert.match(subscriptionKey(a), /^email-ops-a-example-com-[0-9a-f]{6}$/);
    });
});
