/**
 * The CI roles' policies, read at run time from the files in `iam/`, the single source
 * docs/iam.md describes; nothing here restates a permission. Placeholders are filled in,
 * and the trust files are templates whose `sub` conditions become this account's exact
 * subjects. Only the state backend's statements are made here, from the bucket and key ARNs.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPOSITORY_ROOT = path.resolve(__dirname, "..");
export const IAM_DIR = path.join(REPOSITORY_ROOT, "iam");
/**
 * Stand-ins for the files issue #17 adds to `iam/`, read only while `iam/` lacks them;
 * test/bootstrapPolicies.test.ts fails once `iam/` has a file this folder still holds.
 */
export const PENDING_IAM_DIR = path.join(__dirname, "iam-pending");

export const IAM_FILES = {
    previewPolicy: "preview-policy.json",
    deployPolicy: "deploy-policy.json",
    deployBoundary: "deploy-boundary.json",
    workloadBoundary: "workload-boundary.json",
    previewTrust: "github-trust-preview.json",
    deployTrust: "github-trust-deploy.json",
    rehearsalTrust: "github-trust-rehearsal.json",
} as const;
export type IamFile = (typeof IAM_FILES)[keyof typeof IAM_FILES];

export const PLACEHOLDERS = ["ACCOUNT_ID", "OWNER", "REPO", "RECORD_NAME"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    [key: string]: unknown;
}
export interface PolicyDocument {
    Version: string;
    Statement: Statement[];
}

/** Where `file` is read from: `iam/`, or the stand-in while `iam/` has none. */
export function iamFilePath(file: IamFile): string {
    const real = path.join(IAM_DIR, file);
    if (fs.existsSync(real)) return real;
    const pending = path.join(PENDING_IAM_DIR, file);
    if (fs.existsSync(pending)) return pending;
    throw new Error(`iam/${file} is missing: the bootstrap reads every CI policy from iam/ (docs/iam.md)`);
}

/** `text` with every `<NAME>` replaced; a placeholder without a value is an error, never left in a policy. */
export function substitute(text: string, values: Partial<Record<Placeholder, string>>, file = "policy"): string {
    return text.replace(/<([A-Z_]+)>/g, (whole, name: string) => {
        const value = values[name as Placeholder];
        if (value === undefined) throw new Error(`${file}: no value for ${whole}`);
        return value;
    });
}

/** An `iam/` file as a policy, placeholders filled in. */
export function readPolicy(file: IamFile, values: Partial<Record<Placeholder, string>>): PolicyDocument {
    return JSON.parse(substitute(fs.readFileSync(iamFilePath(file), "utf8"), values, file)) as PolicyDocument;
}

export const SUB = "token.actions.githubusercontent.com:sub";

type Conditions = Record<string, Record<string, string | string[]>>;

/** Every `sub` value a trust policy names, under any operator. */
export function subjectsIn(trust: PolicyDocument): string[] {
    return trust.Statement.flatMap((s) =>
        Object.values((s.Condition as Conditions | undefined) ?? {}).flatMap((block) =>
            block[SUB] === undefined ? [] : [block[SUB]].flat(),
        ),
    );
}

/**
 * The trust with its `sub` conditions replaced by `subjects`: exact ones under
 * `StringEquals`, any with a `*` under `StringLike` (a pull request's ref varies).
 * Every statement, principal, action and other condition of the template is kept.
 */
export function withSubjects(trust: PolicyDocument, subjects: readonly string[]): PolicyDocument {
    if (subjects.length === 0) throw new Error("a trust policy needs at least one subject");
    const exact = subjects.filter((s) => !s.includes("*"));
    const like = subjects.filter((s) => s.includes("*"));
    const one = (list: string[]) => (list.length === 1 ? list[0]! : list);
    return {
        ...trust,
        Statement: trust.Statement.map((statement) => {
            const conditions = (statement.Condition as Conditions | undefined) ?? {};
            if (!Object.values(conditions).some((block) => SUB in block)) return statement;
            const kept: Conditions = {};
            for (const [operator, block] of Object.entries(conditions)) {
                const rest = Object.fromEntries(Object.entries(block).filter(([k]) => k !== SUB));
                if (Object.keys(rest).length > 0) kept[operator] = rest;
            }
            if (exact.length > 0) kept.StringEquals = { ...kept.StringEquals, [SUB]: one(exact) };
            if (like.length > 0) kept.StringLike = { ...kept.StringLike, [SUB]: one(like) };
            return { ...statement, Condition: kept };
        }),
    };
}

export type StateAccess = "read" | "write";

/** The policy, and after its own statements, `access` to the self-managed state when there is one. */
export function withState(
    policy: PolicyDocument,
    state: { readonly bucketArn: string; readonly keyArn: string } | undefined,
    access: StateAccess,
): PolicyDocument {
    return state ? { ...policy, Statement: [...policy.Statement, ...stateStatements(state.bucketArn, state.keyArn, access)] } : policy;
}

/**
 * Exactly what the self-managed backend needs on its bucket and key. Pulumi's S3 backend
 * lists and reads the state objects; an update, refresh or destroy also writes them and a
 * lock under `.pulumi/locks/`, while a preview takes no lock and writes nothing
 * (`Preview` versus `Update` in https://github.com/pulumi/pulumi/blob/master/pkg/backend/diy/backend.go,
 * the lock path in https://github.com/pulumi/pulumi/blob/master/pkg/backend/diy/lock.go).
 * The awskms secrets provider encrypts and decrypts the stack's data key
 * (https://www.pulumi.com/docs/iac/cli/commands/pulumi_stack_init/), and SSE-KMS objects
 * need GenerateDataKey to write and Decrypt to read
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
 */
export function stateStatements(bucketArn: string, keyArn: string, access: StateAccess): Statement[] {
    const read: Statement[] = [
        { Sid: "StateBucketList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
        { Sid: "StateObjectsRead", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/*` },
    ];
    if (access === "read") return [...read, { Sid: "StateKeyDecrypt", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn }];
    return [
        ...read,
        { Sid: "StateObjectsWrite", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/*` },
        { Sid: "StateKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: keyArn },
    ];
}
