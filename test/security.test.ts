import { strict as assert } from "node:assert";
import { workloadBoundaryArn } from "../regions/cluster/iam";
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

            it("gives every IAM role it creates the workload boundary of its own account", async () => {
                const run = await stackRun(stack);
                const roles = run.resources.ofType("aws:iam/role:Role");
                assert.deepEqual(roles.map((r) => r.name).sort(), [
                    `${stack}-auto-node-role`,
                    `${stack}-cluster-role`,
                    `${stack}-flow-logs-role`,
                ]);
                const expected = `arn:aws:iam::${run.settings.accountId}:policy/multiregion-ci/multiregion-workload-boundary`;
                assert.equal(workloadBoundaryArn(run.settings.accountId), expected);
                for (const role of roles) assert.equal(role.inputs.permissionsBoundary, expected, role.name);
            });

            it("logs every VPC flow, kept for the configured days, through a role only this account's flow logs can assume", async () => {
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
                    ],
                    [`${stack}-vpc_id`, "ALL", "cloud-watch-logs", group.outputs.arn, 60],
                );
                const role = run.resources.get("aws:iam/role:Role", `${stack}-flow-logs-role`);
                assert.equal(flowLog.iamRoleArn, role.outputs.arn);
                const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
                assert.equal(trust.Principal.Service, "vpc-flow-logs.amazonaws.com");
                assert.deepEqual(trust.Condition, {
                    StringEquals: { "aws:SourceAccount": run.settings.accountId },
                    ArnLike: { "aws:SourceArn": `arn:aws:ec2:${run.settings.region}:${run.settings.accountId}:vpc-flow-log/*` },
                });
                const write = JSON.parse(run.resources.get("aws:iam/rolePolicy:RolePolicy", `${stack}-flow-logs-write`).inputs.policy)
                    .Statement[0];
                assert.deepEqual(write.Resource, [group.outputs.arn, `${group.outputs.arn}:*`], "only its own log group");
            });

            it("encrypts Kubernetes secrets with a key that has an explicit policy, an alias, rotation, and protection from deletion", async () => {
                const run = await stackRun(stack);
                const key = run.resources.get("aws:kms/key:Key", `${stack}-secrets-key`);
                assert.equal(key.protect, true);
                assert.equal(key.inputs.deletionWindowInDays, 30);
                assert.equal(key.inputs.enableKeyRotation, true);
                assert.deepEqual(JSON.parse(key.inputs.policy).Statement, [
                    {
                        Sid: "EnableIamPolicies",
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${run.settings.accountId}:root` },
                        Action: "kms:*",
                        Resource: "*",
                    },
                ]);
                const alias = run.resources.get("aws:kms/alias:Alias", `${stack}-secrets-key`).inputs;
                assert.equal(alias.name, `alias/multiregion-${stack}-eks-secrets`);
                assert.equal(alias.targetKeyId, key.outputs.keyId);
            });
        });
    }
});
