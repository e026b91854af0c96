/**
 * `npm run drill`'s replication step (#19): the real SDK against one dynalite per region, the
 * standby's copy appearing on the drill's clock (test/support/storeReplicas.ts).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Report } from "../tools/drill/report";
import { setStackValue } from "../tools/stackFile";
import { PRIMARY, startWorld, World } from "./support/drillWorld";
import { copyStackFiles } from "./support/fixtures";
import { DRILL_TABLE, Replicas, REGIONS, startReplicas } from "./support/storeReplicas";

describe("npm run drill: the data's replication lag", () => {
    let world: World;
    let replicas: Replicas;
    let out: string;
    const start = async (data: { table: boolean; lagMs: number }, root?: string) => {
        world = await startWorld({}, root);
        replicas = await startReplicas(world, data);
    };
    const report = () => JSON.parse(fs.readFileSync(out, "utf8")) as Report;
    const drill = () => world.run(["--stack", PRIMARY.stack, "--out", out]);

    beforeEach(() => (out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drill-")), "drill.json")));
    afterEach(async () => Promise.all([world?.close(), replicas?.close()]));

    describe("measures the data's replication lag (#19), next to the switch time", () => {
        it("a write through the primary's region, seen in the standby's replica", async () => {
            await start({ table: true, lagMs: 1450 });
            const r = await drill();
            assert.equal(r.code, 0, r.err);
            const json = report();
            assert.deepEqual([json.replicationLagMs, json.replication?.outcome, json.replication?.table], [1500, "measured", DRILL_TABLE]);
            assert.deepEqual([json.replication?.from, json.replication?.to], [REGIONS.primary, REGIONS.standby]);
            const written = await replicas.items(replicas.primary);
            assert.deepEqual(written, [[json.replication!.item, 1]], "one drill-only item, added to once");
            assert.deepEqual(await replicas.items(replicas.standby), written);
            assert.match(
                r.out,
                /^replication lag 1\.5 s: a write to multiregion-prod-data through us-east-2, read in eu-west-1 \(item drill:/m,
            );
            assert.ok(Date.parse(json.timestamps.inverted!) >= Date.parse(json.replication!.item.slice(6)) + 1500, "before the invert");
        });

        const unknown: [string, { table: boolean; lagMs: number }, string, RegExp][] = [
            [
                "UNKNOWN when the fleet has no table",
                { table: false, lagMs: 0 },
                "no-table",
                /^replication lag UNKNOWN \(no-table\): table multiregion-prod-data does not exist in us-east-2 or eu-west-1; skipped$/m,
            ],
            [
                "UNKNOWN after 30 s when the standby never shows the write",
                { table: true, lagMs: Infinity },
                "timeout",
                /^replication lag UNKNOWN \(timeout\): eu-west-1's replica did not show it within 30 s; skipped$/m,
            ],
        ];
        it("UNKNOWN, touching no store, when the stack files name no dataTable, and the DNS drill goes on", async () => {
            const root = copyStackFiles();
            for (const s of ["prod-us", "prod-eu"]) setStackValue(s, "multiregion:dataTable", "", root);
            await start({ table: true, lagMs: 0 }, root);
            const r = await drill();
            assert.equal(r.code, 0, r.err);
            assert.deepEqual([report().replicationLagMs, report().replication?.outcome, report().outcome], [null, "no-table", "passed"]);
            assert.match(r.out, /^replication lag UNKNOWN \(no-table\): the fleet's stack files name no dataTable; skipped$/m);
            assert.deepEqual(await replicas.items(replicas.primary), []);
        });

        for (const [name, data, outcome, line] of unknown) {
            it(`${name}, and the DNS drill goes on`, async () => {
                await start(data);
                const r = await drill();
                assert.equal(r.code, 0, r.err);
                assert.deepEqual([report().replicationLagMs, report().replication?.outcome, report().outcome], [null, outcome, "passed"]);
                assert.match(outcome === "timeout" ? r.err : r.out, line);
            });
        }
    });
});
