/**
 * The workload roles and the clusters' secrets keys the bootstrap makes, so CI never makes a role
 * or a key (facts/workload.ts): names the main program derives, fixed trusts, the managed policies
 * EKS documents, the boundary, and one protected, rotating key per cluster in its own region.
 */
import { strict as assert } from "node:assert";
import { clustersOf, listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { secretsKeyAlias, WORKLOAD_ROLES, workloadRoleArn, WorkloadRole } from "../facts/workload";
import { listStacks, loadStack } from "../tools/stacks";
import { ATTACHMENT, bootstrapRun, documentOf, policyNamed, ROLE, ROLE_POLICY } from "./support/bootstrap";
import type { BootstrapRun } from "./support/bootstrap";

const roleOf = (run: BootstrapRun, role: WorkloadRole) => {
    const found = run.resources.ofType(ROLE).filter((r) => r.inputs.name === WORKLOAD_ROLES[role]);
    assert.equal(found.length, 1, role);
    return found[0]!;
};

describe("bootstrap: the workload roles and the clusters' secrets keys", () => {
    for (const stack of listBootstrapStacks()) {
        describe(`bootstrap/Pulumi.${stack}.yaml`, () => {
            it("makes the three roles at /multiregion/, each with the workload boundary, where the main program looks for them", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                for (const role of Object.keys(WORKLOAD_ROLES) as WorkloadRole[]) {
                    const made = roleOf(run, role);
                    assert.equal(made.inputs.path, "/multiregion/");
                    assert.equal(made.inputs.permissionsBoundary, policyNamed(run, "multiregion-workload-boundary").outputs.arn);
                    const arn = `arn:aws:iam::${account}:role${made.inputs.path}${made.inputs.name}`;
                    assert.equal(arn, workloadRoleArn(account, role));
                }
            });

            it("trusts only the service that runs each role, flow logs only for this account's", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                const trust = (role: WorkloadRole) => documentOf(roleOf(run, role)).Statement;
                assert.deepEqual(trust("cluster"), [
                    { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
                ]);
                assert.deepEqual(trust("node"), [
                    { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
                ]);
                assert.deepEqual(trust("flowLogs"), [
                    {
                        Effect: "Allow",
                        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": account },
                            ArnLike: { "aws:SourceArn": `arn:aws:ec2:*:${account}:vpc-flow-log/*` },
                        },
                    },
                ]);
            });

            it("attaches exactly the AWS managed policies Auto Mode documents for the cluster and the nodes", async () => {
                const run = await bootstrapRun(stack);
                const attached = (role: WorkloadRole) =>
                    run.resources
                        .ofType(ATTACHMENT)
                        .filter((a) => a.inputs.role === WORKLOAD_ROLES[role])
                        .map((a) => a.inputs.policyArn.replace("arn:aws:iam::aws:policy/", ""))
                        .sort();
                assert.deepEqual(attached("cluster"), [
                    "AmazonEKSBlockStoragePolicy",
                    "AmazonEKSClusterPolicy",
                    "AmazonEKSComputePolicy",
                    "AmazonEKSLoadBalancingPolicy",
                    "AmazonEKSNetworkingPolicy",
                ]);
                assert.deepEqual(attached("node"), ["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodeMinimalPolicy"]);
                assert.deepEqual(attached("flowLogs"), []);
            });

            it("makes one protected, rotating key per cluster of its fleets, in the cluster's region, under the alias the program looks up", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                const clusters = clustersOf(loadBootstrapStack(stack));
                const config = loadBootstrapStack(stack);
                const expected = listStacks().filter((s) =>
                    [...config.fleets, ...(config.rehearsal ? ["ci"] : [])].includes(s.split("-")[0]!),
                );
                assert.deepEqual(clusters.map((c) => c.name).sort(), expected.map((s) => `multiregion-${s}`).sort());
                assert.ok(clusters.length >= 2);
                const keys = run.resources
                    .ofType("aws:kms/key:Key")
                    .filter((k) => String(k.inputs.description).endsWith("EKS secrets envelope encryption"));
                assert.equal(keys.length, clusters.length);
                for (const stackName of expected) {
                    const name = `multiregion-${stackName}`;
                    const key = keys.find((k) => k.inputs.description.startsWith(`${name} `))!;
                    assert.ok(key, name);
                    assert.equal(key.protect, true);
                    assert.equal(key.inputs.enableKeyRotation, true);
                    assert.equal(key.inputs.deletionWindowInDays, 30);
                    assert.deepEqual(JSON.parse(key.inputs.policy).Statement, [
                        {
                            Sid: "EnableIamPolicies",
                            Effect: "Allow",
                            Principal: { AWS: `arn:aws:iam::${account}:root` },
                            Action: "kms:*",
                            Resource: "*",
                        },
                    ]);
                    const provider = run.resources.byUrn(key.provider.slice(0, key.provider.lastIndexOf("::")))!;
                    assert.equal(provider.inputs.region, loadStack(stackName).region, `${name}'s key is in its cluster's region`);
                    const alias = run.resources.ofType("aws:kms/alias:Alias").find((a) => a.inputs.name === secretsKeyAlias(name))!;
                    assert.ok(alias, secretsKeyAlias(name));
                    assert.equal(alias.inputs.targetKeyId, key.outputs.keyId);
                    assert.equal(alias.provider, key.provider);
                }
            });

            it("lets the cluster role use exactly those keys, and the flow-log role write only flow-log groups", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                const inline = (role: WorkloadRole) =>
                    run.resources
                        .ofType(ROLE_POLICY)
                        .filter((p) => p.inputs.role === WORKLOAD_ROLES[role])
                        .map((p) => documentOf(p).Statement);
                const keys = run.resources
                    .ofType("aws:kms/key:Key")
                    .filter((k) => String(k.inputs.description).endsWith("EKS secrets envelope encryption"));
                const [cluster, ...more] = inline("cluster");
                assert.equal(more.length, 0);
                assert.deepEqual(
                    cluster!.map((st: { Resource: string[] }) => ({ ...st, Resource: [...st.Resource].sort() })),
                    [
                        {
                            Effect: "Allow",
                            Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                            Resource: keys.map((k) => k.outputs.arn).sort(),
                        },
                    ],
                );
                const groups = `arn:aws:logs:*:${account}:log-group:*-flow-logs-*`;
                assert.deepEqual(inline("flowLogs"), [
                    [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                            Resource: [groups, `${groups}:*`],
                        },
                    ],
                ]);
                assert.deepEqual(inline("node"), []);
            });
        });
    }
});
