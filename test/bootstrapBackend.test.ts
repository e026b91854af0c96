import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { deniedState } from "../bootstrap/policies";
import { MAX_TOKEN_SECONDS } from "../bootstrap/pulumiCloud";
import { listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { fleetOf, listStacks, ROOT } from "../tools/stacks";
import { main as planMain } from "../tools/plan/main";
import {
    ATTACHMENT,
    BOOTSTRAP_ROOT,
    bootstrapRun,
    documentOf,
    expectedPolicy,
    POLICY,
    policyNamed,
    roleNamed,
    runBootstrap,
    VARIABLE,
} from "./support/bootstrap";
import type { BootstrapRun } from "./support/bootstrap";
import { copyStackFiles, testIo } from "./support/fixtures";
import { describeFailure } from "../tools/cli";

const ISSUER = "pulumiservice:index:OidcIssuer";
const variablesOf = (run: BootstrapRun) =>
    Object.fromEntries(run.resources.ofType(VARIABLE).map((v) => [v.inputs.variableName as string, v.inputs.value]));
const one = (run: BootstrapRun, type: string) => {
    const found = run.resources.ofType(type);
    assert.equal(found.length, 1, `one ${type}, found ${found.length}`);
    return found[0]!;
};

/** The self-managed backend, for each stack: the same file with backend s3 (and no Pulumi keys, which that mode ignores). */
const s3Runs = new Map<string, Promise<BootstrapRun>>();
function s3Run(stack: string): Promise<BootstrapRun> {
    if (!s3Runs.has(stack)) s3Runs.set(stack, runBootstrap(stack, { backend: "s3" }));
    return s3Runs.get(stack)!;
}

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
            const expected = [
                { sub: `repo:${repo}:pull_request:job_workflow_ref:${wf}/preview.yml@refs/pull/*`, tokenType: "organization" },
                ...deployStacks.map((s) => ({
                    sub: `repo:${repo}:environment:${s}:job_workflow_ref:${wf}/deploy-stack.yml@refs/heads/main`,
                    tokenType: "organization",
                })),
                {
                    sub: `repo:${repo}:environment:prod-switchover:job_workflow_ref:${wf}/switchover.yml@refs/heads/main`,
                    tokenType: "organization",
                },
                { sub: `repo:${repo}:environment:sandbox:job_workflow_ref:${wf}/nightly.yml@refs/heads/main`, tokenType: "organization" },
            ];
            assert.deepEqual(
                policies.map((p) => ({ sub: p.rules.sub, tokenType: p.tokenType })),
                expected,
            );
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
                ["ci-preview", "repo:octo-org/multiregion:pull_request"],
                ["ci-sandbox", "repo:octo-org/multiregion:environment:sandbox"],
            ]);
        });
    });

    describe("self-managed S3", () => {
        for (const stack of listBootstrapStacks()) {
            it(`${stack}: a versioned bucket, encrypted with the state key, public access blocked, TLS only, both protected`, async () => {
                const run = await s3Run(stack);
                const bucket = one(run, "aws:s3/bucket:Bucket");
                const key = one(run, "aws:kms/key:Key");
                assert.ok(bucket.protect && key.protect);
                assert.equal(key.inputs.enableKeyRotation, true);
                const ref = bucket.id;
                assert.deepEqual(one(run, "aws:s3/bucketVersioning:BucketVersioning").inputs, {
                    bucket: ref,
                    versioningConfiguration: { status: "Enabled" },
                });
                assert.deepEqual(
                    one(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs,
                    {
                        bucket: ref,
                        rules: [
                            {
                                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn },
                                bucketKeyEnabled: true,
                            },
                        ],
                    },
                );
                assert.deepEqual(one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs, {
                    bucket: ref,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                const policy = JSON.parse(one(run, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy);
                assert.deepEqual(policy.Statement, [
                    {
                        Sid: "TlsOnly",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.outputs.arn, `${bucket.outputs.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ]);
            });

            it(`${stack}: no Pulumi issuer or token variable; the workflows get the backend and secrets-provider URLs`, async () => {
                const run = await s3Run(stack);
                assert.deepEqual(run.resources.ofType(ISSUER), []);
                const vars = variablesOf(run);
                assert.deepEqual(
                    Object.keys(vars).filter((v) => /^PULUMI_(ORG|.*TEAM|.*TOKEN_TYPE)$/.test(v)),
                    [],
                );
                const config = loadBootstrapStack(stack);
                const prefix = config.rehearsal ? "SANDBOX_" : "";
                assert.match(String(vars[`${prefix}PULUMI_BACKEND_URL`]), new RegExp(`^s3://[a-z0-9.-]+\\?region=${config.region}$`));
                assert.equal(vars[`${prefix}PULUMI_SECRETS_PROVIDER`], `awskms://alias/multiregion-pulumi-state?region=${config.region}`);
                if (config.repositoryWide) assert.equal(vars.PULUMI_BACKEND, "s3");
            });

            it(`${stack}: each role reaches exactly the bucket and key, writers write, the preview only reads, and the boundaries let it through`, async () => {
                const run = await s3Run(stack);
                const bucket = one(run, "aws:s3/bucket:Bucket").outputs.arn;
                const key = one(run, "aws:kms/key:Key").outputs.arn;
                const config = loadBootstrapStack(stack);
                const roles = [...(config.fleets.length ? ["preview", "deploy"] : []), ...(config.rehearsal ? ["rehearsal"] : [])];
                for (const name of roles) {
                    const role = roleNamed(run, `multiregion-${name}`);
                    const state = policyNamed(run, `multiregion-${name}-state`);
                    assert.ok(
                        run.resources
                            .ofType(ATTACHMENT)
                            .some((a) => a.inputs.role === role.outputs.name && a.inputs.policyArn === state.outputs.arn),
                        name,
                    );
                    const statements = documentOf(state).Statement;
                    const grants = statements.flatMap((st: any) => [st.Action].flat().map((a: string) => `${a} ${st.Resource}`)).sort();
                    const read = [`s3:ListBucket ${bucket}`, `s3:GetObject ${bucket}/*`, `kms:Decrypt ${key}`];
                    // A preview takes no lock in a self-managed backend, so it writes nothing.
                    const write = [
                        `s3:PutObject ${bucket}/*`,
                        `s3:DeleteObject ${bucket}/*`,
                        `kms:Encrypt ${key}`,
                        `kms:GenerateDataKey ${key}`,
                    ];
                    assert.deepEqual(grants, (name === "preview" ? read : [...read, ...write]).sort(), name);
                    // The boundary is the iam/ file plus exactly these statements, so the state is reachable and nothing else is added.
                    const boundary = run.resources.ofType(POLICY).find((p) => p.outputs.arn === role.inputs.permissionsBoundary)!;
                    const base = expectedPolicy(name === "preview" ? "preview-policy.json" : "deploy-boundary.json", {
                        ACCOUNT_ID: String(run.outputs.accountId),
                        OWNER: config.github.owner,
                        REPO: config.github.repository,
                    });
                    assert.deepEqual(documentOf(boundary).Statement, [...base.Statement, ...statements], name);
                }
            });
        }
    });

    describe("an explicit Deny in iam/ that would take the state away again", () => {
        const bucket = "arn:aws:s3:::state-bucket";
        const key = "arn:aws:kms:us-east-2:123456789012:key/0000";
        const policy = (...Statement: any[]) => ({ Version: "2012-10-17", Statement });
        const cases: [string, any, "read" | "write", string[]][] = [
            [
                "a deny of data reads on every resource",
                policy({ Sid: "NeverReadData", Effect: "Deny", Action: ["s3:GetObject*", "kms:Decrypt"], Resource: "*" }),
                "read",
                [`NeverReadData: s3:GetObject ${bucket}/state.json`, `NeverReadData: kms:Decrypt ${key}`],
            ],
            [
                "the same deny with the state exempted through NotResource",
                policy({
                    Sid: "NeverReadData",
                    Effect: "Deny",
                    Action: ["s3:GetObject*", "kms:Decrypt"],
                    NotResource: [`${bucket}/*`, key],
                }),
                "read",
                [],
            ],
            [
                "a deny on another bucket",
                policy({ Sid: "Other", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::other/*" }),
                "write",
                [],
            ],
            [
                "a NotAction deny that spares only reads, against a writer",
                policy({ Sid: "ReadOnly", Effect: "Deny", NotAction: ["s3:Get*", "s3:List*", "kms:Decrypt"], Resource: "*" }),
                "write",
                [
                    `ReadOnly: s3:PutObject ${bucket}/state.json`,
                    `ReadOnly: s3:DeleteObject ${bucket}/state.json`,
                    `ReadOnly: kms:Encrypt ${key}`,
                    `ReadOnly: kms:GenerateDataKey ${key}`,
                ],
            ],
            ["an allow is no deny", policy({ Effect: "Allow", Action: "*", Resource: "*" }), "write", []],
            [
                "actions match case-insensitively",
                policy({ Sid: "D", Effect: "Deny", Action: "S3:getobject", Resource: `${bucket}/*` }),
                "read",
                [`D: s3:GetObject ${bucket}/state.json`],
            ],
        ];
        for (const [what, doc, access, expected] of cases)
            it(what, () => assert.deepEqual(deniedState(doc, bucket, key, access), expected));

        for (const stack of listBootstrapStacks()) {
            it(`${stack}: s3 mode warns, naming the file and statement, for each role whose iam/ files deny its state`, async () => {
                const run = await s3Run(stack);
                const config = loadBootstrapStack(stack);
                const bucketArn = one(run, "aws:s3/bucket:Bucket").outputs.arn;
                const keyArn = one(run, "aws:kms/key:Key").outputs.arn;
                const values = {
                    ACCOUNT_ID: String(run.outputs.accountId),
                    OWNER: config.github.owner,
                    REPO: config.github.repository,
                    RECORD_NAME: "example.com",
                };
                const roles: [string, "read" | "write", string[]][] = [
                    ...(config.fleets.length
                        ? [
                              ["preview", "read", ["preview-policy.json"]] as [string, "read", string[]],
                              ["deploy", "write", ["deploy-boundary.json", "deploy-policy.json"]] as [string, "write", string[]],
                          ]
                        : []),
                    ...(config.rehearsal
                        ? [
                              ["rehearsal", "write", ["deploy-boundary.json", "deploy-policy.json", "rehearsal-policy.json"]] as [
                                  string,
                                  "write",
                                  string[],
                              ],
                          ]
                        : []),
                ];
                const expected = roles.flatMap(([role, access, files]) =>
                    files.flatMap((file) => {
                        const denied = deniedState(expectedPolicy(file, values), bucketArn, keyArn, access);
                        return denied.length
                            ? [
                                  `iam/${file} denies the ${role} role its Pulumi state (${denied.join("; ")}): the S3 backend cannot work until that Deny exempts the state bucket and key`,
                              ]
                            : [];
                    }),
                );
                assert.deepEqual([...run.warnings].sort(), expected.sort());
            });
        }
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
            // Everything inside the account goes through that provider; only the account itself uses the management one.
            const ref = run.resources.providerRef(provider);
            for (const r of run.resources.resources.filter(
                (x) => x.custom && x.type.startsWith("aws:") && x.type !== "aws:organizations/account:Account",
            )) {
                assert.equal(r.provider, ref, r.name);
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
