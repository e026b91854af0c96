/**
 * verify's Route 53 and alarm claims, each PASS, FAIL and UNKNOWN, with the real Route 53 and
 * CloudWatch clients against the fake on loopback; and the standby's record, and a stack
 * whose record is withdrawn, from their own stack files.
 */
import { strict as assert } from "node:assert";
import { copyStackFiles, editStackFile } from "./support/fixtures";
import { accessDenied } from "./support/fakeAws";
import { NOW } from "./support/fakeAwsWorld";
import { claimCases, deny, each, freshWorld, VerifyWorld } from "./support/verifyRun";

const CHECK = ["type", "port", "sni", "path", "interval", "threshold", "regions", "target", "inverted"].map((f) => `r53.check.${f}`);
const RECORD = ["r53.record.type", "r53.record.role", "r53.record.target"];
const ALARM = ["alarm.exists", "alarm.state"];

claimCases("verify: Route 53 and the alarm, PASS on a good deploy and FAIL where it differs", [
    { name: "a good deploy: every claim PASSes", setup: () => {}, expect: each([...CHECK, ...RECORD, ...ALARM], "PASS") },
    { name: "an HTTP check", setup: (v) => (v.us.check.type = "HTTP"), expect: { "r53.check.type": "FAIL" } },
    { name: "a check on port 80", setup: (v) => (v.us.check.port = 80), expect: { "r53.check.port": "FAIL" } },
    { name: "a check without SNI", setup: (v) => (v.us.check.sni = false), expect: { "r53.check.sni": "FAIL" } },
    { name: "a check on another path", setup: (v) => (v.us.check.path = "/readyz"), expect: { "r53.check.path": "FAIL" } },
    { name: "a check every 30 s", setup: (v) => (v.us.check.interval = 30), expect: { "r53.check.interval": "FAIL" } },
    { name: "a check failing after 5", setup: (v) => (v.us.check.threshold = 5), expect: { "r53.check.threshold": "FAIL" } },
    {
        name: "checkers in three regions where the stack file asks for the defaults",
        setup: (v) => (v.us.check.regions = ["us-east-1", "us-west-2", "eu-west-1"]),
        expect: { "r53.check.regions": "FAIL" },
    },
    {
        name: "a check on another load balancer",
        setup: (v) => (v.us.check.fqdn = "old.elb.amazonaws.com"),
        expect: { "r53.check.target": "FAIL" },
    },
    { name: "a check a drill left inverted", setup: (v) => (v.us.check.inverted = true), expect: { "r53.check.inverted": "FAIL" } },
    { name: "a CNAME where the stack file says alias", setup: (v) => (v.us.record.type = "CNAME"), expect: { "r53.record.type": "FAIL" } },
    {
        name: "the active stack's record SECONDARY",
        setup: (v) => (v.us.record.failover = "SECONDARY"),
        expect: { "r53.record.role": "FAIL" },
    },
    {
        name: "the record pointing at the other region",
        setup: (v) => (v.us.record.target = v.eu.record.target),
        expect: { "r53.record.target": "FAIL" },
    },
    {
        name: "the record checked by another check",
        setup: (v) => (v.us.record.healthCheckId = "hc-old"),
        expect: { "r53.record.target": "FAIL" },
    },
    {
        name: "no record for the stack",
        setup: (v) => (v.fake.world.zone.records = [v.eu.record]),
        expect: each(RECORD, "FAIL"),
        why: /no PRIMARY record app\.example\.com with set identifier prod-us/,
    },
    {
        name: "no alarm",
        setup: (v) => (v.fake.world.regions["us-east-1"]!.alarms = []),
        expect: { "alarm.exists": "FAIL", "alarm.state": "UNKNOWN" },
        why: /no alarm named multiregion-prod-us-health/,
    },
    { name: "the alarm on another check", setup: (v) => (v.us.alarm.healthCheckId = "hc-old"), expect: { "alarm.exists": "FAIL" } },
    { name: "the alarm in ALARM", setup: (v) => (v.us.alarm.state = "ALARM"), expect: { "alarm.state": "FAIL" }, why: /scripted ALARM/ },
    {
        name: "a new alarm in ALARM, in its first minutes",
        setup: (v) => Object.assign(v.us.alarm, { state: "ALARM", configuredAt: NOW - 4 * 60_000 }),
        expect: { "alarm.state": "UNKNOWN" },
        why: /created or changed 4 min ago; it settles within 15/,
    },
]);

