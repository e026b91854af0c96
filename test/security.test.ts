import { strict as assert } from "node:assert";
import { workloadRoleArn } from "../facts/workload";
import { workloadInlinePolicy } from "../bootstrap/workload";
import { evaluate, PolicyDocument } from "./support/iamPolicies";
import { listStacks } from "../tools/stacks";
import { stackRun } from "./support/run";

describe("what a security review asks for", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("deploys only into the stack's own account, through every AWS provider", async () => {
                const run = await stackRun(stack);
                const providers = run.resources.ofType("pulumi:providers:aws");
                assert.deepEqual(providers.map((p) => p.name).sort(), [`aws-${run.settings.region}`, "aws-us-east-1"].sort());
                for (const provider of providers) {
                    assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), [run.settings.accountId], provider.name);
                }
            });

            it("makes no IAM role, role policy or KMS key: it runs as the bootstrap's, so CI never writes a trust policy or a key policy", async () => {
                const run = await stackRun(stack);
                for (const type of [
                    "aws:iam/role:Role",
                    "aws:iam/rolePolicy:RolePolicy",
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                    "aws:iam/policy:Policy",
                    "aws:kms/key:Key",
                    "aws:kms/alias:Alias",
                    "aws:kms/grant:Grant",
                ]) {
                    assert.deepEqual(run.resources.ofType(type), [], type);
                }
            });

            it("logs every VPC flow, kept for the configured days, through the bootstrap's flow-log role, whose policy names this log group", async () => {
                const run = await stackRun(stack);
                const group = run.resources.get("aws:cloudwatch/logGroup:LogGroup", `${stack}-flow-logs`);
                assert.equal(group.inputs.retentionInDays, run.settings.logRetentionDays);
                const flowLog = run.resources.get("aws:ec2/flowLog:FlowLog", `${stack}-flow-log`).inputs;
                assert.deepEqual(
                    [
                        flowLog.vpcId,
                        flowLog.trafficType,
                        flowLog.logDestinationType,
                        flowLog.logDestination,
                        flowLog.maxAggregationInterval,
                        flowLog.iamRoleArn,
                    ],
                    [
                        `${stack}-vpc_id`,
                        "ALL",
                        "cloud-watch-logs",
                        group.outputs.arn,
                        60,
                        workloadRoleArn(run.settings.accountId, "flowLogs"),
                    ],
                );
                // Auto-named as Pulumi does: the logical name and a random suffix.
                const physical = `arn:aws:logs:${run.settings.region}:${run.settings.accountId}:log-group:${stack}-flow-logs-0a1b2c3`;
                const write = workloadInlinePolicy("flowLogs", run.settings.accountId, []) as PolicyDocument;
                assert.equal(evaluate(write, { action: "logs:PutLogEvents", resource: `${physical}:log-stream:eni-0123` }), "allow");
                assert.equal(
                    evaluate(write, {
                        action: "logs:PutLogEvents",
                        resource: `arn:aws:logs:${run.settings.region}:${run.settings.accountId}:log-group:/aws/eks/x/cluster:log-stream:a`,
                    }),
                    "implicit",
                );
            });
        });
    }
});
