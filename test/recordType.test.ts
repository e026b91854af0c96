import { strict as assert } from "node:assert";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import { failoverTimes } from "../regions/failover";
import { buildPlan } from "../tools/plan/build";
import { renderText } from "../tools/plan/render";
import { listStacks } from "../tools/stacks";
import { rejectionOf } from "./support/assertions";
import { createdResources, mockId } from "./support/fixtures";
import { nlbHostname } from "./support/mocks";
import { ProgramError, ProgramRun, runProgram, stackRun } from "./support/run";

const RECORD = "aws:route53/record:Record";

function hostname(run: ProgramRun): string {
    return nlbHostname("sample-app-frontend-service", run.settings.region);
}

/** The parts of the failover record that do not depend on its type. */
function routing(run: ProgramRun) {
    const { zoneId, name, setIdentifier, failoverRoutingPolicies, healthCheckId } = run.resources.get(RECORD, `${run.stack}-record`).inputs;
    return { zoneId, name, setIdentifier, failoverRoutingPolicies, healthCheckId };
}

describe("record type: alias A or CNAME", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            let cnameRun: Promise<ProgramRun> | undefined;
            const cname = () => (cnameRun ??= runProgram(stack, { overrides: { recordType: "cname", cnameTtl: 20 } }));

            it("as a CNAME: the load balancer's name with cnameTtl, no alias, the same health check and failover policy", async () => {
                const [alias, run] = [await stackRun(stack), await cname()];
                const record = run.resources.get(RECORD, `${stack}-record`);
                assert.equal(record.inputs.type, "CNAME");
                assert.equal(record.inputs.ttl, 20);
                assert.deepEqual(record.inputs.records, [hostname(run)]);
                assert.equal(record.inputs.aliases, undefined);
                assert.deepEqual(routing(run), routing(alias));
                assert.equal(routing(run).healthCheckId, mockId(`${stack}-health`));
                assert.deepEqual(routing(run).failoverRoutingPolicies, [
                    { type: run.settings.role === "active" ? "PRIMARY" : "SECONDARY" },
                ]);
            });

            it("as an alias: an A record aliased to the load balancer, with no TTL of its own", async () => {
                const run = await stackRun(stack);
                const record = run.resources.get(RECORD, `${stack}-record`).inputs;
                assert.equal(record.type, "A");
                assert.equal(record.ttl, undefined);
                assert.equal(record.records, undefined);
                assert.deepEqual(record.aliases, [
                    { name: hostname(run), zoneId: COMMERCIAL_REGIONS[run.settings.region]!.nlb, evaluateTargetHealth: true },
                ]);
            });

            it("is one resource either way, deleted before its replacement is created, so a type change never asks Route 53 for both", async () => {
                for (const run of [await stackRun(stack), await cname()]) {
                    const records = run.resources.ofType(RECORD).filter((r) => r.name === `${stack}-record`);
                    assert.equal(records.length, 1);
                    assert.equal(records[0]!.deleteBeforeReplace, true);
                }
            });

            it("outputs and plans the worst case for the type chosen", async () => {
                const type = (await stackRun(stack)).settings.role === "active" ? "PRIMARY" : "SECONDARY";
                const expected = {
                    alias: {
                        ttl: 60,
                        line: `Failover: ${type} alias A record; detection 30 s, worst-case switch 90 s (detection + 60 s alias TTL)`,
                    },
                    cname: {
                        ttl: 20,
                        line: `Failover: ${type} CNAME record; detection 30 s, worst-case switch 50 s (detection + 20 s CNAME TTL)`,
                    },
                };
                for (const [recordType, run] of [
                    ["alias", await stackRun(stack)],
                    ["cname", await cname()],
                ] as const) {
                    const { ttl, line } = expected[recordType];
                    assert.deepEqual(run.outputs.failover, {
                        type,
                        recordPublished: true,
                        recordType,
                        detectionSeconds: 30,
                        dnsTtlSeconds: ttl,
                        worstCaseSwitchSeconds: 30 + ttl,
                    });
                    assert.ok(renderText(buildPlan(run)).split("\n").includes(line), recordType);
                }
            });
        });
    }

    describe("failoverTimes", () => {
        const table: [number, number, "alias" | "cname", number, [number, number, number]][] = [
            [10, 3, "alias", 30, [30, 60, 90]],
            [10, 3, "cname", 30, [30, 30, 60]],
            [10, 1, "cname", 10, [10, 10, 20]],
            [30, 10, "cname", 60, [300, 60, 360]],
            [30, 2, "alias", 10, [60, 60, 120]],
        ];
        for (const [interval, failureThreshold, recordType, cnameTtl, [detection, ttl, worst]] of table) {
            it(`${interval} s × ${failureThreshold} with ${recordType}${recordType === "cname" ? ` (TTL ${cnameTtl})` : ""}: ${worst} s at worst`, () => {
                assert.deepEqual(failoverTimes({ healthCheck: { interval, failureThreshold }, recordType, cnameTtl }), {
                    recordType,
                    detectionSeconds: detection,
                    dnsTtlSeconds: ttl,
                    worstCaseSwitchSeconds: worst,
                });
            });
        }
    });

    describe("stops before creating anything", () => {
        it("on a CNAME at the apex of a zone given by id, once the lookup names the zone", async () => {
            const zone = { zoneId: "Z9ABCDEFGHIJKL", name: "example.org", privateZone: false };
            const err = await rejectionOf(
                runProgram("prod-us", {
                    overrides: { hostedZone: zone.zoneId, recordName: "example.org", recordType: "cname" },
                    hostedZones: [zone],
                }),
            );
            assert.ok(err instanceof ProgramError, String(err));
            assert.equal(
                err.message,
                'invalid configuration for stack prod-us (Pulumi.prod-us.yaml):\n  - multiregion:recordType: got "cname"; allowed: "alias" for recordName "example.org", the apex of hosted zone "example.org" (Route 53 allows no CNAME at a zone apex)',
            );
            assert.deepEqual(createdResources(err.resources), []);
        });

        it("but takes an alias at that apex", async () => {
            const zone = { zoneId: "Z9ABCDEFGHIJKL", name: "example.org", privateZone: false };
            const run = await runProgram("prod-us", {
                overrides: { hostedZone: zone.zoneId, recordName: "example.org" },
                hostedZones: [zone],
            });
            assert.equal(run.resources.get(RECORD, "prod-us-record").inputs.type, "A");
        });
    });
});
