import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { MAX_TOKEN_SECONDS } from "../bootstrap/pulumiCloud";
import { listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { describeFailure } from "../tools/cli";
import { main as planMain } from "../tools/plan/main";
import { fleetOf, listStacks, ROOT } from "../tools/stacks";
import { BOOTSTRAP_ROOT, bootstrapRun, one, runBootstrap } from "./support/bootstrap";
import { copyStackFiles, testIo } from "./support/fixtures";

const ISSUER = "pulumiservice:index:OidcIssuer";

/** The longest `token-expiration` any workflow asks Pulumi for. */
function longestTokenRequest(): number {
    const dir = path.join(ROOT, ".github", "workflows");
    const asked = fs
        .readdirSync(dir)
        .flatMap((f) => [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/token-expiration:\s*(\d+)/g)].map((m) => Number(m[1])));
    assert.ok(asked.length > 0, "the workflows ask for Pulumi tokens");
    return Math.max(...asked);
}

describe("bootstrap: the state backend", () => {
    describe("Pulumi Cloud", () => {
        it("one GitHub issuer, in the repository-wide stack only, with a maximum that covers the longest token a workflow asks for", async () => {
            const issuers = [];
            for (const stack of listBootstrapStacks())
                issuers.push(...(await bootstrapRun(stack)).resources.ofType(ISSUER).map((i) => ({ stack, i })));
            assert.deepEqual(
                issuers.map((x) => x.stack),
                listBootstrapStacks().filter((s) => loadBootstrapStack(s).repositoryWide),
            );
            const issuer = issuers[0]!.i;
            assert.equal(issuer.inputs.url, "https://token.actions.githubusercontent.com");
            assert.equal(issuer.inputs.maxExpirationSeconds, MAX_TOKEN_SECONDS);
            assert.ok(MAX_TOKEN_SECONDS >= longestTokenRequest(), `${MAX_TOKEN_SECONDS} < ${longestTokenRequest()}`);
        });

        it("one allow policy per exact subject of every bootstrap stack, with the token type each edition allows", async () => {
            const run = await bootstrapRun("prod");
            const policies = one(run, ISSUER).inputs.policies as any[];
            const config = loadBootstrapStack("prod");
            const repo = `${config.github.owner}/${config.github.repository}`;
            const wf = `${config.github.ownerLogin}/${config.github.repositoryName}/.github/workflows`;
            const aud = `urn:pulumi:org:${config.pulumi.org}`;
            const deployStacks = listBootstrapStacks()
                .flatMap((s) => loadBootstrapStack(s).fleets)
                .flatMap((f) => listStacks().filter((s) => fleetOf(s) === f));
            // No preview policy: previewTokenType none, since an organization token could write production state.
            assert.equal(config.pulumi.preview.tokenType, "none");
            const expected = [
                ...deployStacks.map((s) => ({
                    sub: `repo:${repo}:environment:${s}:ref:refs/heads/main:job_workflow_ref:${wf}/deploy-stack.yml@refs/heads/main`,
                    tokenType: "organization",
                })),
                {
                    sub: `repo:${repo}:environment:prod-switchover:ref:refs/heads/main:job_workflow_ref:${wf}/switchover.yml@refs/heads/main`,
                    tokenType: "organization",
                },
                {
                    sub: `repo:${repo}:environment:sandbox:ref:refs/heads/main:job_workflow_ref:${wf}/nightly.yml@refs/heads/main`,
                    tokenType: "organization",
                },
            ];
            const bySub = (a: { sub: string }, b: { sub: string }) => a.sub.localeCompare(b.sub);
            assert.deepEqual(policies.map((p) => ({ sub: p.rules.sub, tokenType: p.tokenType })).sort(bySub), expected.sort(bySub));
            for (const p of policies) {
                assert.equal(p.decision, "allow");
                assert.equal(p.rules.aud, aud);
                // Organization tokens from OIDC get standard rights, never admin.
                assert.deepEqual(p.authorizedPermissions, ["standard"]);
            }
        });

        it("team tokens, on an edition that issues them, name their team", async () => {
            const run = await runBootstrap("prod", {
                pulumiEdition: "enterprise",
                previewTokenType: "team",
                previewTeam: "ci-preview",
                rehearsalTokenType: "team",
                rehearsalTeam: "ci-sandbox",
            });
            const policies = one(run, ISSUER).inputs.policies as any[];
            const teams = policies
                .filter((p) => p.tokenType === "team")
                .map((p) => [p.teamName, p.rules.sub.split(":job_workflow_ref:")[0]]);
            assert.deepEqual(teams, [
                ["ci-preview", "repo:octo-org/multiregion:pull_request:ref:refs/pull/*"],
                ["ci-sandbox", "repo:octo-org/multiregion:environment:sandbox:ref:refs/heads/main"],
            ]);
        });
    });

    describe("accounts and the hosted zone", () => {
        it("a new member account: named, its address validated, closed never by this program, and reached through OrganizationAccountAccessRole", async () => {
            const run = await bootstrapRun("sandbox");
            const account = one(run, "aws:organizations/account:Account");
            assert.equal(account.inputs.email, "aws+multiregion-sandbox@example.com");
            assert.equal(account.inputs.roleName, "OrganizationAccountAccessRole");
            assert.equal(account.inputs.closeOnDeletion, false);
            assert.ok(account.protect);
            const provider = run.resources.get("pulumi:providers:aws", "sandbox-provider");
            assert.deepEqual(
                JSON.parse(provider.inputs.assumeRoles).map((r: any) => r.roleArn),
                [`arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`],
            );
            assert.equal(JSON.parse(provider.inputs.allowedAccountIds)[0], account.id);
            // Everything inside the account goes through its providers (one per region the clusters use), each
            // as the access role; only the account itself uses the management one.
            const inside = run.resources.ofType("pulumi:providers:aws").filter((p) => p.name.startsWith("sandbox-provider"));
            assert.ok(inside.length >= 2);
            for (const p of inside) assert.deepEqual(JSON.parse(p.inputs.assumeRoles), JSON.parse(provider.inputs.assumeRoles), p.name);
            const refs = inside.map((p) => run.resources.providerRef(p));
            for (const r of run.resources.resources.filter(
                (x) => x.custom && x.type.startsWith("aws:") && x.type !== "aws:organizations/account:Account",
            )) {
                assert.ok(refs.includes(r.provider), r.name);
            }
        });

        it("an existing account: the provider refuses credentials for any other", async () => {
            const run = await bootstrapRun("prod");
            const provider = run.resources.get("pulumi:providers:aws", "aws");
            assert.deepEqual(JSON.parse(provider.inputs.allowedAccountIds), [(loadBootstrapStack("prod").account as { id: string }).id]);
            assert.deepEqual(run.resources.ofType("aws:organizations/account:Account"), []);
        });

        it("a managed zone has Route 53 accelerated recovery on, and is protected", async () => {
            const run = await bootstrapRun("sandbox");
            const zone = one(run, "aws:route53/zone:Zone");
            assert.equal(zone.inputs.name, "sandbox.example.com");
            assert.equal(zone.inputs.enableAcceleratedRecovery, true);
            assert.ok(zone.protect);
            assert.deepEqual((await bootstrapRun("prod")).resources.ofType("aws:route53/zone:Zone"), []);
        });
    });

    it("npm run plan -- --bootstrap names every bad bootstrap stack file before planning any (exit 2)", async () => {
        const root = copyStackFiles();
        fs.mkdirSync(path.join(root, "bootstrap"));
        for (const f of fs.readdirSync(BOOTSTRAP_ROOT).filter((f) => f.endsWith(".yaml"))) {
            fs.copyFileSync(path.join(BOOTSTRAP_ROOT, f), path.join(root, "bootstrap", f));
        }
        const sandbox = path.join(root, "bootstrap", "Pulumi.sandbox.yaml");
        fs.writeFileSync(
            sandbox,
            fs.readFileSync(sandbox, "utf8").replace("aws+multiregion-sandbox@example.com", "sandbox-at-example.com"),
        );
        const io = testIo({ root });
        const err = await planMain(["--bootstrap", "--stack", "prod"], io).then(
            () => assert.fail("planned"),
            (e: unknown) => e,
        );
        assert.ok(err instanceof Error);
        assert.deepEqual(describeFailure(err, false), {
            lines: [
                'error: bootstrap/Pulumi.sandbox.yaml:\n  - multiregion-bootstrap:accountEmail: got "sandbox-at-example.com"; allowed: an e-mail address such as "aws+prod@example.com" (6 to 64 characters), or ""',
            ],
            code: 2,
        });
        assert.deepEqual(io.lines, []);
    });

    it("npm run plan -- --bootstrap plans every bootstrap stack", async () => {
        const io = testIo();
        await planMain(["--bootstrap"], io);
        const text = io.lines.join("\n");
        for (const stack of listBootstrapStacks()) assert.match(text, new RegExp(`^Plan for ${stack}: `, "m"));
        assert.match(text, /aws:iam\/role:Role {2}prod-deploy {2}name=multiregion-deploy {2}maxSessionDuration=10800/);
        assert.match(text, /enableAcceleratedRecovery=true/);
        // Every output is defined in every stack: nothing the engine would drop with a warning.
        for (const stack of listBootstrapStacks()) assert.deepEqual((await bootstrapRun(stack)).warnings, [], stack);
    });
});
