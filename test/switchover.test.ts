import { strict as assert } from "node:assert";
import { rejectionOf } from "./support/assertions";
import { Clock, FakeFleet, files, fleetIo, probe, restoreFiles, STACKS, UP_SECONDS, workdir } from "./support/fakeFleet";
import { stackRun } from "./support/run";
import { crossStackProblems } from "../tools/crossStack";
import { loadStack, regionStacks } from "../tools/stacks";
import { main, SwitchoverStopped } from "../tools/switchover/main";
import { PROGRESS_TAG } from "../tools/switchover/progress";
import { recordUrn } from "../tools/switchover/steps";

const FULL_RUN = ["prod-eu", "prod-eu:dns", "prod-us:dns", "prod-eu:dns", "prod-us", "prod-eu"];
/** The DNS TTL of an alias to a load balancer, plus the frontend pods' drain. */
const SETTLE_MS = (60 + 110) * 1000;

function assertSwitched(fleet: FakeFleet, dir: string): void {
    assert.deepEqual(fleet.deployed["prod-eu"], { role: "active", record: "PRIMARY", replicas: 3, activeReplicas: 3 });
    assert.deepEqual(fleet.deployed["prod-us"], { role: "standby", record: "SECONDARY", replicas: 1, activeReplicas: 3 });
    assert.deepEqual(fleet.published, fleet.deployed, "a whole update of each stack came last, so its outputs tell the truth");
    assert.deepEqual(fleet.tags, { "prod-eu": {}, "prod-us": {} }, "no switchover is recorded as in progress");
    assert.equal(loadStack("prod-eu", dir).role, "active");
    assert.equal(loadStack("prod-us", dir).role, "standby");
    assert.deepEqual(crossStackProblems(regionStacks(dir)), []);
    for (const s of fleet.serving) assert.ok(s.replicas >= s.activeReplicas, `${s.stack} served with ${s.replicas} pods`);
}

function setUp(health: boolean[] | boolean = true) {
    const dir = workdir();
    const clock = new Clock();
    const fleet = new FakeFleet(dir, clock);
    const check = probe(health, clock);
    return { dir, fleet, check, io: fleetIo(dir, fleet, check), before: files(dir) };
}

