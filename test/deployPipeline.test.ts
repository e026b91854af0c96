/**
 * The deploy pipeline on main (issue #18): stage, standby then active; a smoke test of stage's
 * public URL; then prod, standby then active. Nothing reaches prod that has not run in stage.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEPLOY_FLEETS } from "../config";
import { describeFailure } from "../tools/cli";
import { main as deployOrderMain } from "../tools/deployOrder";
import { deployFleetStacks, loadStack, ROOT } from "../tools/stacks";
import { testIo } from "./support/fixtures";
import { isCredentialStep, loadWorkflow, stepsOf } from "./support/workflows";

const deploy = loadWorkflow("deploy.yml");
const needsOf = (id: string): string[] => [deploy.jobs[id]!.needs ?? []].flat();
/** Every job `id` waits for, directly or through another. */
function upstream(id: string, seen = new Set<string>()): Set<string> {
    for (const n of needsOf(id)) if (!seen.has(n)) upstream(n, seen.add(n));
    return seen;
}
const PROD_JOBS = ["standby", "active"];
const STAGE_JOBS = ["stage-standby", "stage-active"];

async function order(fleet: string) {
    const io = testIo();
    await deployOrderMain(["--fleet", fleet], io);
    const line = (name: string) => io.lines.find((l) => l.startsWith(`${name}=`))!.slice(name.length + 1);
    return { standby: JSON.parse(line("standby")), active: JSON.parse(line("active")), url: line("url") };
}

describe("the deploy pipeline: stage, its smoke test, then prod", () => {
    it("deploys stage's standby, then its active, then smoke-tests it, then prod's standby, then its active", () => {
        assert.deepEqual(DEPLOY_FLEETS, ["stage", "prod"]);
        assert.deepEqual(needsOf("stage-standby"), ["order"]);
        assert.deepEqual(needsOf("stage-active"), ["order", "stage-standby"]);
        assert.deepEqual(needsOf("stage-smoke"), ["order", "stage-active"]);
        assert.deepEqual(needsOf("standby"), ["order", "stage-smoke"]);
        assert.deepEqual(needsOf("active"), ["order", "standby"]);
        // Every prod job waits for every stage job and the smoke test: a change reaches prod only after stage.
        for (const prod of PROD_JOBS)
            for (const before of [...STAGE_JOBS, "stage-smoke"]) assert.ok(upstream(prod).has(before), `${prod} after ${before}`);
        for (const stage of STAGE_JOBS) for (const prod of PROD_JOBS) assert.ok(!upstream(stage).has(prod), `${stage} before ${prod}`);
    });

    it("deploys each fleet through deploy-stack.yml, from the order its own stack files give", () => {
        const outputs = deploy.jobs.order!.outputs!;
        const steps = stepsOf(deploy.jobs.order!).map((s) => s.run ?? "");
        assert.ok(
            steps.indexOf("npm run -s parity") >= 0 &&
                steps.indexOf("npm run -s parity") < steps.findIndex((r) => r.includes("deploy-order")),
        );
        assert.ok(steps.includes('npm run -s deploy-order -- --fleet stage >> "$GITHUB_OUTPUT"'));
        assert.ok(steps.includes('npm run -s deploy-order -- --fleet prod >> "$GITHUB_OUTPUT"'));
        assert.equal(outputs["stage-standby"], "${{ steps.stage.outputs.standby }}");
        assert.equal(outputs.standby, "${{ steps.prod.outputs.standby }}");
        for (const [job, fleetOutput] of [
            ["stage-standby", "stage-standby"],
            ["standby", "standby"],
        ] as const) {
            assert.equal(deploy.jobs[job]!.uses, "./.github/workflows/deploy-stack.yml");
            assert.equal(deploy.jobs[job]!.strategy.matrix.target, `\${{ fromJSON(needs.order.outputs.${fleetOutput}) }}`);
        }
        assert.equal(deploy.jobs["stage-active"]!.with?.stack, "${{ fromJSON(needs.order.outputs.stage-active).stack }}");
        assert.equal(deploy.jobs.active!.with?.stack, "${{ fromJSON(needs.order.outputs.active).stack }}");
    });

    for (const fleet of DEPLOY_FLEETS) {
        it(`deploy-order --fleet ${fleet}: its standby stacks, then its active one, and the URL users reach`, async () => {
            const stacks = deployFleetStacks(fleet).map((s) => loadStack(s));
            assert.ok(stacks.length >= 2);
            const got = await order(fleet);
            assert.deepEqual(
                got.standby.map((t: { stack: string }) => t.stack).sort(),
                stacks
                    .filter((s) => s.role === "standby")
                    .map((s) => s.stack)
                    .sort(),
            );
            assert.equal(got.active.stack, stacks.find((s) => s.role === "active")!.stack);
            assert.equal(got.url, `https://${stacks[0]!.failover.recordName}/`);
        });
    }

    it("deploy-order refuses a fleet deploy.yml does not deploy, in one line, with exit 2", async () => {
        const err: unknown = await (async () => deployOrderMain(["--fleet", "ci"], testIo()))().catch((e: unknown) => e);
        assert.deepEqual(describeFailure(err, false), { lines: ['error: unknown fleet "ci"; deploy.yml deploys: stage, prod'], code: 2 });
    });

    it("smoke-tests stage's URL over HTTPS for the backend's text, with a bounded retry and no credentials", () => {
        const smoke = deploy.jobs["stage-smoke"]!;
        assert.equal(smoke.env?.URL, "${{ needs.order.outputs.stage-url }}");
        assert.equal(deploy.jobs.order!.outputs!["stage-url"], "${{ steps.stage.outputs.url }}");
        assert.equal(smoke.permissions, undefined, "the workflow's contents: read only");
        assert.ok(!stepsOf(smoke).some(isCredentialStep));
        const script = stepsOf(smoke)
            .map((s) => s.run ?? "")
            .join("\n");
        assert.match(script, /curl --fail [^\n]*--max-time \d+ "\$URL" \| grep -q "backend microservice"/);
        assert.match(script, /for attempt in \$\(seq 1 (\d+)\)/);
        assert.ok(smoke["timeout-minutes"]! <= 15);
        // The text is the backend's answer, which the frontend's page shows.
        const backend = fs.readFileSync(path.join(ROOT, "services", "backend", "app.mjs"), "utf8");
        assert.match(backend, /backend microservice/);
        assert.match(fs.readFileSync(path.join(ROOT, "services", "frontend", "app.mjs"), "utf8"), /escapeHtml\(message\.text\)/);
    });
});
