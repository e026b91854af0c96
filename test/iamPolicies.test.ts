import { strict as assert } from "node:assert";
import { allowedWithin, evaluate, factsOf, readPolicy, Request, ResourceFacts, serviceOf } from "./support/iamPolicies";
import { Check, checksOf, INVOKE_PERMISSIONS, normalizedName, PASSED_TO, RESOURCE_PERMISSIONS, TypePermissions } from "./support/iamTable";
import { ProgramRun, ResourceRecord, stackRun } from "./support/run";
import { dataRoleArn, WORKLOAD_ROLES, workloadRoleArn, WorkloadRole } from "../facts/workload";
import { fleetOf, listStacks } from "../tools/stacks";

const PREVIEW = readPolicy("preview-policy.json");
/** The deploy policy as docs/iam.md has it installed for this stack's account and record name. */
const deployFor = (run: ProgramRun) =>
    readPolicy("deploy-policy.json", { ACCOUNT_ID: run.settings.accountId, RECORD_NAME: run.settings.failover.recordName });
const boundaryFor = (run: ProgramRun) => readPolicy("deploy-boundary.json", { ACCOUNT_ID: run.settings.accountId });

const awsResources = (run: ProgramRun) => run.resources.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
const request = (facts: ResourceFacts, arn: string, check: Check): Request => ({
    action: check.action,
    resource: check.arn ?? arn,
    // Conditions on the program's tags see the Stack tag every resource carries.
    context: { "aws:ResourceTag/Stack": facts.tags.Stack ?? "", ...check.context },
});
const show = (r: Request) => `${r.action} on ${r.resource} ${JSON.stringify(r.context ?? {})}`;

/** What a resource of a table entry needs from IAM, by phase; nothing to delete when it is protected or retained. */
function requestsFor(entry: TypePermissions, facts: ResourceFacts, kept = false) {
    const arn = entry.arn(facts);
    const of = (steps: TypePermissions["read"]) => checksOf(steps, facts).map((c) => request(facts, arn, c));
    return { read: of(entry.read), write: of(entry.write), remove: kept ? [] : of(entry.remove) };
}

const requestsOf = (run: ProgramRun, record: ResourceRecord) =>
    requestsFor(RESOURCE_PERMISSIONS[record.type]!, factsOf(run, record), record.protect || record.retainOnDelete);

/** A resource no stack has created yet. */
const synthetic = (inputs: Record<string, any> = {}): ResourceFacts => ({
    region: "us-east-1",
    account: "123456789012",
    // The program's alarm and topic names start with the project's name (regions/alarms.ts).
    name: "multiregion-prod-us-x",
    id: "prod-us-x_id",
    tags: { Stack: "multiregion/prod-us" },
    inputs,
    outputs: {},
});

/** The AWS calls behind the invokes the run made. */
const invokeRequests = (run: ProgramRun): Request[] =>
    run.resources.calls.flatMap((t) => INVOKE_PERMISSIONS[t]!.map((c) => ({ action: c.action, resource: c.arn })));

/** Where the role whose mocked ARN is `arn` is passed: the types of the resources whose inputs name it. */
function consumersOf(run: ProgramRun, arn: string): string[] {
    return awsResources(run)
        .filter((r) => JSON.stringify(r.inputs).includes(JSON.stringify(arn)))
        .map((r) => r.type);
}

