/**
 * Who may obtain credentials, where and after what (issue #17): only on main, in exactly the
 * environments the trust names, after an install that runs no scripts; and who owns the paths
 * that decide it. The rules every workflow keeps are in workflowRules.test.ts.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BootstrapConfig } from "../bootstrap/config";
import { subjectsOf } from "../bootstrap/subjects";
import { main as deployOrderMain } from "../tools/deployOrder";
import { fleetOf, listStacks, ROOT } from "../tools/stacks";
import { testIo } from "./support/fixtures";
import { list, policyFiles, readPolicy } from "./support/iamPolicies";
import { MAIN_ONLY, oidcSubjects } from "./support/workflowAccess";
import { isInstall, loadWorkflow, stepsOf, workflowFiles } from "./support/workflows";

const files = workflowFiles();
const wf = loadWorkflow;

describe("GitHub Actions: credentials, installs and owners", () => {
    describe("credentials only for main, in exactly the environments the trust names (issue #17)", () => {
        const prodStacks = listStacks().filter((s) => fleetOf(s) === "prod");
        const stageStacks = listStacks().filter((s) => fleetOf(s) === "stage");
        // deploy-stack.yml runs in every stack of the fleets deploy.yml deploys.
        const subjects = files.flatMap((f) => oidcSubjects(wf(f), [...stageStacks, ...prodStacks]));
        const at = (context: string, file: string, ref = "refs/heads/main") =>
            `repo:<OWNER>/<REPO>:${context}:ref:${ref}:job_workflow_ref:<OWNER>/<REPO>/.github/workflows/${file}@${ref}`;

        it("presents one subject per stage and prod stack file from deploy-stack.yml, prod-switchover, sandbox, and pull_request for previews", () => {
            assert.ok(prodStacks.length >= 2 && stageStacks.length >= 2);
            assert.deepEqual(
                subjects.sort(),
                [
                    ...[...stageStacks, ...prodStacks].map((s) => at(`environment:${s}`, "deploy-stack.yml")),
                    at("environment:sandbox", "nightly.yml"),
                    at("environment:prod-switchover", "switchover.yml"),
                    at("pull_request", "preview.yml", "refs/pull/*"),
                ].sort(),
            );
        });

        it("presents exactly the subjects the trusts name: the iam/github-trust-*.json files (prod, sandbox, previews) and the stage account's, which the bootstrap derives", () => {
            const github = {
                owner: "<OWNER>",
                repository: "<REPO>",
                ownerLogin: "<OWNER>",
                repositoryName: "<REPO>",
            } as BootstrapConfig["github"];
            // The stage account's deploy role: its own trust, never the prod file's (a stage job must not reach prod).
            const stage = subjectsOf(github, "deploy", { stage: stageStacks });
            assert.ok(stage.every((sub) => sub.includes(":environment:stage-")));
            const trusted = policyFiles()
                .filter((f) => f.startsWith("github-trust-"))
                .flatMap((f) =>
                    readPolicy(f).Statement.flatMap((st) =>
                        Object.values(st.Condition ?? {}).flatMap((block) => list(block["token.actions.githubusercontent.com:sub"])),
                    ),
                );
            assert.ok(trusted.length >= 5);
            assert.ok(!trusted.some((sub) => sub.includes(":environment:stage-")), "the prod trust names no stage environment");
            assert.deepEqual([...subjects].sort(), [...trusted, ...stage].sort());
        });

        it("deploy-stack.yml is only ever given the stage and prod stacks: deploy.yml passes what deploy-order prints", async () => {
            const passed: string[] = [];
            for (const fleet of ["stage", "prod"]) {
                const io = testIo();
                await deployOrderMain(["--fleet", fleet], io);
                const line = (name: string) => JSON.parse(io.lines.find((l) => l.startsWith(`${name}=`))!.slice(name.length + 1));
                passed.push(...line("standby").map((t: { stack: string }) => t.stack), line("active").stack);
            }
            assert.deepEqual(passed.sort(), [...stageStacks, ...prodStacks].sort());
        });

        it("the switchover runs only for the people an admin lists in vars.SWITCHOVER_ACTORS, whoever dispatches or re-runs it", () => {
            const job = wf("switchover.yml").jobs.switchover!;
            assert.equal(job.if, `${MAIN_ONLY} && contains(fromJSON(vars.SWITCHOVER_ACTORS || '[]'), github.triggering_actor)`);
            assert.deepEqual(wf("switchover.yml").jobs["pull-request"]!.needs, "switchover");
        });

        it("pull-request previews run PR code on a runner of their own, never on the deploy jobs' runner", () => {
            const runsOn = (file: string, id: string) => (wf(file).jobs[id] as { "runs-on"?: unknown })["runs-on"];
            assert.equal(runsOn("preview.yml", "preview"), "${{ vars.PREVIEW_RUNNER }}");
            for (const [file, id] of [
                ["deploy-stack.yml", "up"],
                ["switchover.yml", "switchover"],
            ] as const)
                assert.equal(runsOn(file, id), "${{ vars.PROD_RUNNER }}", `${file} ${id}`);
        });

        it("every job that obtains credentials, but the pull-request preview, runs only on main", () => {
            const gated = files.flatMap((f) =>
                Object.entries(wf(f).jobs)
                    .filter(([, job]) => (job.if ?? "").includes(MAIN_ONLY))
                    .map(([id]) => `${f} ${id}`),
            );
            assert.deepEqual(gated, [
                "deploy-stack.yml up",
                "nightly.yml rehearsal",
                "nightly.yml cleanup",
                "switchover.yml switchover",
                "switchover.yml pull-request",
            ]);
        });
    });

    it("installs with --ignore-scripts wherever it installs, .ci/run included, so the suite proves such an install works", () => {
        const installs = files.flatMap((f) => Object.values(wf(f).jobs).flatMap((job) => stepsOf(job).filter(isInstall)));
        assert.ok(installs.length >= 10);
        for (const s of installs) assert.equal(s.run, "npm ci --ignore-scripts");
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm ci --ignore-scripts --no-audit --no-fund$/m);
    });

    it("has a CODEOWNERS example that owns everything, and names iam/, .github/ and the stack files, the glob naming exactly the stack files", () => {
        for (const dir of ["iam", ".github"]) assert.ok(fs.statSync(path.join(ROOT, dir)).isDirectory(), dir);
        const text = fs.readFileSync(path.join(ROOT, ".github", "CODEOWNERS"), "utf8");
        const rules = text
            .split("\n")
            .filter((l) => l.trim() && !l.startsWith("#"))
            .map((l) => l.trim().split(/\s+/));
        assert.deepEqual(
            rules.map(([pattern]) => pattern),
            ["*", "/iam/", "/.github/", "/Pulumi.*.yaml"],
        );
        for (const [pattern, ...owners] of rules)
            assert.ok(owners.length > 0 && owners.every((o) => /^@[\w.-]+(\/[\w.-]+)?$/.test(o)), pattern);
        const stackFiles = fs.readdirSync(ROOT).filter((f) => /^Pulumi\..*\.yaml$/.test(f));
        assert.deepEqual(
            stackFiles.sort(),
            listStacks()
                .map((s) => `Pulumi.${s}.yaml`)
                .sort(),
        );
    });
});
