import { strict as assert } from "node:assert";
import { StackConfig } from "../config";
import { checkFleets, crossStackProblems } from "../tools/crossStack";
import { fleetOf, fleetStacks, listStacks, loadStack, loadStacks, regionStacks } from "../tools/stacks";
import { setStackValue } from "../tools/stackFile";
import { copyStackFiles } from "./support/fixtures";
import { stackRun } from "./support/run";

const RECORD = "aws:route53/record:Record";

describe("rules across every region's stack file", () => {
    it("has exactly one active stack, one zone and record name, distinct set identifiers and regions, and no overlapping VPCs", () => {
        const stacks = regionStacks();
        assert.ok(stacks.length >= 2);
        assert.deepEqual(crossStackProblems(stacks), []);
    });

    for (const fleet of [...new Set(listStacks().map(fleetOf))]) {
        it(`holds within the ${fleet} fleet, checked apart from the others`, () => {
            const stacks = loadStacks(fleetStacks(fleet));
            assert.ok(stacks.length >= 2);
            assert.deepEqual(crossStackProblems(stacks), []);
            const [line] = checkFleets([stacks[0]!.stack]);
            assert.equal(line, `Cross-stack rules hold for ${stacks.map((c) => `${c.stack} (${c.role}, ${c.region})`).join(", ")}.`);
        });
    }

    it("uses each stack's name as its record's set identifier, so distinct stacks mean distinct identifiers", async () => {
        const ids = await Promise.all(
            listStacks().map(async (s) => (await stackRun(s)).resources.get(RECORD, `${s}-record`).inputs.setIdentifier),
        );
        assert.deepEqual(ids, listStacks());
    });

    const us = loadStack("prod-us");
    const eu = loadStack("prod-eu");
    type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
    const variant = (base: StackConfig, change: (c: Mutable<StackConfig>) => void): StackConfig => {
        const copy = structuredClone(base) as Mutable<StackConfig>;
        change(copy);
        return copy;
    };
    const broken: [string, StackConfig[], string][] = [
        ["two active stacks", [us, variant(eu, (c) => (c.role = "active"))], "exactly one stack must be active; active: prod-us, prod-eu"],
        ["no active stack", [variant(us, (c) => (c.role = "standby")), eu], "exactly one stack must be active; active: none"],
        [
            "another hosted zone",
            [us, variant(eu, (c) => (c.failover.hostedZone = { name: "example.net" }))],
            "every stack must use the same hosted zone; prod-us uses name example.com, prod-eu uses name example.net",
        ],
        [
            "another record name",
            [us, variant(eu, (c) => (c.failover.recordName = "eu.example.com"))],
            "every stack must publish the same record name; prod-us uses app.example.com, prod-eu uses eu.example.com",
        ],
        [
            "another table",
            [us, variant(eu, (c) => (c.data = { ...c.data, table: "multiregion-eu-data" }))],
            "every stack must name the same dataTable, the fleet's global table; prod-us uses multiregion-prod-data, prod-eu uses multiregion-eu-data",
        ],
        [
            "a table in one region only",
            [us, variant(eu, (c) => (c.data = { ...c.data, table: undefined }))],
            'every stack must name the same dataTable, the fleet\'s global table; prod-us uses multiregion-prod-data, prod-eu uses ""',
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
            "an alias and a CNAME under one name",
            [us, variant(eu, (c) => (c.failover.recordType = "cname"))],
            "every stack that publishes its record must use the same recordType; prod-us uses alias, prod-eu uses cname",
        ],
        [
            "no stack publishing the record",
            [variant(us, (c) => (c.failover.publishRecord = false)), variant(eu, (c) => (c.failover.publishRecord = false))],
            "no stack publishes the failover record, so app.example.com serves nobody; set failoverRecord: true on prod-us",
        ],
        [
            "two stacks in one region",
            [us, variant(eu, (c) => (c.region = "us-east-2"))],
            "each stack must be its own region; prod-us and prod-eu are both in us-east-2",
        ],
    ];
    it("lets one stack withdraw its record, as the switchover does", () => {
        assert.deepEqual(crossStackProblems([us, variant(eu, (c) => (c.failover.publishRecord = false))]), []);
    });

    it("refuses a fleet with no record in the checks every tool runs, naming the files' fleet", () => {
        const root = copyStackFiles();
        for (const stack of ["prod-us", "prod-eu"]) setStackValue(stack, "multiregion:failoverRecord", false, root);
        assert.throws(
            () => checkFleets(["prod-eu"], root),
            (err: Error) =>
                err.message ===
                "the prod-* stack files disagree:\n  - no stack publishes the failover record, so app.example.com serves nobody; set failoverRecord: true on prod-us",
        );
    });

    it("lets a withdrawn record's type differ: how a live fleet changes record type", () => {
        const withdrawn = variant(eu, (c) => ((c.failover.publishRecord = false), (c.failover.recordType = "alias")));
        assert.deepEqual(crossStackProblems([variant(us, (c) => (c.failover.recordType = "cname")), withdrawn]), []);
    });

    for (const [what, stacks, message] of broken) {
        it(`fails on ${what}`, () => {
            assert.ok(crossStackProblems(stacks).includes(message), JSON.stringify(crossStackProblems(stacks)));
        });
    }
});
