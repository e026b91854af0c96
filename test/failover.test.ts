import { strict as assert } from "node:assert";
import { StackConfig } from "../config";
import { stackConfig } from "../tools/cli";
import { crossStackProblems, regionStacks } from "../tools/fleet";
import { listStacks } from "../tools/stackConfig";
import { EXAMPLE_ZONE, LB_ZONE_IDS, nlbHostname } from "./support/mocks";
import { rejectionOf } from "./support/assertions";
import { ProgramError, ProgramRun, runProgram, stackRun } from "./support/run";

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";

function frontendHostname(run: ProgramRun): string {
    return nlbHostname("sample-app-frontend-service", run.config["multiregion:region"]!);
}

async function failure(promise: Promise<unknown>): Promise<ProgramError> {
    const err = await rejectionOf(promise);
    assert.ok(err instanceof ProgramError, String(err));
    return err;
}

describe("failover", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("health-checks its own region's load balancer on the deep /health, never the failover name", async () => {
                const run = await stackRun(stack);
                const check = run.resources.get(HEALTH_CHECK, `${stack}-health`).inputs;
                assert.equal(check.type, "HTTP");
                assert.equal(check.fqdn, frontendHostname(run));
                assert.notEqual(check.fqdn, run.config["multiregion:recordName"]);
                assert.equal(check.port, 80);
                assert.equal(check.resourcePath, "/health");
                assert.equal(check.requestInterval, 10);
                assert.equal(check.failureThreshold, 3);
                assert.equal(check.regions, undefined, "Route 53's default checker regions");
            });

            it("publishes a failover alias A record: same name, its stack as set identifier, PRIMARY only when active", async () => {
                const run = await stackRun(stack);
                const record = run.resources.get(RECORD, `${stack}-record`).inputs;
                const region = run.config["multiregion:region"]!;
                assert.equal(record.zoneId, EXAMPLE_ZONE.zoneId);
                assert.equal(record.name, "app.example.com");
                assert.equal(record.type, "A");
                assert.equal(record.setIdentifier, stack);
                assert.deepEqual(record.failoverRoutingPolicies, [
                    { type: run.config["multiregion:role"] === "active" ? "PRIMARY" : "SECONDARY" },
                ]);
                assert.equal(record.healthCheckId, `${stack}-health_id`);
                assert.deepEqual(record.aliases, [
                    { name: frontendHostname(run), zoneId: LB_ZONE_IDS.network[region], evaluateTargetHealth: true },
                ]);
                assert.equal(record.ttl, undefined, "aliases take the load balancer's TTL");
                assert.equal(record.records, undefined);
            });

            it("exports the app URL, its load balancer URL, the health check id, its role and the failover times", async () => {
                const run = await stackRun(stack);
                assert.equal(run.outputs.appUrl, "http://app.example.com");
                assert.equal(run.outputs.loadBalancerUrl, `http://${frontendHostname(run)}`);
                assert.equal(run.outputs.healthCheckId, `${stack}-health_id`);
                assert.equal(run.outputs.role, run.config["multiregion:role"]);
                assert.deepEqual(run.outputs.failover, {
                    type: run.config["multiregion:role"] === "active" ? "PRIMARY" : "SECONDARY",
                    recordPublished: true,
                    detectionSeconds: 30,
                    dnsTtlSeconds: 60,
                    worstCaseSwitchSeconds: 90,
                });
            });
        });
    }

    it("follows the health-check settings, and shows their failover times", async () => {
        const regions = ["us-east-1", "us-west-2", "eu-west-1"];
        const run = await runProgram("prod-us", {
            overrides: {
                healthCheckInterval: 30,
                healthCheckFailureThreshold: 5,
                healthCheckRegions: regions,
                healthCheckPath: "/health?deep=1",
            },
        });
        const check = run.resources.get(HEALTH_CHECK, "prod-us-health").inputs;
        assert.deepEqual(
            [check.requestInterval, check.failureThreshold, check.regions, check.resourcePath],
            [30, 5, regions, "/health?deep=1"],
        );
        assert.deepEqual(run.outputs.failover, {
            type: "PRIMARY",
            recordPublished: true,
            detectionSeconds: 150,
            dnsTtlSeconds: 60,
            worstCaseSwitchSeconds: 210,
        });
    });

    it("a standby promoted to active publishes PRIMARY", async () => {
        const run = await runProgram("prod-eu", { overrides: { role: "active" } });
        assert.deepEqual(run.resources.get(RECORD, "prod-eu-record").inputs.failoverRoutingPolicies, [{ type: "PRIMARY" }]);
    });

    it("withdraws the record, keeping the health check, when failoverRecord is false", async () => {
        const run = await runProgram("prod-eu", { overrides: { failoverRecord: false } });
        assert.deepEqual(run.resources.ofType(RECORD), []);
        assert.equal(run.resources.ofType(HEALTH_CHECK).length, 1);
        assert.equal((run.outputs.failover as { recordPublished: boolean }).recordPublished, false);
    });

    it("looks the zone up by id when given one", async () => {
        const zone = { zoneId: "Z9ABCDEFGHIJKL", name: "example.org", privateZone: false };
        const run = await runProgram("prod-us", {
            overrides: { hostedZone: zone.zoneId, recordName: "www.example.org" },
            hostedZones: [zone],
        });
        const record = run.resources.get(RECORD, "prod-us-record").inputs;
        assert.deepEqual([record.zoneId, record.name], [zone.zoneId, "www.example.org"]);
    });

    describe("stops before creating anything", () => {
        it("when the record is outside a zone given by id", async () => {
            const zone = { zoneId: "Z9ABCDEFGHIJKL", name: "example.org", privateZone: false };
            const err = await failure(runProgram("prod-us", { overrides: { hostedZone: zone.zoneId }, hostedZones: [zone] }));
            assert.equal(
                err.message,
                'invalid stack configuration:\n  - multiregion:recordName: got "app.example.com"; allowed: a name inside the hosted zone example.org',
            );
            assert.deepEqual(
                err.resources.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")),
                [],
            );
        });

        it("when the zone given by id is private", async () => {
            const zone = { zoneId: "Z9PRIVATE", name: "example.com", privateZone: true };
            const err = await failure(runProgram("prod-us", { overrides: { hostedZone: zone.zoneId }, hostedZones: [zone] }));
            assert.match(err.message, /multiregion:hostedZone: got "Z9PRIVATE", a private zone; allowed: a public hosted zone/);
        });

        it("when no public zone has the name, saying which lookup failed", async () => {
            const err = await failure(runProgram("prod-us", { hostedZones: [{ ...EXAMPLE_ZONE, privateZone: true }] }));
            assert.match(
                err.message,
                /^aws:route53\/getZone:getZone failed: no matching Route 53 Hosted Zone found for .*"name":"example.com"/,
            );
            assert.deepEqual(
                err.resources.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")),
                [],
            );
        });
    });

    describe("across every region's stack file", () => {
        it("has exactly one active stack, one zone and record name, distinct set identifiers and regions, and no overlapping VPCs", () => {
            const stacks = regionStacks();
            assert.ok(stacks.length >= 2);
            assert.deepEqual(crossStackProblems(stacks), []);
        });

        it("uses each stack's name as its record's set identifier, so distinct stacks mean distinct identifiers", async () => {
            const ids = await Promise.all(
                listStacks().map(async (s) => (await stackRun(s)).resources.get(RECORD, `${s}-record`).inputs.setIdentifier),
            );
            assert.deepEqual(ids, listStacks());
        });

        const us = stackConfig("prod-us");
        const eu = stackConfig("prod-eu");
        type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
        const variant = (base: StackConfig, change: (c: Mutable<StackConfig>) => void): StackConfig => {
            const copy = structuredClone(base) as Mutable<StackConfig>;
            change(copy);
            return copy;
        };
        const broken: [string, StackConfig[], string][] = [
            [
                "two active stacks",
                [us, variant(eu, (c) => (c.role = "active"))],
                "exactly one stack must be active; active: prod-us, prod-eu",
            ],
            ["no active stack", [variant(us, (c) => (c.role = "standby")), eu], "exactly one stack must be active; active: none"],
            [
                "another hosted zone",
                [us, variant(eu, (c) => (c.failover.hostedZone = { name: "example.net" }))],
                "every stack must use the same hosted zone; got name example.com / name example.net",
            ],
            [
                "another record name",
                [us, variant(eu, (c) => (c.failover.recordName = "eu.example.com"))],
                "every stack must publish the same record name; got app.example.com / eu.example.com",
            ],
            ["a repeated stack name", [us, variant(eu, (c) => (c.stack = "prod-us"))], "set identifiers must differ; repeated: prod-us"],
            [
                "overlapping VPCs",
                [us, variant(eu, (c) => (c.network.vpcCidr = "10.10.128.0/20"))],
                "VPC CIDRs overlap: prod-us 10.10.0.0/16 and prod-eu 10.10.128.0/20",
            ],
            [
                "a second published SECONDARY",
                [us, eu, variant(eu, (c) => ((c.stack = "prod-ap"), (c.region = "ap-southeast-2"), (c.network.vpcCidr = "10.30.0.0/16")))],
                "Route 53 allows one SECONDARY per failover name; set failoverRecord: false on all but one of prod-eu, prod-ap",
            ],
            [
                "two stacks in one region",
                [us, variant(eu, (c) => (c.region = "us-east-2"))],
                "each stack must be its own region; repeated: us-east-2",
            ],
        ];
        for (const [what, stacks, message] of broken) {
            it(`fails on ${what}`, () => {
                assert.ok(crossStackProblems(stacks).includes(message), JSON.stringify(crossStackProblems(stacks)));
            });
        }
    });
});
