/**
 * verify's version claims (EKS) and data claims (DynamoDB, CloudWatch), each PASS, FAIL and
 * UNKNOWN, with the real clients against the fake on loopback; and a stack with no table.
 */
import { strict as assert } from "node:assert";
import { copyStackFiles, editStackFile } from "./support/fixtures";
import { NOW, TABLE } from "./support/fakeAwsWorld";
import { claimCases, deny, each, freshWorld, VerifyWorld } from "./support/verifyRun";

const EKS = ["eks.version", "eks.supportType", "eks.support", "eks.dns"];
const ADDON = "eks.addon.metrics-server";
const DATA = ["data.replicas", "data.deletionProtection", "data.latency.eu-west-1"];

claimCases("verify: versions, PASS on a good deploy and FAIL where they differ", [
    { name: "a good deploy: every claim PASSes", setup: () => {}, expect: each([...EKS, ADDON], "PASS") },
    {
        name: "the cluster on another version than the stack file's",
        setup: (v) => (v.us.cluster.version = "1.34"),
        expect: { "eks.version": "FAIL" },
    },
    {
        name: "extended support where the stack file says STANDARD",
        setup: (v) => (v.us.cluster.supportType = "EXTENDED"),
        expect: { "eks.supportType": "FAIL" },
    },
    {
        name: "1.32 on STANDARD, past its end of standard support (2026-03-23)",
        setup: (v) => (v.us.cluster.version = "1.32"),
        expect: { "eks.version": "FAIL", "eks.support": "FAIL" },
        why: /past the end of standard support|differs/,
    },
    {
        name: "1.32 on EXTENDED passes the support window until 2027-03-23",
        setup: (v) => Object.assign(v.us.cluster, { version: "1.32", supportType: "EXTENDED" }),
        expect: { "eks.version": "FAIL", "eks.supportType": "FAIL" },
    },
    {
        name: "the other default service range: DNS at 10.100.0.10, which the policies also open",
        setup: (v) => (v.us.cluster.serviceRange = "10.100.0.0/16"),
        expect: {},
    },
    {
        name: "a service range the policies do not open DNS to",
        setup: (v) => (v.us.cluster.serviceRange = "10.96.0.0/12"),
        expect: { "eks.dns": "FAIL" },
        why: /DNS egress allows only 10.100.0.10\/32 and 172.20.0.10\/32/,
    },
    {
        name: "an IPv6 cluster: no IPv4 service range to read",
        setup: (v) => (v.us.cluster.serviceRange = ""),
        expect: { "eks.dns": "UNKNOWN" },
        why: /no IPv4 service range/,
    },
    {
        name: "metrics-server on another version than its pin",
        setup: (v) => (v.us.cluster.addons["metrics-server"]!.version = "v0.7.2-eksbuild.1"),
        expect: { [ADDON]: "FAIL" },
    },
    {
        name: "metrics-server degraded",
        setup: (v) => (v.us.cluster.addons["metrics-server"]!.status = "DEGRADED"),
        expect: { [ADDON]: "FAIL" },
    },
]);

claimCases("verify: versions, UNKNOWN when nothing can be read", [
    {
        name: "AWS refuses DescribeCluster",
        setup: deny("DescribeCluster"),
        expect: each(EKS, "UNKNOWN"),
        why: /DescribeCluster multiregion-prod-us refused: AccessDeniedException/,
    },
    { name: "AWS refuses DescribeAddon", setup: deny("DescribeAddon"), expect: { [ADDON]: "UNKNOWN" }, why: /refused/ },
    {
        name: "no such cluster",
        setup: (v) => (v.us.region.clusters = []),
        expect: each([...EKS, ADDON], "UNKNOWN"),
        why: /found nothing: ResourceNotFoundException/,
    },
    {
        name: "no metrics-server add-on",
        setup: (v) => delete v.us.cluster.addons["metrics-server"],
        expect: { [ADDON]: "UNKNOWN" },
        why: /found nothing/,
    },
    {
        name: "no clusterName output",
        setup: (v) => delete v.outputs["prod-us"]!.clusterName,
        expect: each([...EKS, ADDON], "UNKNOWN"),
        why: /no clusterName output/,
    },
    {
        name: "a version the calendar does not list",
        setup: (v) => (v.us.cluster.version = "1.36"),
        expect: { "eks.version": "FAIL", "eks.support": "UNKNOWN" },
        why: /not in the calendar|differs/,
    },
]);

