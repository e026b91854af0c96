import { strict as assert } from "node:assert";
import { Clock, FakeFleet, files, fleetIo, probe, restoreFiles, workdir } from "./support/fakeFleet";
import { editStackFile } from "./support/fixtures";
import { main as guard } from "../tools/deployGuard";
import { main as switchover } from "../tools/switchover/main";

function setUp(existing?: string[]) {
    const dir = workdir();
    const fleet = new FakeFleet(dir, new Clock(), existing);
    return { dir, fleet, io: fleetIo(dir, fleet, probe(true)), before: files(dir) };
}

describe("deploy guard", () => {
    it("lets a deploy go ahead when the stack files are what is deployed", async () => {
        const { io } = setUp();
        assert.equal(await guard(["--stack", "prod-us"], io), 0);
        assert.deepEqual(io.lines, ["deploy of prod-us may go ahead"]);
    });

    it("lets the first deploy of a stack go ahead, whether the stack is missing or created empty", async () => {
        const { io } = setUp(["prod-us"]);
        assert.equal(await guard(["--stack", "prod-eu"], io), 0);
        const empty = setUp();
        empty.fleet.outputs = async (): Promise<Record<string, unknown>> => ({});
        assert.equal(await guard(["--stack", "prod-eu"], empty.io), 0);
    });

    it("refuses every stack of the fleet while a switchover is in progress", async () => {
        const { fleet, io } = setUp();
        fleet.failOnUp = 3;
        await assert.rejects(switchover(["--to", "prod-eu"], io));
        for (const stack of ["prod-us", "prod-eu"]) {
            assert.equal(await guard(["--stack", stack], io), 1);
            assert.equal(
                io.errors.at(-1),
                `refusing to deploy ${stack}: a switchover from prod-us to prod-eu is in progress (2 steps done); deploys wait until it finishes (re-run the switchover workflow, or npm run switchover -- --to prod-eu)`,
            );
        }
    });

    it("refuses stack files from before a finished switchover, which would flip the roles back, and allows them once committed", async () => {
        const { dir, io, before } = setUp();
        await switchover(["--to", "prod-eu"], io);
        const after = files(dir);
        restoreFiles(dir, before);
        assert.equal(await guard(["--stack", "prod-us"], io), 1);
        assert.equal(
            io.errors.at(-1),
            "refusing to deploy prod-us: role is standby deployed, active in Pulumi.prod-us.yaml: only npm run switchover moves these; merge the switchover's stack-file change, or run it",
        );
        restoreFiles(dir, after);
        assert.equal(await guard(["--stack", "prod-us"], io), 0);
        assert.equal(await guard(["--stack", "prod-eu"], io), 0);
    });

    it("lets a floor raised after an outage deploy: only the role and the record need the switchover", async () => {
        const { dir, io } = setUp();
        editStackFile(dir, "prod-eu", (t) => t.replace("multiregion:replicasOverride: 0", "multiregion:replicasOverride: 3"));
        assert.equal(await guard(["--stack", "prod-eu"], io), 0);
    });

    it("reads no tags from a stack not created yet, a new region", async () => {
        const { fleet, io } = setUp(["prod-us"]);
        fleet.tag = (stack: string) =>
            stack === "prod-eu" ? Promise.reject(new Error("no stack named prod-eu")) : Promise.resolve(undefined);
        assert.equal(await guard(["--stack", "prod-us"], io), 0);
    });

    it("answers a missing or unknown stack with a usage error", async () => {
        const { io } = setUp();
        await assert.rejects(guard([], io), /--stack is required; stacks: prod-eu, prod-us/);
        await assert.rejects(guard(["--stack", "prod-ap"], io), /unknown stack "prod-ap"/);
    });
});
