import { strict as assert } from "node:assert";
import { Clock, FakeFleet, files, fleetIo, probe, UP_SECONDS, workdir } from "./support/fakeFleet";
import { editStackFile } from "./support/fixtures";
import { main } from "../tools/switchover/main";
import { PROGRESS_TAG } from "../tools/switchover/progress";

function setUp(health = true, existing?: string[]) {
    const dir = workdir();
    const fleet = new FakeFleet(dir, new Clock(), existing);
    return { dir, fleet, io: fleetIo(dir, fleet, probe(health)), before: files(dir) };
}

/** Runs the switchover to prod-eu, which must refuse with `message` and change nothing. */
async function assertRefused(env: ReturnType<typeof setUp>, message: RegExp, argv: string[] = []): Promise<void> {
    const tags = JSON.stringify(env.fleet.tags);
    await assert.rejects(main(["--to", "prod-eu", ...argv], env.io), message);
    assert.deepEqual(env.fleet.ups, [], "no update ran");
    assert.deepEqual(files(env.dir), env.before, "no stack file changed");
    assert.equal(JSON.stringify(env.fleet.tags), tags, "no progress was recorded");
}

describe("switchover: the dry run and the refusals", () => {
    it("prints the steps, checks the stacks and measures the no-failover window under --dry-run, changing nothing", async () => {
        const env = setUp();
        await main(["--to", "prod-eu", "--dry-run"], env.io);
        const urn = (stack: string) =>
            `'urn:pulumi:${stack}::multiregion::multiregion:regions:Failover$aws:route53/record:Record::${stack}-record'`;
        assert.deepEqual(env.io.lines, [
            "switchover: PRIMARY moves from prod-us to prod-eu",
            "1. [todo] scale prod-eu to active capacity (3 pods per service), still SECONDARY",
            "     set multiregion:replicasOverride: 3 in Pulumi.prod-eu.yaml",
            "     pulumi up --stack prod-eu",
            "     wait until prod-eu's load balancer answers /health with 2xx",
            "2. [todo] withdraw prod-eu's SECONDARY record",
            "     set multiregion:failoverRecord: false in Pulumi.prod-eu.yaml",
            `     pulumi up --stack prod-eu --target ${urn("prod-eu")}`,
            "3. [todo] demote prod-us to SECONDARY, keeping its 3 pods per service",
            "     set multiregion:role: standby in Pulumi.prod-us.yaml",
            "     set multiregion:replicasOverride: 3 in Pulumi.prod-us.yaml",
            `     pulumi up --stack prod-us --target ${urn("prod-us")}`,
            "4. [todo] promote prod-eu to PRIMARY",
            "     set multiregion:role: active in Pulumi.prod-eu.yaml",
            "     set multiregion:failoverRecord: true in Pulumi.prod-eu.yaml",
            "     set multiregion:replicasOverride: 0 in Pulumi.prod-eu.yaml",
            `     pulumi up --stack prod-eu --target ${urn("prod-eu")}`,
            "5. [todo] scale prod-us down to standby capacity (1 pod per service)",
            "     wait until prod-eu is healthy and 170 s (DNS TTL 60 s + drain 110 s) have passed since step 4",
            "     set multiregion:replicasOverride: 0 in Pulumi.prod-us.yaml",
            "     pulumi up --stack prod-us",
            "6. [todo] bring the rest of prod-eu in line with its new role",
            "     pulumi up --stack prod-eu",
            `no failover target during steps 2-4: about ${3 * (UP_SECONDS.preview + 60)} s (3 targeted updates of one record, each ${UP_SECONDS.preview} s of Pulumi as a targeted preview just took, plus up to 60 s for Route 53 to apply it)`,
        ]);
        assert.deepEqual(env.fleet.ups, []);
        assert.deepEqual(files(env.dir), env.before);
        assert.deepEqual(env.fleet.tags, {});
    });

    it("refuses a target that is already active", async () => {
        const env = setUp();
        await assert.rejects(main(["--to", "prod-us"], env.io), /prod-us is already the active region; nothing to do/);
    });

    it("names the stacks that exist when the target has no stack file", async () => {
        await assertRefused(setUp(), /unknown stack "prod-ap"; stacks: prod-eu, prod-us/, ["--to", "prod-ap"]);
    });

    it("refuses when a stack is not deployed", async () => {
        await assertRefused(setUp(true, ["prod-us"]), /stack prod-eu is not deployed; run pulumi up --stack prod-eu first/);
    });

    it("refuses when the target is unhealthy to begin with", async () => {
        await assertRefused(
            setUp(false),
            /^UsageError: prod-eu is not healthy \(https:\/\/app\.example\.com\/health at prod-eu\.elb\.example\); nothing was changed$/,
        );
    });

    it("refuses when the stack files move a role, record or floor away from what is deployed", async () => {
        const env = setUp();
        editStackFile(env.dir, "prod-eu", (t) => t.replace("multiregion:standbyReplicas: 1", "multiregion:standbyReplicas: 2"));
        env.before["prod-eu"] = files(env.dir)["prod-eu"]!;
        await assertRefused(
            env,
            /prod-eu is not deployed as Pulumi\.prod-eu\.yaml says \(autoscaler floor is 1 deployed, 2 in Pulumi\.prod-eu\.yaml\); nothing was changed/,
        );
    });

    it("refuses when anything else in the stacks differs from what is deployed", async () => {
        const env = setUp();
        env.fleet.drift = 2;
        await assertRefused(
            env,
            /pulumi preview of prod-us shows 2 changes: the stack files or the program differ from what is deployed; deploy them first, nothing was changed/,
        );
    });

    it("refuses a different target while a switchover is in progress, naming the one to finish", async () => {
        const env = setUp();
        const progress = JSON.stringify({ from: "prod-eu", to: "prod-us", done: 2 });
        for (const stack of ["prod-us", "prod-eu"]) await env.fleet.setTag(stack, PROGRESS_TAG, progress);
        await assertRefused(
            env,
            /a switchover from prod-eu to prod-us is in progress \(2 steps done\); finish it first: npm run switchover -- --to prod-us/,
        );
    });

    it("refuses when the stacks record different switchovers, or one it can't read", async () => {
        const env = setUp();
        await env.fleet.setTag("prod-us", PROGRESS_TAG, JSON.stringify({ from: "prod-us", to: "prod-eu", done: 1 }));
        await env.fleet.setTag("prod-eu", PROGRESS_TAG, JSON.stringify({ from: "prod-eu", to: "prod-us", done: 1 }));
        await assertRefused(
            env,
            /the stacks record different switchovers \(prod-eu says prod-eu to prod-us, prod-us says prod-us to prod-eu\); settle them by hand/,
        );
        await env.fleet.setTag("prod-eu", PROGRESS_TAG, "half");
        await assertRefused(env, /stack prod-eu's tag multiregion:switchover is not a switchover's progress \(half\)/);
    });
});
