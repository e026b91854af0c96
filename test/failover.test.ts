import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import { EXAMPLE_ZONE, nlbHostname } from "./support/mocks";
import { rejectionOf } from "./support/assertions";
import { createdResources, mockId } from "./support/fixtures";
import { ProgramError, ProgramRun, runProgram, stackRun } from "./support/run";

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";

function frontendHostname(run: ProgramRun): string {
    return nlbHostname("sample-app-frontend-service", run.settings.region);
}

async function failure(promise: Promise<unknown>): Promise<ProgramError> {
    const err = await rejectionOf(promise);
    assert.ok(err instanceof ProgramError, String(err));
    return err;
}

describe("failover", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("health-checks its own region's load balancer over HTTPS with SNI, on the deep /health, never the failover name", async () => {
                const run = await stackRun(stack);
                const check = run.resources.get(HEALTH_CHECK, `${stack}-health`).inputs;
                assert.equal(check.type, "HTTPS");
                assert.equal(check.fqdn, frontendHostname(run));
                assert.notEqual(check.fqdn, run.settings.failover.recordName);
                assert.equal(check.port, 443);
                assert.equal(check.enableSni, true);
                assert.equal(check.resourcePath, "/health");
                assert.equal(check.requestInterval, 10);
                assert.equal(check.failureThreshold, 3);
                assert.equal(check.regions, undefined, "Route 53's default checker regions");
            });

            it("publishes a failover alias A record: same name, its stack as set identifier, PRIMARY only when active", async () => {
                const run = await stackRun(stack);
                const record = run.resources.get(RECORD, `${stack}-record`).inputs;
                const region = run.settings.region;
                assert.equal(
                    run.settings.failover.recordType,
                    "alias",
                    "the stack files keep the default; test/recordType.test.ts covers cname",
                );
                assert.equal(record.zoneId, EXAMPLE_ZONE.zoneId);
                assert.equal(record.name, run.settings.failover.recordName);
                assert.equal(record.type, "A");
                assert.equal(record.setIdentifier, stack);
                assert.deepEqual(record.failoverRoutingPolicies, [{ type: run.settings.role === "active" ? "PRIMARY" : "SECONDARY" }]);
                assert.equal(record.healthCheckId, mockId(`${stack}-health`));
                assert.deepEqual(record.aliases, [
                    { name: frontendHostname(run), zoneId: COMMERCIAL_REGIONS[region]!.nlb, evaluateTargetHealth: true },
                ]);
                assert.equal(record.ttl, undefined, "aliases take the load balancer's TTL");
                assert.equal(record.records, undefined);
            });

            it("exports the app URL, its load balancer URL, the health check id, its role and the failover times", async () => {
                const run = await stackRun(stack);
                assert.equal(run.outputs.appUrl, `https://${run.settings.failover.recordName}`);
                assert.equal(run.outputs.loadBalancerHostname, frontendHostname(run));
                assert.equal(run.outputs.healthCheckId, mockId(`${stack}-health`));
                assert.equal(run.outputs.role, run.settings.role);
                assert.deepEqual(run.outputs.failover, {
                    type: run.settings.role === "active" ? "PRIMARY" : "SECONDARY",
                    recordPublished: true,
                    recordType: "alias",
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
            recordType: "alias",
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
        assert.deepEqual(
            run.resources.ofType(RECORD).map((r) => r.name),
            ["prod-eu-cert-validation"],
            "only the certificate's validation record",
        );
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
                'invalid configuration for stack prod-us (Pulumi.prod-us.yaml):\n  - multiregion:recordName: got "app.example.com"; allowed: a name inside the hosted zone example.org',
            );
            assert.deepEqual(createdResources(err.resources), []);
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
            assert.deepEqual(createdResources(err.resources), []);
        });
    });
});
