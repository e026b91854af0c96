import { strict as assert } from "node:assert";
import { deniedState } from "../bootstrap/policies";
import { listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import {
    ATTACHMENT,
    environmentVariablesOf,
    stateKeyOf,
    documentOf,
    expectedPolicy,
    one,
    POLICY,
    policyNamed,
    roleNamed,
    runBootstrap,
    variablesOf,
} from "./support/bootstrap";
import type { BootstrapRun } from "./support/bootstrap";

const ISSUER = "pulumiservice:index:OidcIssuer";

/** The self-managed backend, for each stack: the same file with backend s3 (and no Pulumi keys, which that mode ignores). */
const s3Runs = new Map<string, Promise<BootstrapRun>>();
function s3Run(stack: string): Promise<BootstrapRun> {
    if (!s3Runs.has(stack)) s3Runs.set(stack, runBootstrap(stack, { backend: "s3" }));
    return s3Runs.get(stack)!;
}

describe("bootstrap: the self-managed S3 backend", () => {
    describe("self-managed S3", () => {
        for (const stack of listBootstrapStacks()) {
            it(`${stack}: a versioned bucket, encrypted with the state key, public access blocked, TLS only, both protected`, async () => {
                const run = await s3Run(stack);
                const bucket = one(run, "aws:s3/bucket:Bucket");
                const key = stateKeyOf(run);
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
                const config = loadBootstrapStack(stack);
                // A fleet other than prod gets its backend in its own environments, under the repository's names.
                const own = config.fleets.length > 0 && !config.fleets.includes("prod") && !config.rehearsal;
                const vars = own ? environmentVariablesOf(run, `${config.fleets[0]}-us`) : variablesOf(run);
                assert.deepEqual(
                    Object.keys(vars).filter((v) => /^PULUMI_(ORG|.*TEAM|.*TOKEN_TYPE)$/.test(v)),
                    [],
                );
                const prefix = config.rehearsal ? "SANDBOX_" : "";
                assert.match(String(vars[`${prefix}PULUMI_BACKEND_URL`]), new RegExp(`^s3://[a-z0-9.-]+\\?region=${config.region}$`));
                assert.equal(vars[`${prefix}PULUMI_SECRETS_PROVIDER`], `awskms://alias/multiregion-pulumi-state?region=${config.region}`);
                if (config.repositoryWide) assert.equal(vars.PULUMI_BACKEND, "s3");
            });

            it(`${stack}: each role reaches exactly the bucket and key, writers write, the preview only reads, and the boundaries let it through`, async () => {
                const run = await s3Run(stack);
                const bucket = one(run, "aws:s3/bucket:Bucket").outputs.arn;
                const key = stateKeyOf(run).outputs.arn;
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
                const keyArn = stateKeyOf(run).outputs.arn;
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
});
