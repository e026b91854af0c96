import { strict as assert } from "node:assert";
import { STATE_BUCKET_PREFIX, STATE_KEY_ALIAS } from "../bootstrap/stateBackend";
import { allowedWithin, Context, PolicyDocument } from "./support/iamPolicies";
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
/** A role's permissions as IAM evaluates them: every policy attached or inline, and its boundary. */
function effectiveOf(run: BootstrapRun, roleName: string): { policy: PolicyDocument; boundary: PolicyDocument } {
    const role = roleNamed(run, roleName);
    const attached = run.resources
        .ofType(ATTACHMENT)
        .filter((a) => a.inputs.role === role.outputs.name)
        .map((a) => run.resources.ofType(POLICY).find((p) => p.outputs.arn === a.inputs.policyArn)!);
    const inline = run.resources.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.outputs.name);
    const statements = [...attached, ...inline].flatMap((p) => documentOf(p).Statement);
    const boundary = run.resources.ofType(POLICY).find((p) => p.outputs.arn === role.inputs.permissionsBoundary)!;
    return { policy: { Version: "2012-10-17", Statement: statements }, boundary: documentOf(boundary) };
}

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

    describe("the iam/ denies on reading data spare exactly the state bucket and its key", () => {
        for (const stack of listBootstrapStacks()) {
            it(`${stack}: each role, within its boundary, reads (and a writer writes) the state, and still reads no other object or key`, async () => {
                const run = await s3Run(stack);
                const config = loadBootstrapStack(stack);
                const bucket = one(run, "aws:s3/bucket:Bucket");
                assert.ok(bucket.outputs.bucket.startsWith(STATE_BUCKET_PREFIX), bucket.outputs.bucket);
                const object = `${bucket.outputs.arn}/.pulumi/stacks/multiregion/prod-us.json`;
                const key = stateKeyOf(run).outputs.arn;
                const stateKey = { "kms:ResourceAliases": [`alias/${STATE_KEY_ALIAS}`] };
                const roles = [...(config.fleets.length ? ["preview", "deploy"] : []), ...(config.rehearsal ? ["rehearsal"] : [])];
                assert.ok(roles.length > 0);
                for (const name of roles) {
                    const { policy, boundary } = effectiveOf(run, `multiregion-${name}`);
                    const may = (action: string, resource: string, context: Context = {}) =>
                        allowedWithin(policy, boundary, { action, resource, context });
                    assert.ok(may("s3:GetObject", object), `${name} reads its state`);
                    assert.ok(may("kms:Decrypt", key, stateKey), `${name} decrypts with the state key`);
                    assert.equal(may("s3:PutObject", object), name !== "preview", `${name} writes only if it deploys`);
                    assert.ok(!may("s3:GetObject", "arn:aws:s3:::payroll-exports/2026.csv"), `${name} reads no other bucket`);
                    assert.ok(!may("kms:Decrypt", key.replace(/key\/.*/, "key/other"), {}), `${name} decrypts with no other key`);
                    assert.ok(!may("kms:Decrypt", key, { "kms:ResourceAliases": ["alias/payments"] }), `${name}: another alias`);
                }
            });
        }
    });
});
