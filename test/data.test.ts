/**
 * The data tier in each region's stack (#19): the backend's Pod Identity association, its service
 * account, the DynamoDB gateway endpoint, and the replication alarms, one per other replica of the
 * fleet's table, for every stack file; and the preflight that refuses a region without a replica.
 */
import { strict as assert } from "node:assert";
import * as vm from "node:vm";
import * as pulumi from "@pulumi/pulumi";
import { dataRoleArn } from "../facts/workload";
import { fleetOf, fleetStacks, listStacks, loadStack } from "../tools/stacks";
import { ASSOCIATION_SETTLES_SECONDS, settleProvider } from "../regions/data";
import { whyMissing } from "../regions/preflight";
import { rejectionOf } from "./support/assertions";
import { createdResources } from "./support/fixtures";
import { ProgramError, ProgramRun, runProgram, stackRun } from "./support/run";

const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

/** The regions of the stack's fleet other than its own, from the stack files. */
const peersOf = (stack: string) =>
    fleetStacks(stack)
        .filter((s) => s !== stack)
        .map((s) => loadStack(s).region)
        .sort();

const regional = (run: ProgramRun) => run.resources.providerRef(run.resources.get("pulumi:providers:aws", `aws-${run.settings.region}`));
const replicationAlarms = (run: ProgramRun) => run.resources.ofType(ALARM).filter((a) => a.inputs.metricName === "ReplicationLatency");