claimCases("verify: Route 53 and the alarm, UNKNOWN when nothing can be read", [
    {
        name: "AWS refuses GetHealthCheck",
        setup: deny("GetHealthCheck"),
        expect: each(CHECK, "UNKNOWN"),
        why: /GetHealthCheck hc-prod-us refused/,
    },
    {
        name: "the health check does not exist",
        setup: (v) => (v.fake.world.checks = [v.eu.check]),
        expect: each(CHECK, "UNKNOWN"),
        why: /found nothing: NoSuchHealthCheck/,
    },
    {
        name: "no healthCheckId output",
        setup: (v) => delete v.outputs["prod-us"]!.healthCheckId,
        expect: each([...CHECK, ...RECORD, ...ALARM], "UNKNOWN"),
        why: /no healthCheckId output/,
    },
    {
        name: "AWS refuses ListHostedZonesByName",
        setup: deny("ListHostedZonesByName"),
        expect: each(RECORD, "UNKNOWN"),
        why: /AccessDenied/,
    },
    { name: "AWS refuses ListResourceRecordSets", setup: deny("ListResourceRecordSets"), expect: each(RECORD, "UNKNOWN"), why: /refused/ },
    {
        name: "AWS refuses DescribeAlarms",
        setup: deny("DescribeAlarms"),
        expect: each(ALARM, "UNKNOWN"),
        why: /DescribeAlarms in us-east-1 refused/,
    },
    {
        name: "the alarm has too little data",
        setup: (v) => (v.us.alarm.state = "INSUFFICIENT_DATA"),
        expect: { "alarm.state": "UNKNOWN" },
        why: /too little data/,
    },
]);

describe("verify: the record follows the stack file", () => {
    const world = freshWorld();
    let v: VerifyWorld;
    beforeEach(() => (v = world()));

    it("the standby's record is SECONDARY, its alarm and check its own, in us-east-1 though it runs in eu-west-1", async () => {
        const r = await v.run(["--stack", "prod-eu"]);
        assert.equal(r.code, 0, r.out);
        assert.equal(r.claims["r53.record.role"]!.observed, "SECONDARY");
        assert.equal(r.claims["alarm.exists"]!.observed, "multiregion-prod-eu-health in us-east-1 on HealthCheckId hc-prod-eu");
        assert.deepEqual([...new Set(v.fake.calls.filter((c) => c.op === "DescribeAlarms").map((c) => c.region))], ["us-east-1"]);
    });

    it("a stack that withdraws its record (failoverRecord false) expects none: PASS without, FAIL with", async () => {
        const root = copyStackFiles(["prod-us", "prod-eu"]);
        editStackFile(root, "prod-us", (t) => t.replace(/failoverRecord: true/, "failoverRecord: false"));
        const present = await v.run(["--stack", "prod-us"], root);
        assert.deepEqual([present.claims["r53.record.published"]?.status, present.claims["r53.record.role"]], ["FAIL", undefined]);
        v.fake.world.zone.records = [v.eu.record];
        assert.equal((await v.run(["--stack", "prod-us"], root)).claims["r53.record.published"]?.status, "PASS");
    });

    it("checker regions the stack file names pass when Route 53 has exactly those", async () => {
        const root = copyStackFiles(["prod-us", "prod-eu"]);
        editStackFile(root, "prod-us", (t) =>
            t.replace(/healthCheckRegions: \[\]/, "healthCheckRegions: [us-east-1, us-west-2, eu-west-1]"),
        );
        v.us.check.regions = ["us-west-2", "eu-west-1", "us-east-1"];
        assert.equal((await v.run(["--stack", "prod-us"], root)).claims["r53.check.regions"]?.status, "PASS");
        v.fake.fail = (c) => (c.op === "GetHealthCheck" ? accessDenied(c.service) : undefined);
        assert.equal((await v.run(["--stack", "prod-us"], root)).claims["r53.check.regions"]?.status, "UNKNOWN");
    });
});