claimCases("verify: the data tier, PASS on a good deploy and FAIL where it differs", [
    { name: "a good deploy: every claim PASSes", setup: () => {}, expect: each(DATA, "PASS") },
    {
        name: "the peer's replica not ACTIVE",
        setup: (v) => (v.us.table.replicas["eu-west-1"] = "UPDATING"),
        expect: { "data.replicas": "FAIL" },
    },
    { name: "no replica in the peer region", setup: (v) => delete v.us.table.replicas["eu-west-1"], expect: { "data.replicas": "FAIL" } },
    {
        name: "this region's replica not ACTIVE (its TableStatus)",
        setup: (v) => (v.us.table.replicas["us-east-2"] = "UPDATING"),
        expect: { "data.replicas": "FAIL" },
    },
    {
        name: "deletion protection off",
        setup: (v) => (v.us.table.deletionProtection = false),
        expect: { "data.deletionProtection": "FAIL" },
    },
    {
        name: "replication averaging at the alarm's threshold",
        setup: (v) => (v.us.region.latency[`${TABLE} eu-west-1`] = [{ average: 60_000, samples: 4 }]),
        expect: { "data.latency.eu-west-1": "FAIL" },
        why: /at or above 60000 ms/,
    },
]);

claimCases("verify: the data tier, UNKNOWN when nothing can be read", [
    {
        name: "AWS refuses DescribeTable",
        setup: deny("DescribeTable"),
        expect: each(["data.replicas", "data.deletionProtection"], "UNKNOWN"),
        why: /refused/,
    },
    {
        name: "no such table",
        setup: (v) => (v.us.region.tables = []),
        expect: each(["data.replicas", "data.deletionProtection"], "UNKNOWN"),
        why: /found nothing: ResourceNotFoundException/,
    },
    {
        name: "AWS refuses GetMetricStatistics",
        setup: deny("GetMetricStatistics"),
        expect: { "data.latency.eu-west-1": "UNKNOWN" },
        why: /refused/,
    },
    {
        name: "no writes in the window",
        setup: (v) => (v.us.region.latency = {}),
        expect: { "data.latency.eu-west-1": "UNKNOWN" },
        why: /^no writes in 15 minutes$/,
    },
    {
        name: "no dataTable output",
        setup: (v) => delete v.outputs["prod-us"]!.dataTable,
        expect: { "data.replicas": "UNKNOWN", "data.deletionProtection": "UNKNOWN", "data.latency": "UNKNOWN" },
        why: /no dataTable output/,
    },
]);

describe("verify: how the data claims read", () => {
    const world = freshWorld();
    let v: VerifyWorld;
    beforeEach(() => (v = world()));

    it("averages ReplicationLatency over the last 15 minutes in this region, per receiving region, weighted by samples", async () => {
        const r = await v.run(["--stack", "prod-us"]);
        // (900 x 10 + 1200 x 30) / 40
        assert.equal(r.claims["data.latency.eu-west-1"]!.observed, "1125 ms");
        const call = v.fake.calls.find((c) => c.op === "GetMetricStatistics")!;
        assert.equal(call.region, "us-east-2");
        assert.deepEqual(
            { ...call.input, StartTime: (call.input.EndTime as number) - (call.input.StartTime as number) },
            {
                Namespace: "AWS/DynamoDB",
                MetricName: "ReplicationLatency",
                Dimensions: [
                    { Name: "TableName", Value: TABLE },
                    { Name: "ReceivingRegion", Value: "eu-west-1" },
                ],
                StartTime: 15 * 60,
                EndTime: NOW / 1000,
                Period: 300,
                Statistics: ["Average", "SampleCount"],
            },
        );
    });

    it("a stack with no table makes no data claims and no data calls", async () => {
        const root = copyStackFiles(["prod-us", "prod-eu"]);
        editStackFile(root, "prod-us", (t) => t.replace(/dataTable: \S+/, 'dataTable: ""'));
        delete v.outputs["prod-us"]!.dataTable;
        delete v.outputs["prod-us"]!.dataPeerRegions;
        const r = await v.run(["--stack", "prod-us"], root);
        assert.equal(r.code, 0, r.out);
        assert.deepEqual(
            Object.keys(r.claims).filter((id) => id.startsWith("data.")),
            [],
        );
        assert.deepEqual(
            v.fake.calls.filter((c) => c.service === "dynamodb" || c.op === "GetMetricStatistics"),
            [],
        );
    });
});