describe("switchover", () => {
    it("moves PRIMARY in six updates, the DNS ones targeted at the record alone, never shrinking the serving region", async () => {
        const { dir, fleet, check, io, before } = setUp();
        await main(["--to", "prod-eu"], io);

        assert.deepEqual(fleet.ups, FULL_RUN);
        assertSwitched(fleet, dir);
        assert.ok(check.calls.every((call) => call === "https://app.example.com/health at prod-eu.elb.example"));
        assert.ok(io.lines.includes(`prod-eu is PRIMARY; the fleet had no failover target for ${3 * UP_SECONDS.dns} s`), io.text());
        for (const stack of STACKS) {
            const changed = files(dir)
                [stack]!.split("\n")
                .filter((line, i) => line !== before[stack]!.split("\n")[i]);
            assert.deepEqual(
                changed.map((l) => l.trim().split(/\s+/).slice(0, 2).join(" ")),
                [`multiregion:role: ${stack === "prod-eu" ? "active" : "standby"}`],
                "the files end as they began, but for the roles",
            );
        }
    });

    it("scales the old PRIMARY down only once the new one is healthy and the DNS TTL and the drain have passed", async () => {
        const { fleet, check, io } = setUp();
        await main(["--to", "prod-eu"], io);
        const promoted = fleet.promotedAt["prod-eu"]!;
        const scaledDown = fleet.scaledDownAt["prod-us"]!;
        assert.ok(
            scaledDown - UP_SECONDS.all * 1000 >= promoted + SETTLE_MS,
            "the update that shrinks it starts 170 s after the promotion at the earliest",
        );
        assert.ok(
            check.at.some((t) => t >= promoted + SETTLE_MS && t <= scaledDown - UP_SECONDS.all * 1000),
            "the new PRIMARY was checked healthy after the wait",
        );
        assert.ok(
            io.lines.includes("waiting 170 s: resolvers keep the old answer for 60 s, then its connections drain for 110 s"),
            io.text(),
        );
    });

    it("keeps the old PRIMARY's capacity while the new one is unhealthy, and finishes on a re-run", async () => {
        // Healthy at the start and after step 1; unhealthy after the promotion; healthy again later.
        const { dir, fleet, io } = setUp([true, true, ...Array<boolean>(31).fill(false), true]);
        await assert.rejects(main(["--to", "prod-eu"], io), /prod-eu is PRIMARY but not healthy .*, so prod-us keeps its capacity/);
        assert.deepEqual(fleet.ups, FULL_RUN.slice(0, 4));
        assert.equal(fleet.deployed["prod-us"]!.replicas, 3);
        assert.equal(JSON.parse(fleet.tags["prod-us"]![PROGRESS_TAG]!).done, 4);

        await main(["--to", "prod-eu"], io);
        assert.deepEqual(fleet.ups, FULL_RUN);
        assertSwitched(fleet, dir);
    });

    for (let failing = 1; failing <= FULL_RUN.length; failing++) {
        for (const checkout of ["the same files", "a fresh checkout"]) {
            it(`finishes when re-run from ${checkout} after update ${failing} of ${FULL_RUN.length} failed`, async () => {
                const { dir, fleet, io, before } = setUp();
                fleet.failOnUp = failing;
                const err = await rejectionOf(main(["--to", "prod-eu"], io));
                assert.ok(err instanceof SwitchoverStopped, String(err));
                assert.match(err.message, new RegExp(`^switchover stopped at step ${failing}/6 .*injected RequestLimitExceeded`));
                assert.equal(JSON.parse(fleet.tags["prod-eu"]![PROGRESS_TAG]!).done, failing - 1, "progress says what finished");

                fleet.failOnUp = undefined;
                if (checkout === "a fresh checkout") restoreFiles(dir, before);
                await main(["--to", "prod-eu"], io);
                assert.deepEqual(fleet.ups, [...FULL_RUN.slice(0, failing), ...FULL_RUN.slice(failing - 1)], "the failed update is re-run");
                assertSwitched(fleet, dir);
            });
        }
    }

    it("says where it stopped and how to go on", async () => {
        const { fleet, io } = setUp();
        fleet.failOnUp = 3;
        const err = await rejectionOf(main(["--to", "prod-eu"], io));
        assert.equal(
            (err as Error).message,
            [
                "switchover stopped at step 3/6 (demote prod-us to SECONDARY, keeping its 3 pods per service): pulumi up failed: injected RequestLimitExceeded",
                `Steps 1-2 are done, as the ${PROGRESS_TAG} tag on prod-us and prod-eu records; deploys from main wait meanwhile.`,
                "Fix the cause, then run the same command again: npm run switchover -- --to prod-eu (or re-run the switchover workflow).",
                "It re-runs step 3 and carries on.",
            ].join("\n"),
        );
        assert.equal(fleet.deployed["prod-us"]!.record, "PRIMARY", "the demotion never reached Route 53");
    });

    it("scales the target back, recording nothing, when it stays unhealthy at active capacity", async () => {
        const { dir, fleet, check, io, before } = setUp([true, false]);
        await assert.rejects(
            main(["--to", "prod-eu", "--wait", "30"], io),
            /^UsageError: prod-eu did not turn healthy at active capacity .*; scaled back, nothing is changed$/,
        );
        assert.deepEqual(fleet.ups, ["prod-eu", "prod-eu"]);
        assert.equal(check.calls.length, 1 + 4, "the precondition, then every 10 s for 30 s");
        assert.deepEqual(files(dir), before);
        assert.deepEqual(fleet.tags, { "prod-eu": {}, "prod-us": {} });
        assert.equal(fleet.deployed["prod-eu"]!.replicas, 1);
    });

    it("targets the URN the engine gives the record: the program's, less the root stack type the mock runtime keeps", async () => {
        for (const stack of STACKS) {
            const record = (await stackRun(stack)).resources.get("aws:route53/record:Record", `${stack}-record`);
            assert.equal(record.urn.replace("::pulumi:pulumi:Stack$", "::"), recordUrn("multiregion", stack));
        }
    });
});
