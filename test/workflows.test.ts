/** What each workflow does, in order (issues #10 and #12); the rules all of them keep are in workflowRules.test.ts. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { deployOrder, main as deployOrderMain } from "../tools/deployOrder";
import { readProject, regionStacks, ROOT } from "../tools/stacks";
import { testIo } from "./support/fixtures";
import { isInstall, Job, loadWorkflow, nightlyProblems, outOfOrder, Step, usesAction, workflowFiles } from "./support/workflows";

const files = workflowFiles();
const wf = loadWorkflow;
const steps = (job: Job): Step[] => job.steps ?? [];
const PROJECT = readProject().name;
const PROD_GROUP = { group: "pulumi-prod", "cancel-in-progress": false };
const ORG_TOKEN = "urn:pulumi:token-type:access_token:organization";
const isCliInstall = (s: Step) => usesAction(s, "pulumi/actions") && s.with?.command === undefined;
const runs = (pattern: RegExp) => (s: Step) => pattern.test(s.run ?? "");
/** Runs verify on `what` (--strict), keeps its JSON, and stops on a FAIL (exit 1) but not on UNKNOWN alone (3). */
const verifies = (what: string, out = "verify") =>
    runs(
        new RegExp(
            `npm run -s verify -- ${what} --strict --out ${out}\\.json \\|\\| status=\\$\\?\\n\\s*\\[ "\\$status" -eq 0 \\] \\|\\| \\[ "\\$status" -eq 3 \\]`,
        ),
    );

