import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_DATA_FILE, COMMERCIAL_REGIONS, zonesOf } from "../facts/awsData";
import { planStack } from "../tools/plan/build";
import { setStackValues } from "../tools/stackFile";
import { copyStackFiles } from "./support/fixtures";

const REGIONS = Object.keys(COMMERCIAL_REGIONS);

describe("every commercial AWS region, offline", () => {
    it(`${AWS_DATA_FILE} covers the aws partition: ${REGIONS.length} regions, each with its zones and load balancer zone ids`, () => {
        assert.ok(REGIONS.length >= 34, REGIONS.join(" "));
        for (const [region, data] of Object.entries(COMMERCIAL_REGIONS)) {
            assert.match(region, /^[a-z]{2}-[a-z]+-\d$/);
            assert.ok(data.zones.length >= 2, region);
            assert.match(data.nlb, /^Z[A-Z0-9]{8,31}$/, region);
            assert.match(data.alb, /^Z[A-Z0-9]{8,31}$/, region);
            assert.notEqual(data.nlb, data.alb, region);
        }
        assert.deepEqual(zonesOf("ca-central-1"), ["ca-central-1a", "ca-central-1b", "ca-central-1d"]);
    });

    it("plans a stack file in each region, with the region's own zones and NLB zone id", async function () {
        this.timeout(120_000);
        const root = copyStackFiles(["prod-us"]);
        fs.renameSync(path.join(root, "Pulumi.prod-us.yaml"), path.join(root, "Pulumi.region-check.yaml"));
        for (const region of REGIONS) {
            const zones = zonesOf(region)!;
            setStackValues("region-check", { "multiregion:region": region, "multiregion:azCount": Math.min(3, zones.length) }, root);
            const plan = await planStack("region-check", root);
            const find = (type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name)?.inputs;
            assert.equal(find("pulumi:providers:aws", `aws-${region}`)?.region, region);
            const record = find("aws:route53/record:Record", "region-check-record") as { aliases: { zoneId: string }[] };
            assert.equal(record.aliases[0]?.zoneId, COMMERCIAL_REGIONS[region]!.nlb, region);
            const subnetZones = plan.resources.filter((r) => r.type === "aws:ec2/subnet:Subnet").map((r) => r.inputs.availabilityZone);
            assert.deepEqual([...new Set(subnetZones)].sort(), zones.slice(0, Math.min(3, zones.length)), region);
        }
    });
});