describe("the CI roles' IAM policies against what the program creates", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("maps every AWS resource type and invoke it makes to IAM; an unmapped one means the policies need a review", async () => {
                const run = await stackRun(stack);
                const types = [...new Set(awsResources(run).map((r) => r.type))];
                assert.ok(types.length >= 20, types.join(" "));
                assert.deepEqual(
                    types.filter((t) => !RESOURCE_PERMISSIONS[t]),
                    [],
                    "add these to test/support/iamTable.ts and to iam/*.json",
                );
                assert.ok(run.resources.calls.length >= 4, run.resources.calls.join(" "));
                assert.deepEqual(
                    run.resources.calls.filter((t) => !INVOKE_PERMISSIONS[t]),
                    [],
                    "add these invokes to test/support/iamTable.ts",
                );
            });

            it("lets the deploy role, within its boundary, make, change, tag and delete all of it, and run its invokes", async () => {
                const run = await stackRun(stack);
                const deploy = deployFor(run);
                const boundary = boundaryFor(run);
                const requests = awsResources(run).flatMap((r) => Object.values(requestsOf(run, r)).flat());
                assert.ok(requests.length > 100);
                assert.deepEqual([...requests, ...invokeRequests(run)].filter((r) => !allowedWithin(deploy, boundary, r)).map(show), []);
            });

            it("lets the preview role read all of it and run its invokes, and change none of it", async () => {
                const run = await stackRun(stack);
                const byPhase = awsResources(run).map((r) => requestsOf(run, r));
                const reads = [...byPhase.flatMap((p) => p.read), ...invokeRequests(run)];
                assert.deepEqual(reads.filter((r) => evaluate(PREVIEW, r) !== "allow").map(show), []);
                const writes = byPhase.flatMap((p) => [...p.write, ...p.remove]).filter((r) => !/:(Describe|Get|List)/.test(r.action));
                assert.ok(writes.length > 50);
                assert.deepEqual(writes.filter((r) => evaluate(PREVIEW, r) === "allow").map(show), []);
            });

            it("passes only the bootstrap's workload roles, each only to the service that takes it", async () => {
                const run = await stackRun(stack);
                const deploy = deployFor(run);
                const boundary = boundaryFor(run);
                for (const role of Object.keys(WORKLOAD_ROLES) as WorkloadRole[]) {
                    const arn = workloadRoleArn(run.settings.accountId, role);
                    const consumers = consumersOf(run, arn);
                    assert.ok(consumers.length > 0, `${role} is passed to nothing`);
                    for (const consumer of consumers) {
                        const service = PASSED_TO[consumer];
                        assert.ok(service, `${role} is passed in ${consumer}: add it to PASSED_TO and review iam:PassedToService`);
                        const pass = (to: string, resource = arn) =>
                            allowedWithin(deploy, boundary, { action: "iam:PassRole", resource, context: { "iam:PassedToService": to } });
                        assert.ok(pass(service), `${role} to ${service}`);
                        const others = ["lambda.amazonaws.com", "ec2.amazonaws.com", ...Object.values(PASSED_TO)].filter(
                            (s) => s !== service,
                        );
                        assert.deepEqual(
                            others.filter((to) => pass(to)),
                            [],
                            `${role} only to ${service}`,
                        );
                        assert.ok(!pass(service, run.settings.cluster.deployRoleArn), "never CI's own role");
                    }
                }
            });

            it("passes the fleet's backend role, in the association, and no other role of the account to Pod Identity", async () => {
                const run = await stackRun(stack);
                const account = run.settings.accountId;
                const pass = (resource: string) =>
                    allowedWithin(deployFor(run), boundaryFor(run), {
                        action: "iam:PassRole",
                        resource,
                        context: { "iam:PassedToService": "pods.eks.amazonaws.com" },
                    });
                const own = dataRoleArn(account, fleetOf(stack));
                assert.deepEqual(consumersOf(run, own), ["aws:eks/podIdentityAssociation:PodIdentityAssociation"]);
                assert.ok(pass(own));
                for (const other of [
                    run.settings.cluster.deployRoleArn,
                    `arn:aws:iam::${account}:role/multiregion-preview`,
                    workloadRoleArn(account, "cluster"),
                    workloadRoleArn(account, "node"),
                    `arn:aws:iam::${account}:role/admin`,
                    `arn:aws:iam::${account}:role/multiregion/other-app`,
                    dataRoleArn("999988887777", fleetOf(stack)),
                ]) {
                    assert.ok(!pass(other), other);
                }
            });

            it("writes only A and CNAME records named for the stack's record, and changes only network resources tagged as the program's", async () => {
                const run = await stackRun(stack);
                const deploy = deployFor(run);
                const boundary = boundaryFor(run);
                const name = normalizedName(run.settings.failover.recordName);
                const change = (record: string, type = "A"): Request => ({
                    action: "route53:ChangeResourceRecordSets",
                    resource: "arn:aws:route53:::hostedzone/Z0123456789EXAMPLE",
                    context: {
                        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [record],
                        "route53:ChangeResourceRecordSetsRecordTypes": [type],
                        "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
                    },
                });
                assert.ok(
                    allowedWithin(deploy, boundary, change(name)) && allowedWithin(deploy, boundary, change(`_0a1b.${name}`, "CNAME")),
                );
                const parent = name.split(".").slice(1).join(".");
                for (const denied of [
                    change(`www.${parent}`),
                    change(parent),
                    change(`other.${name}`),
                    change(name, "MX"),
                    change(name, "NS"),
                ])
                    assert.equal(evaluate(deploy, denied), "implicit", show(denied));
                const own = run.settings.tags.Stack!;
                const network = (action: string, stackTag?: string) =>
                    allowedWithin(deploy, boundary, { action, context: stackTag ? { "aws:ResourceTag/Stack": stackTag } : {} });
                for (const action of [
                    "ec2:DeleteVpc",
                    "ec2:CreateRoute",
                    "ec2:CreateTags",
                    "ec2:ReleaseAddress",
                    "ec2:AssociateRouteTable",
                ]) {
                    assert.ok(network(action, own), `${action} on ${own}`);
                    assert.ok(!network(action, "other-project/prod") && !network(action), `${action} only on the program's`);
                }
            });
        });
    }

    for (const stack of listStacks().filter((s) => s.startsWith("ci-"))) {
        it(`${stack}: lets the rehearsal role's unprotected destroy delete everything (protected too, retained left alone), and nothing tagged prod`, async () => {
            const run = await stackRun(stack);
            // The rehearsal role is the deploy policy for the ci record, under the deploy boundary.
            const deploy = deployFor(run);
            const boundary = boundaryFor(run);
            // `pulumi state unprotect --all` then `pulumi destroy`: protect is gone, retainOnDelete is not.
            const resources = awsResources(run);
            assert.ok(resources.some((r) => r.protect) && resources.some((r) => r.retainOnDelete));
            const destroy = resources.flatMap((r) => {
                const phases = requestsFor(RESOURCE_PERMISSIONS[r.type]!, factsOf(run, r), r.retainOnDelete);
                return [...phases.read, ...phases.remove];
            });
            assert.ok(destroy.some((r) => r.action === "eks:DeleteCluster") && destroy.some((r) => r.action === "ec2:DeleteVpc"));
            assert.deepEqual(destroy.filter((r) => !allowedWithin(deploy, boundary, r)).map(show), []);
            // The secrets key and the roles are the bootstrap's: the destroy touches neither.
            assert.ok(!destroy.some((r) => r.action.startsWith("iam:") || r.action === "kms:ScheduleKeyDeletion"));
        });
    }

    it("covers the types the alarms work adds before any stack creates them", () => {
        const deploy = readPolicy("deploy-policy.json", { ACCOUNT_ID: "123456789012", RECORD_NAME: "app.example.com" });
        const boundary = readPolicy("deploy-boundary.json", { ACCOUNT_ID: "123456789012" });
        for (const type of [
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:sns/topic:Topic",
            "aws:sns/topicSubscription:TopicSubscription",
        ]) {
            const { read, write, remove } = requestsFor(RESOURCE_PERMISSIONS[type]!, synthetic());
            assert.deepEqual([...read, ...write, ...remove].filter((r) => !allowedWithin(deploy, boundary, r)).map(show), [], type);
            assert.deepEqual(read.filter((r) => evaluate(PREVIEW, r) !== "allow").map(show), [], type);
        }
    });

    it("names in each table entry only actions of the entry's service", () => {
        const facts = synthetic({ name: "n", type: "A", accessScope: {}, encryptionConfig: { provider: { keyArn: "k" } } });
        const wrong = Object.entries(RESOURCE_PERMISSIONS).flatMap(([type, e]) =>
            [e.read, e.write, e.remove]
                // Another service's action only on a resource of its own, such as EKS's grant on the key.
                .flatMap((steps) => checksOf(steps, facts).filter((c) => c.arn === undefined && serviceOf(c.action) !== e.service))
                .map((c) => `${type}: ${c.action}`),
        );
        assert.deepEqual(wrong, []);
    });
});