describe("the data tier in each region", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("maps the backend's service account to the fleet's role, in this region's cluster, through the regional provider", async () => {
                const run = await stackRun(stack);
                const association = run.resources.get(ASSOCIATION, `${stack}-backend-identity`);
                assert.equal(association.inputs.clusterName, run.outputs.clusterName);
                assert.equal(association.inputs.namespace, "sample-app");
                assert.equal(association.inputs.serviceAccount, "sample-app-backend");
                assert.equal(association.inputs.roleArn, dataRoleArn(run.settings.accountId, fleetOf(stack)));
                assert.equal(association.provider, regional(run));
            });

            it("runs the backend, and only the backend, as that service account, with no API token, once the association has settled", async () => {
                const run = await stackRun(stack);
                const account = run.resources.get("kubernetes:core/v1:ServiceAccount", `${stack}-backend-identity`).inputs;
                assert.deepEqual(account.metadata, { name: "sample-app-backend", namespace: "sample-app" });
                // Pod Identity's token is a projected volume of its own; the API token is not needed.
                assert.equal(account.automountServiceAccountToken, false);
                const deployment = (tier: string) => run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-${tier}-deployment`);
                assert.equal(deployment("backend").inputs.spec.template.spec.serviceAccountName, "sample-app-backend");
                assert.equal(deployment("frontend").inputs.spec.template.spec.serviceAccountName, undefined);
                // The pods wait for the association to settle, and the wait restarts with a new one.
                const settles = run.resources.get("pulumi-nodejs:dynamic/multiregion:AssociationSettle", `${stack}-identity-settles`);
                const association = run.resources.get(ASSOCIATION, `${stack}-backend-identity`);
                assert.equal(settles.inputs.seconds, ASSOCIATION_SETTLES_SECONDS);
                assert.equal(settles.inputs.key, association.outputs.associationId);
                assert.ok(deployment("backend").dependencies.includes(settles.urn));
                assert.ok(!deployment("frontend").dependencies.includes(settles.urn));
                assert.equal(run.outputs.dataTable, run.settings.data.table);
            });

            it("routes the table's traffic through a free gateway endpoint from every private route table, none public", async () => {
                const run = await stackRun(stack);
                const endpoint = run.resources.get(ENDPOINT, `${stack}-dynamodb-endpoint`);
                assert.equal(endpoint.inputs.serviceName, `com.amazonaws.${run.settings.region}.dynamodb`);
                assert.equal(endpoint.inputs.vpcEndpointType, "Gateway");
                assert.equal(endpoint.inputs.vpcId, run.outputs.vpcId);
                const tables = run.resources.ofType("aws:ec2/routeTable:RouteTable");
                const privateIds = tables.filter((t) => t.name.includes("-private-rt-")).map((t) => t.id);
                assert.equal(privateIds.length, run.settings.network.azCount);
                assert.deepEqual([...endpoint.inputs.routeTableIds].sort(), privateIds.sort());
                assert.equal(endpoint.provider, regional(run));
            });

            it("alarms on ReplicationLatency from here to each other replica, in this region, through a topic here", async () => {
                const run = await stackRun(stack);
                const alarms = replicationAlarms(run);
                const peers = peersOf(stack);
                assert.ok(peers.length >= 1);
                assert.deepEqual(alarms.map((a) => a.inputs.dimensions.ReceivingRegion).sort(), peers);
                const topic = run.resources.get(TOPIC, `${stack}-data-topic`);
                assert.equal(topic.inputs.name, `multiregion-${stack}-data-alarms`);
                assert.equal(run.outputs.dataAlarmTopicArn, topic.outputs.arn);
                for (const a of alarms) {
                    const peer = a.inputs.dimensions.ReceivingRegion;
                    assert.equal(a.name, `${stack}-replication-${peer}`);
                    assert.equal(a.inputs.name, `multiregion-${stack}-replication-to-${peer}`);
                    assert.deepEqual(a.inputs.dimensions, { TableName: run.settings.data.table, ReceivingRegion: peer });
                    assert.deepEqual([a.inputs.namespace, a.inputs.statistic, a.inputs.period], ["AWS/DynamoDB", "Average", 300]);
                    assert.deepEqual([a.inputs.evaluationPeriods, a.inputs.datapointsToAlarm], [3, 2]);
                    assert.deepEqual(
                        [a.inputs.comparisonOperator, a.inputs.threshold],
                        ["GreaterThanThreshold", run.settings.data.latencyAlarmMs],
                    );
                    // An idle table publishes nothing, and is not lagging.
                    assert.equal(a.inputs.treatMissingData, "notBreaching");
                    assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions], [[topic.outputs.arn], [topic.outputs.arn]]);
                    assert.match(
                        a.inputs.alarmDescription,
                        new RegExp(`^${stack} \\(${run.settings.region}, ${run.settings.role}\\): writes to `),
                    );
                    for (const r of [a, topic]) assert.equal(r.provider, regional(run), r.name);
                }
            });
        });
    }

    it("subscribes the data topic to every configured entry once, as the health-check topic is", async () => {
        const entries = ["email:ops@example.com", "https://hooks.example.com/data"];
        const run = await runProgram("prod-eu", { overrides: { alarmSubscriptions: entries } });
        const topic = run.resources.get(TOPIC, "prod-eu-data-topic");
        const subs = run.resources.ofType(SUBSCRIPTION).filter((s) => s.inputs.topic === topic.outputs.arn);
        assert.deepEqual(
            subs.map((s) => [s.inputs.protocol, s.inputs.endpoint]),
            [
                ["email", "ops@example.com"],
                ["https", "https://hooks.example.com/data"],
            ],
        );
    });

    it("takes the alarms' peers from the table's replicas as AWS lists them, a third region included", async () => {
        const run = await runProgram("prod-us", { tableRegions: ["us-east-2", "eu-west-1", "ap-southeast-1"] });
        assert.deepEqual(
            replicationAlarms(run)
                .map((a) => a.inputs.dimensions.ReceivingRegion)
                .sort(),
            ["ap-southeast-1", "eu-west-1"],
        );
        assert.deepEqual(run.outputs.dataPeerRegions, ["ap-southeast-1", "eu-west-1"]);
    });

    it("waits again for a new association and never for an unchanged one, as the copy Pulumi stores runs it", async () => {
        // The provider plugin runs the serialized text in the state, not this module: load that.
        const text = await pulumi.runtime.serializeFunction(() => settleProvider);
        assert.doesNotMatch(text.text, /require\(/, "self-contained");
        const exported: { handler?: () => pulumi.dynamic.ResourceProvider } = {};
        (vm.runInThisContext(`(function (exports) {\n${text.text}\n})`) as (e: typeof exported) => void)(exported);
        const stored = exported.handler!();
        const diff = stored.diff!;
        assert.deepEqual(await diff("a-1", { key: "a-1", seconds: 60 }, { key: "a-1", seconds: 60 }), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        assert.deepEqual((await diff("a-1", { key: "a-1" }, { key: "a-2" })).replaces, ["key"]);
        const started = Date.now();
        assert.deepEqual(await stored.create({ key: "a-2", seconds: 0.05 }), { id: "a-2", outs: { key: "a-2", seconds: 0.05 } });
        assert.ok(Date.now() - started >= 45, `${Date.now() - started} ms`);
    });

    it("keeps no state without a table: no association, no TABLE_NAME, no replication alarm", async () => {
        const run = await runProgram("prod-us", { overrides: { dataTable: "" } });
        assert.deepEqual(run.resources.ofType(ASSOCIATION), []);
        assert.deepEqual(replicationAlarms(run), []);
        assert.equal(run.outputs.dataTable, undefined);
        const env = run.resources.get("kubernetes:apps/v1:Deployment", "prod-us-backend-deployment").inputs.spec.template.spec.containers[0]
            .env;
        assert.ok(!env.some((e: { name: string }) => e.name === "TABLE_NAME"));
        // The endpoint is free and harmless; it stays so a table can be added without touching the network.
        assert.equal(run.resources.ofType(ENDPOINT).length, 1);
    });

    it("refuses, before creating anything, a region where the table has no replica, naming the table and the region", async () => {
        const err = await rejectionOf(runProgram("prod-eu", { tableRegions: ["us-east-2"] }));
        assert.ok(err instanceof ProgramError);
        assert.match(err.message, /lacks a replica of the table multiregion-prod-data in eu-west-1: run pulumi up in bootstrap\//);
        assert.deepEqual(createdResources(err.resources), []);
    });

    it("names AWS's reason when a lookup failed for another reason than absence, on one line", () => {
        const denied = new Error(
            "invocation of aws:dynamodb/getTable:getTable returned an error: invoking aws:dynamodb/getTable:getTable: 1 error occurred:\n" +
                "\t* reading DynamoDB Table (multiregion-prod-data): operation error DynamoDB: DescribeTable, https response error StatusCode: 400, api error AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/multiregion-deploy/x is not authorized to perform: dynamodb:DescribeTable\n",
        );
        assert.equal(
            whyMissing("a replica of the table t in eu-west-1", denied),
            "a replica of the table t in eu-west-1 (reading DynamoDB Table (multiregion-prod-data): operation error DynamoDB: DescribeTable, https response error StatusCode: 400, api error AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/multiregion-deploy/x is not authorized to perform: dynamodb:DescribeTable)",
        );
        const absent = new Error("invoking aws:iam/getRole:getRole: 1 error occurred:\n\t* reading IAM Role (x): couldn't find resource");
        assert.equal(whyMissing("the role x", absent), "the role x");
        assert.equal(whyMissing("the role x", new Error("")), "the role x");
    });

    it("refuses a dataTable DynamoDB would not take, naming the key", async () => {
        for (const bad of ["ab", "has space", "x".repeat(256), "a/b"]) {
            const err = await rejectionOf(runProgram("prod-us", { overrides: { dataTable: bad } }));
            assert.match(String(err), /multiregion:dataTable/, bad);
            assert.match(String(err), /3 to 255 of a-z A-Z 0-9 _ \. -/, bad);
        }
    });
});