describe("GitHub Actions workflows", () => {
    it("has the CI, preview, deploy, per-stack deploy, switchover and nightly workflows", () => {
        assert.deepEqual(files, ["ci.yml", "deploy-stack.yml", "deploy.yml", "nightly.yml", "preview.yml", "switchover.yml"]);
    });

    it("runs every Pulumi step on the CLI version of the SDK in package.json, not the runner's", () => {
        const sdk = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> })
            .dependencies["@pulumi/pulumi"];
        assert.equal(fs.readFileSync(path.join(ROOT, ".pulumi.version"), "utf8").trim(), sdk);
        const pulumiSteps = files
            .flatMap((f) => Object.values(wf(f).jobs).flatMap((job) => steps(job)))
            .filter((s) => usesAction(s, "pulumi/actions"));
        assert.ok(pulumiSteps.length >= 8);
        for (const s of pulumiSteps) assert.equal(s.with?.["pulumi-version-file"], ".pulumi.version");
    });

    it("runs jobs with a prod role on the fixed-egress runner prod's API admits, the rest on ubuntu-24.04, with the Node version the project declares", () => {
        const jobs = files.flatMap((f) => Object.values(wf(f).jobs));
        const setups = jobs.flatMap((job) => steps(job).filter((s) => usesAction(s, "actions/setup-node")));
        assert.ok(setups.length >= 9);
        for (const s of setups) assert.equal(s.with?.["node-version-file"], ".nvmrc");
        // publicAccessCidrs in prod admits only fixed egress addresses (docs/deploying.md).
        const prodRole = (job: (typeof jobs)[number]) =>
            steps(job).some(
                (s) =>
                    usesAction(s, "aws-actions/configure-aws-credentials") &&
                    /vars\.AWS_(DEPLOY|PREVIEW)_ROLE_ARN/.test(String(s.with?.["role-to-assume"])),
            );
        const own = jobs.filter((j) => !j.uses);
        assert.ok(own.filter(prodRole).length >= 3);
        for (const job of own) {
            assert.ok(
                prodRole(job)
                    ? ["${{ vars.PROD_RUNNER }}", "${{ vars.PREVIEW_RUNNER }}"].includes((job as any)["runs-on"])
                    : (job as any)["runs-on"] === "ubuntu-24.04",
                String((job as any)["runs-on"]),
            );
            assert.equal(job.container, undefined);
            assert.ok(job["timeout-minutes"]! > 0);
        }
    });

    it("ci runs the type check, lint, the README's test command, and the offline plan", () => {
        const ci = wf("ci.yml");
        const run = steps(ci.jobs.test!).map((s) => s.run);
        assert.deepEqual(run.slice(-4), ["npm ci --ignore-scripts", "npm run typecheck", "npm run lint", "npm test"]);
        assert.ok(steps(ci.jobs.plan!).some((s) => /npm run -s plan/.test(s.run ?? "")));
        assert.deepEqual(ci.on, { pull_request: null, push: { branches: ["main"] } });
    });

    describe("preview", () => {
        const preview = wf("preview.yml");
        const job = preview.jobs.preview!;

        it("previews exactly the production stacks, each in its own region, read from the stack files", async () => {
            assert.equal(job.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
            assert.ok(steps(preview.jobs.stacks!).some((s) => s.run === 'npm run -s deploy-order >> "$GITHUB_OUTPUT"'));
            const io = testIo();
            await deployOrderMain([], io);
            const stacks = JSON.parse(io.lines.find((l) => l.startsWith("stacks="))!.slice("stacks=".length));
            assert.deepEqual(
                stacks,
                regionStacks().map((s) => ({ stack: s.stack, region: s.region })),
            );
            assert.equal(job.strategy["fail-fast"], false);
        });

        it("uses the preview team's token and the read-only role, and never creates a stack", () => {
            const auth = steps(job).find((s) => usesAction(s, "pulumi/auth-actions"))!;
            assert.equal(auth.with?.["requested-token-type"], "urn:pulumi:token-type:access_token:team");
            assert.equal(auth.with?.scope, "team:${{ vars.PULUMI_PREVIEW_TEAM }}");
            const aws = steps(job).find((s) => usesAction(s, "aws-actions/configure-aws-credentials"))!;
            assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
            const run = steps(job).find((s) => usesAction(s, "pulumi/actions"))!;
            assert.deepEqual([run.with?.command, run.with?.upsert, run.with?.["comment-on-pr"]], ["preview", undefined, true]);
        });

        it("gives fork and Dependabot pull requests, and every pull request without a read-only team, the offline plan instead of credentials", () => {
            // The author, not github.actor: a writer who pushes to a Dependabot branch, or re-runs it, is its actor.
            // With the S3 backend the read-only AWS role is the only credential, so no team is needed.
            const same =
                "github.event.pull_request.head.repo.full_name == github.repository && github.event.pull_request.user.login != 'dependabot[bot]' && (vars.PULUMI_PREVIEW_TEAM != '' || vars.PULUMI_BACKEND == 's3')";
            assert.equal(preview.jobs.stacks!.if, same);
            assert.equal(job.needs, "stacks");
            assert.equal(
                preview.jobs.offline!.if,
                "github.event.pull_request.head.repo.full_name != github.repository || github.event.pull_request.user.login == 'dependabot[bot]' || (vars.PULUMI_PREVIEW_TEAM == '' && vars.PULUMI_BACKEND != 's3')",
            );
            assert.equal(preview.jobs.offline!.permissions, undefined);
        });
    });

    describe("deploy", () => {
        const deploy = wf("deploy.yml");
        const up = wf("deploy-stack.yml").jobs.up!;

        it("deploys every standby before the active region, in the order the stack files give", () => {
            assert.deepEqual(deploy.jobs.active!.needs, ["order", "standby"]);
            assert.equal(deploy.jobs.standby!.strategy.matrix.target, "${{ fromJSON(needs.order.outputs.standby) }}");
            assert.equal(deploy.jobs.active!.with?.stack, "${{ fromJSON(needs.order.outputs.active).stack }}");
            const stacks = regionStacks();
            const order = deployOrder(stacks);
            assert.deepEqual(
                order.standby.map((t) => t.stack),
                stacks.filter((s) => s.role === "standby").map((s) => s.stack),
            );
            assert.equal(order.active.stack, stacks.find((s) => s.role === "active")!.stack);
        });

        it("runs each stack in its GitHub environment, under the caller's concurrency group only", () => {
            assert.equal(up.environment, "${{ inputs.stack }}");
            assert.equal(up.env?.STACK, "${{ inputs.stack }}");
            // The same group in caller and called workflow deadlocks: reusing-workflow-configurations.
            assert.equal(up.concurrency, undefined);
            for (const job of [deploy.jobs.standby!, deploy.jobs.active!]) assert.equal(job.uses, "./.github/workflows/deploy-stack.yml");
        });

        it("takes AWS credentials (the S3 backend's too), guards, pushes images, runs pulumi up (upsert), checks health, then verifies", () => {
            const health = /pulumi config get [\s\S]*--connect-to "\$name:443:\$lb:443" "https:\/\/\$name\/health"/;
            const order: [string, (s: Step) => boolean][] = [
                ["npm ci", isInstall],
                ["Pulumi CLI", isCliInstall],
                ["org token", (s) => usesAction(s, "pulumi/auth-actions") && s.with?.["requested-token-type"] === ORG_TOKEN],
                ["deploy role", (s) => s.with?.["role-to-assume"] === "${{ vars.AWS_DEPLOY_ROLE_ARN }}"],
                ["guard", (s) => s.run === 'npm run -s deploy-guard -- --stack "$STACK"'],
                ["images, into this stack's region only", (s) => s.run === 'npm run images -- --stack "$STACK"'],
                ["up", (s) => s.with?.command === "up" && s.with?.upsert === true],
                ["health", runs(health)],
                ["verify", verifies('--stack "\\$STACK"')],
            ];
            assert.deepEqual(outOfOrder(up, order), []);
            const check = steps(up).find(runs(health))!.run!;
            assert.match(check, new RegExp(`loadBalancerHostname[\\s\\S]*${PROJECT}:recordName`));
        });

        it("shares one concurrency group with the switchover, and no other workflow holds it", () => {
            assert.deepEqual(deploy.concurrency, PROD_GROUP);
            assert.deepEqual(wf("switchover.yml").concurrency, PROD_GROUP);
            const holders = files.filter((f) => JSON.stringify(wf(f).concurrency ?? "").includes("pulumi-prod"));
            assert.deepEqual(holders, ["deploy.yml", "switchover.yml"]);
        });
    });

    describe("switchover", () => {
        const w = wf("switchover.yml");
        const job = w.jobs.switchover!;
        const pr = w.jobs["pull-request"]!;

        it("is started by hand with the target stack and a dry-run switch, behind the prod-switchover environment", () => {
            assert.deepEqual(Object.keys(w.on), ["workflow_dispatch"]);
            assert.deepEqual(w.on.workflow_dispatch.inputs.to.required, true);
            assert.equal(w.on.workflow_dispatch.inputs["dry-run"].type, "boolean");
            assert.equal(job.environment, "prod-switchover");
            assert.deepEqual([job.env?.TO, job.env?.DRY_RUN], ["${{ inputs.to }}", "${{ inputs.dry-run }}"]);
        });

        it("runs the tool after the Pulumi CLI, the org token and the deploy role", () => {
            const order: [string, (s: Step) => boolean][] = [
                ["npm ci", isInstall],
                ["Pulumi CLI", isCliInstall],
                ["org token", (s) => s.with?.["requested-token-type"] === ORG_TOKEN],
                ["deploy role", (s) => s.with?.["role-to-assume"] === "${{ vars.AWS_DEPLOY_ROLE_ARN }}"],
                ["switchover", runs(/^args=\(--to "\$TO"\)\n[\s\S]*npm run switchover -- "\$\{args\[@\]\}"\n$/)],
            ];
            assert.deepEqual(outOfOrder(job, order), []);
        });

        it("opens a pull request with the edited stack files from a job that runs no project code", () => {
            assert.equal(pr.needs, "switchover");
            assert.equal(pr.if, "${{ !inputs.dry-run && github.ref == 'refs/heads/main' }}");
            assert.equal(pr.permissions, undefined, "the workflow's contents: read; the App's token writes");
            assert.ok(!steps(pr).some(isInstall));
            assert.ok(steps(pr).some((s) => /gh pr create/.test(s.run ?? "")));
        });

        it("opens it as the switchover GitHub App, with only contents and pull-requests write, behind switchover-pr", () => {
            const app = steps(pr).find((s) => usesAction(s, "actions/create-github-app-token"))!;
            assert.equal(pr.environment, "switchover-pr");
            assert.deepEqual(app.with, {
                "client-id": "${{ vars.SWITCHOVER_APP_CLIENT_ID }}",
                "private-key": "${{ secrets.SWITCHOVER_APP_PRIVATE_KEY }}",
                "permission-contents": "write",
                "permission-pull-requests": "write",
            });
            // v3.1.1's commit in actions/create-github-app-token (the tag, read from the repository).
            assert.equal(app.uses, "actions/create-github-app-token@1b10c78c7865c340bc4f6099eb2f838309f1e8c3");
            const open = steps(pr).find((s) => /gh pr create/.test(s.run ?? ""))!;
            assert.equal(open.env?.GH_TOKEN, `\${{ steps.${app.id}.outputs.token }}`);
            assert.equal(steps(job).find((s) => usesAction(s, "actions/upload-artifact"))?.with?.path, "Pulumi.*.yaml");
        });
    });

    describe("nightly rehearsal", () => {
        const w = wf("nightly.yml");
        const job = w.jobs.rehearsal!;

        it("runs on a schedule and by hand, only once a sandbox account is named, in its own concurrency group", () => {
            assert.match(w.on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
            assert.ok("workflow_dispatch" in w.on);
            assert.equal(job.if, "vars.SANDBOX_AWS_ACCOUNT_ID != '' && github.ref == 'refs/heads/main'");
            assert.deepEqual(w.concurrency, { group: "nightly-sandbox", "cancel-in-progress": false });
            assert.deepEqual([job.environment, w.jobs.cleanup!.environment], ["sandbox", "sandbox"]);
        });

        it("asks Pulumi for the token the edition issues: a team's where PULUMI_SANDBOX_TEAM is set, else the organization's, without a scope", () => {
            const auths = [job, w.jobs.cleanup!].flatMap((j) => steps(j).filter((s) => usesAction(s, "pulumi/auth-actions")));
            assert.equal(auths.length, 2);
            for (const s of auths) {
                assert.equal(
                    s.with?.["requested-token-type"],
                    "${{ vars.PULUMI_SANDBOX_TEAM != '' && 'urn:pulumi:token-type:access_token:team' || 'urn:pulumi:token-type:access_token:organization' }}",
                );
                assert.equal(s.with?.scope, "${{ vars.PULUMI_SANDBOX_TEAM != '' && format('team:{0}', vars.PULUMI_SANDBOX_TEAM) || '' }}");
            }
        });

        it("points the ci stacks at the sandbox, brings up the standby then the active, drills, checks, switches over and back", () => {
            const create = steps(job).find(runs(/pulumi stack select --create/))!;
            for (const key of ["accountId", "deployRoleArn", "hostedZone", "recordName"])
                assert.match(create.run!, new RegExp(`config set --stack "\\$PULUMI_ORG/\\$stack" ${PROJECT}:${key} "\\$`), key);
            assert.equal(create.env?.ACCOUNT_ID, "${{ vars.SANDBOX_AWS_ACCOUNT_ID }}");
            const up = (stack: string) => (s: Step) =>
                s.with?.command === "up" && s.with?.upsert === true && s.with?.["stack-name"] === stack;
            const order: [string, (s: Step) => boolean][] = [
                ["create", (s) => s === create],
                ["images", (s) => s.run === 'npm run images -- --stack "$STANDBY" --stack "$ACTIVE"'],
                ["up standby", up("${{ env.PULUMI_ORG }}/${{ env.STANDBY }}")],
                ["up active", up("${{ env.PULUMI_ORG }}/${{ env.ACTIVE }}")],
                ["page", runs(/--connect-to "\$name:443:\$lb:443"/)],
                ["verify", verifies('--fleet "\\$FLEET"')],
                ["drill", runs(/--out drill\.json/)],
                ["switchover", runs(/switchover -- --to "\$STANDBY"\n\s*npm run switchover -- --to "\$ACTIVE"/)],
                ["verify after the switchover", verifies('--fleet "\\$FLEET"', "verify-after")],
            ];
            assert.deepEqual(outOfOrder(job, order), []);
            assert.deepEqual([w.env?.ACTIVE, w.env?.STANDBY, w.env?.FLEET], ["ci-us", "ci-eu", "ci"]);
        });

        it("always destroys and removes both stacks, and always keeps drill.json and a summary", () => {
            assert.deepEqual(nightlyProblems(w), []);
            assert.ok(steps(job).some((s) => s.if === "always()" && /GITHUB_STEP_SUMMARY/.test(s.run ?? "")));
        });
    });

    it("has Dependabot update npm (Pulumi grouped), every lockfile's folder, the actions and the apps' Docker base image", () => {
        const config = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8"));
        const by = (eco: string) => config.updates.find((u: any) => u["package-ecosystem"] === eco);
        assert.deepEqual(by("npm").groups.pulumi.patterns, ["@pulumi/*"]);
        assert.equal(by("github-actions").directory, "/");
        assert.deepEqual(by("docker").directories, ["/services"]);
        for (const dir of by("docker").directories) assert.ok(fs.existsSync(path.join(ROOT, dir, "Dockerfile")), dir);
        // Each lockfile the images or the program install from is updated: the root's and the backend image's.
        const npmDirs = config.updates.filter((u: any) => u["package-ecosystem"] === "npm").map((u: any) => u.directory);
        const lockDirs = ["/", "/services"].filter((d) => fs.existsSync(path.join(ROOT, d, "package-lock.json")));
        assert.deepEqual(npmDirs.sort(), lockDirs.sort());
    });

    it(".ci/run runs the lint too", () => {
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm run lint$/m);
    });
});
