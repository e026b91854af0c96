import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { rejectionOf } from "./support/assertions";
import { copyStackFiles, testIo } from "./support/fixtures";
import { crossStackProblems } from "../tools/crossStack";
import { HealthProbe, StackBackend } from "../tools/pulumiStacks";
import { loadStack, regionStacks } from "../tools/stacks";
import { main, SwitchoverStopped } from "../tools/switchover/main";

const STACKS = ["prod-eu", "prod-us"];

/** A copy of the project's Pulumi.yaml and stack files to edit. */
function workdir(): string {
    return copyStackFiles(STACKS);
}

function files(dir: string): Record<string, string> {
    return Object.fromEntries(STACKS.map((s) => [s, fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8")]));
}

interface Deployed {
    readonly record: "PRIMARY" | "SECONDARY" | "none";
    readonly replicas: number;
    readonly activeReplicas: number;
}

/**
 * Pulumi stacks and Route 53 as the switchover sees them: `up` deploys what the stack
 * file says, and Route 53 rejects a change that would leave two PRIMARY or two SECONDARY
 * records, as the real one does.
 */
class FakeFleet implements StackBackend {
    readonly ups: string[] = [];
    readonly deployed: Record<string, Deployed> = {};
    /** Capacity of the region DNS pointed at, after every update. */
    readonly servingCapacity: { stack: string; replicas: number; activeReplicas: number }[] = [];
    failOnUp?: number;

    constructor(
        private readonly dir: string,
        private readonly existing = STACKS,
    ) {
        for (const stack of STACKS) this.deployed[stack] = this.fromFile(stack);
    }

    private fromFile(stack: string): Deployed {
        const c = loadStack(stack, this.dir);
        return {
            record: c.failover.publishRecord ? c.failover.failoverType : "none",
            replicas: c.services.minReplicas,
            activeReplicas: c.services.activeReplicas,
        };
    }

    async exists(stack: string) {
        return this.existing.includes(stack);
    }

    async outputs(stack: string) {
        return { loadBalancerHostname: `${stack}.elb.example` };
    }

    async preview() {
        return 0;
    }

    readonly tags: Record<string, string> = {};

    async tag(stack: string, key: string) {
        return this.tags[`${stack}:${key}`];
    }

    async setTag(stack: string, key: string, value: string | undefined) {
        if (value === undefined) delete this.tags[`${stack}:${key}`];
        else this.tags[`${stack}:${key}`] = value;
    }

    async up(stack: string) {
        this.ups.push(stack);
        if (this.failOnUp === this.ups.length) throw new Error("pulumi up failed: RequestLimitExceeded");
        const next = { ...this.deployed, [stack]: this.fromFile(stack) };
        for (const type of ["PRIMARY", "SECONDARY"]) {
            const holders = Object.keys(next).filter((s) => next[s]!.record === type);
            if (holders.length > 1) throw new Error(`Route 53 InvalidChangeBatch: two ${type} records (${holders.join(", ")})`);
        }
        Object.assign(this.deployed, next);
        const serving =
            Object.keys(next).find((s) => next[s]!.record === "PRIMARY") ?? Object.keys(next).find((s) => next[s]!.record === "SECONDARY")!;
        this.servingCapacity.push({ stack: serving, replicas: next[serving]!.replicas, activeReplicas: next[serving]!.activeReplicas });
    }
}

function probe(answers: boolean[] | boolean): HealthProbe & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async healthy({ url, connectTo }) {
            calls.push(`${url} at ${connectTo}`);
            return Array.isArray(answers) ? (answers[calls.length - 1] ?? answers.at(-1)!) : answers;
        },
    };
}

function env(dir: string, fleet: FakeFleet, health: HealthProbe, log: string[] = []) {
    const pulumiCli = {
        run: async (argv: string[]) => (argv.join(" ") === "pulumi version" ? "v3.270.0" : Promise.reject(new Error(argv[0]))),
    };
    return testIo({ root: dir, stacks: fleet, probe: health, commands: pulumiCli, out: (l: string) => log.push(l) });
}

describe("switchover", () => {
    it("moves PRIMARY to the target in five updates, never breaking Route 53's rules or shrinking the serving region", async () => {
        const dir = workdir();
        const before = files(dir);
        const fleet = new FakeFleet(dir);
        const health = probe(true);
        await main(["--to", "prod-eu"], env(dir, fleet, health));

        assert.deepEqual(fleet.ups, ["prod-eu", "prod-eu", "prod-us", "prod-eu", "prod-us"]);
        assert.deepEqual(fleet.deployed["prod-eu"], { record: "PRIMARY", replicas: 3, activeReplicas: 3 });
        assert.deepEqual(fleet.deployed["prod-us"], { record: "SECONDARY", replicas: 1, activeReplicas: 3 });
        for (const s of fleet.servingCapacity) assert.ok(s.replicas >= s.activeReplicas, `${s.stack} served with ${s.replicas} pods`);
        assert.ok(health.calls.every((call) => call === "https://app.example.com/health at prod-eu.elb.example"));

        // The repository stays the source of truth: the stack files now say prod-eu is active, and nothing else changed.
        assert.equal(loadStack("prod-eu", dir).role, "active");
        assert.equal(loadStack("prod-us", dir).role, "standby");
        assert.deepEqual(crossStackProblems(regionStacks(dir)), []);
        for (const stack of STACKS) {
            const changed = files(dir)
                [stack]!.split("\n")
                .filter((line, i) => line !== before[stack]!.split("\n")[i]);
            assert.deepEqual(
                changed.map((l) => l.trim().split(/\s+/).slice(0, 2).join(" ")),
                [`multiregion:role: ${stack === "prod-eu" ? "active" : "standby"}`],
            );
        }
    });

    it("aborts with nothing changed when the target is unhealthy to begin with", async () => {
        const dir = workdir();
        const before = files(dir);
        const fleet = new FakeFleet(dir);
        await assert.rejects(
            main(["--to", "prod-eu"], env(dir, fleet, probe(false))),
            /^UsageError: prod-eu is not healthy \(https:\/\/app\.example\.com\/health at prod-eu\.elb\.example\); nothing was changed$/,
        );
        assert.deepEqual(fleet.ups, []);
        assert.deepEqual(files(dir), before);
    });

    it("scales the target back, leaving nothing changed, when it stays unhealthy at active capacity", async () => {
        const dir = workdir();
        const before = files(dir);
        const fleet = new FakeFleet(dir);
        const health = probe([true, false]);
        await assert.rejects(
            main(["--to", "prod-eu", "--wait", "30"], env(dir, fleet, health)),
            /^UsageError: prod-eu did not turn healthy at active capacity .*; scaled back, nothing is changed$/,
        );
        assert.deepEqual(fleet.ups, ["prod-eu", "prod-eu"]);
        assert.equal(health.calls.length, 1 + 4, "the precondition, then every 10 s for 30 s");
        assert.deepEqual(files(dir), before);
        assert.deepEqual(fleet.deployed["prod-eu"], { record: "SECONDARY", replicas: 1, activeReplicas: 3 });
        assert.deepEqual(fleet.deployed["prod-us"], { record: "PRIMARY", replicas: 3, activeReplicas: 3 });
    });

    it("reports each stack's state and how to resume when a step fails, then resumes where it stopped", async () => {
        const dir = workdir();
        const fleet = new FakeFleet(dir);
        fleet.failOnUp = 3;
        const err = await rejectionOf(main(["--to", "prod-eu"], env(dir, fleet, probe(true))));
        assert.ok(err instanceof SwitchoverStopped);
        assert.equal(
            err.message,
            [
                "switchover stopped at step 3/5 (demote prod-us to SECONDARY, keeping its 3 pods per service): pulumi up failed: RequestLimitExceeded",
                "  prod-us: role standby, SECONDARY, a floor of 3 pods per service (as Pulumi.prod-us.yaml asks; its last update may not have finished)",
                "  prod-eu: role standby, no record, a floor of 3 pods per service (as Pulumi.prod-eu.yaml asks; its last update may not have finished)",
                "Steps 1-2 are done. Fix the cause, then run the same command again: npm run switchover -- --to prod-eu",
                "It re-runs step 3's update and carries on. Commit Pulumi.prod-us.yaml and Pulumi.prod-eu.yaml either way.",
            ].join("\n"),
        );
        // Route 53 still has prod-us as PRIMARY: its demotion never reached AWS.
        assert.equal(fleet.deployed["prod-us"]!.record, "PRIMARY");

        fleet.failOnUp = undefined;
        const log: string[] = [];
        await main(["--to", "prod-eu"], env(dir, fleet, probe(true), log));
        assert.deepEqual(fleet.ups, ["prod-eu", "prod-eu", "prod-us", "prod-us", "prod-eu", "prod-us"]);
        assert.ok(log.includes("3. [re-run] demote prod-us to SECONDARY, keeping its 3 pods per service"));
        assert.deepEqual(fleet.deployed["prod-eu"]!.record, "PRIMARY");
        assert.deepEqual(crossStackProblems(regionStacks(dir)), []);
    });

    it("prints the exact steps under --dry-run, and changes nothing", async () => {
        const dir = workdir();
        const before = files(dir);
        const fleet = new FakeFleet(dir);
        const log: string[] = [];
        await main(["--to", "prod-eu", "--dry-run"], env(dir, fleet, probe(true), log));
        assert.deepEqual(log, [
            "switchover: PRIMARY moves from prod-us to prod-eu",
            "1. [todo] scale prod-eu to active capacity (3 pods per service), still SECONDARY",
            "     set multiregion:replicasOverride: 3 in Pulumi.prod-eu.yaml",
            "     pulumi up --stack prod-eu",
            "     wait until prod-eu's load balancer answers /health with 2xx",
            "2. [todo] withdraw prod-eu's SECONDARY record",
            "     set multiregion:failoverRecord: false in Pulumi.prod-eu.yaml",
            "     pulumi up --stack prod-eu",
            "3. [todo] demote prod-us to SECONDARY, keeping its 3 pods per service",
            "     set multiregion:role: standby in Pulumi.prod-us.yaml",
            "     set multiregion:replicasOverride: 3 in Pulumi.prod-us.yaml",
            "     pulumi up --stack prod-us",
            "4. [todo] promote prod-eu to PRIMARY",
            "     set multiregion:role: active in Pulumi.prod-eu.yaml",
            "     set multiregion:failoverRecord: true in Pulumi.prod-eu.yaml",
            "     set multiregion:replicasOverride: 0 in Pulumi.prod-eu.yaml",
            "     pulumi up --stack prod-eu",
            "5. [todo] scale prod-us down to standby capacity (1 pod per service)",
            "     set multiregion:replicasOverride: 0 in Pulumi.prod-us.yaml",
            "     pulumi up --stack prod-us",
        ]);
        assert.deepEqual(fleet.ups, []);
        assert.deepEqual(files(dir), before);
    });

    describe("checks its preconditions", () => {
        it("refuses a target that is already active", async () => {
            const dir = workdir();
            await assert.rejects(
                main(["--to", "prod-us"], env(dir, new FakeFleet(dir), probe(true))),
                /prod-us is already the active region; nothing to do/,
            );
        });

        it("names the stacks that exist when the target has no stack file", async () => {
            const dir = workdir();
            await assert.rejects(
                main(["--to", "prod-ap"], env(dir, new FakeFleet(dir), probe(true))),
                /unknown stack "prod-ap"; stacks: prod-eu, prod-us/,
            );
        });

        it("refuses when a stack is not deployed", async () => {
            const dir = workdir();
            const fleet = new FakeFleet(dir, ["prod-us"]);
            await assert.rejects(
                main(["--to", "prod-eu"], env(dir, fleet, probe(true))),
                /stack prod-eu is not deployed; run pulumi up --stack prod-eu first/,
            );
            assert.deepEqual(fleet.ups, []);
        });
    });
});
