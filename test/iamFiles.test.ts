import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CommandRunner } from "../tools/cli";
import { dryRunner, planImages, promoteImages } from "../tools/images";
import { listStacks, loadStack, regionStacks, ROOT } from "../tools/stacks";
import {
    actionsOf,
    allowedWithin,
    evaluate,
    list,
    wildcard,
    placeholdersIn,
    PolicyDocument,
    policyFiles,
    readPolicy,
    readPolicyText,
    Request,
    serviceOf,
} from "./support/iamPolicies";
import { DRILL_CHECKS, IMAGE_COMMANDS, INVOKE_PERMISSIONS, RESOURCE_PERMISSIONS } from "./support/iamTable";

interface PolicyFile {
    readonly kind: "permissions" | "boundary" | "trust";
    /** The `<NAME>`s docs/iam.md says to replace. */
    readonly placeholders: string[];
    /** IAM's size quota in non-whitespace characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). */
    readonly quota: number;
}

const FILES: Record<string, PolicyFile> = {
    // Inline: a role's inline policies may total 10,240 characters; a managed policy only 6,144.
    "deploy-policy.json": { kind: "permissions", placeholders: ["ACCOUNT_ID", "RECORD_NAME"], quota: 10240 },
    "deploy-boundary.json": { kind: "boundary", placeholders: [], quota: 6144 },
    "workload-boundary.json": { kind: "boundary", placeholders: [], quota: 6144 },
    "preview-policy.json": { kind: "permissions", placeholders: [], quota: 6144 },
    "github-trust-deploy.json": { kind: "trust", placeholders: ["ACCOUNT_ID", "OWNER", "REPO"], quota: 2048 },
    "github-trust-preview.json": { kind: "trust", placeholders: ["ACCOUNT_ID", "OWNER", "REPO"], quota: 2048 },
    "github-trust-rehearsal.json": { kind: "trust", placeholders: ["ACCOUNT_ID", "OWNER", "REPO"], quota: 2048 },
};
/** The longest value each placeholder can take: a DNS name, an account id, GitHub's owner and repository names. */
const LONGEST = { RECORD_NAME: "a".repeat(253), ACCOUNT_ID: "1".repeat(12), OWNER: "o".repeat(39), REPO: "r".repeat(100) };
const READ = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*\*?$/;
const DATA_READS = ["s3:GetObject", "s3:GetObjectVersion", "ssm:GetParameter", "ssm:GetParametersByPath", "secretsmanager:GetSecretValue"];
const LOG_READS = ["kms:Decrypt", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"];
const IMAGE_READS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

const DEPLOY = readPolicy("deploy-policy.json", { ACCOUNT_ID: "123456789012", RECORD_NAME: "app.example.com" });
const PREVIEW = readPolicy("preview-policy.json");
const BOUNDARY = readPolicy("deploy-boundary.json", { ACCOUNT_ID: "123456789012" });
const ADMIN: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
/** The [region, repository] pairs an images-tool command touches, by flag or by registry reference. */
function repositoriesOf(argv: string[]): [string, string][] {
    const flag = argv.findIndex((a) => a === "--repository-name" || a === "--repository-names");
    if (flag >= 0) return [[argv[argv.indexOf("--region") + 1]!, argv[flag + 1]!]];
    return [...argv.join(" ").matchAll(/\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([a-z0-9._/-]+)/g)].map((m) => [m[1]!, m[2]!]);
}
const services = (policy: PolicyDocument) => [...new Set(actionsOf(policy, "Allow").map(serviceOf))].sort();
const widened = (policy: PolicyDocument): PolicyDocument => ({ ...policy, Statement: [...policy.Statement, ...ADMIN.Statement] });

describe("the CI roles' IAM policy files (iam/)", () => {
    it("holds exactly the documented files, each named in docs/iam.md with every placeholder it has", () => {
        assert.deepEqual(policyFiles(), Object.keys(FILES).sort());
        const doc = fs.readFileSync(path.join(ROOT, "docs/iam.md"), "utf8");
        for (const [file, spec] of Object.entries(FILES)) {
            assert.ok(doc.includes(`iam/${file}`), file);
            for (const name of spec.placeholders) assert.ok(doc.includes(`<${name}>`), `${file}: <${name}>`);
        }
    });

    for (const [file, spec] of Object.entries(FILES)) {
        it(`${file}: policy grammar, whole statements, no *:*, only its documented placeholders, within IAM's ${spec.quota}-character quota`, () => {
            const text = readPolicyText(file);
            assert.deepEqual(placeholdersIn(text), spec.placeholders);
            const policy = JSON.parse(text) as PolicyDocument;
            assert.equal(policy.Version, "2012-10-17");
            assert.ok(Array.isArray(policy.Statement) && policy.Statement.length > 0);
            for (const s of policy.Statement) {
                const where = `${file} ${s.Sid ?? JSON.stringify(s).slice(0, 60)}`;
                assert.ok(s.Effect === "Allow" || s.Effect === "Deny", where);
                assert.ok(list(s.Action).length > 0 && !s.NotAction, where);
                for (const action of list(s.Action)) assert.match(action, /^[a-z0-9-]+:[A-Za-z0-9*]+$/, where);
                if (spec.kind === "trust") assert.ok(s.Principal && !s.Resource && !s.NotResource, where);
                // NotResource only on a Deny: with an Allow it would grant every other resource.
                else if (s.NotResource) assert.ok(s.Effect === "Deny" && !s.Resource && !s.Principal, where);
                else assert.ok(list(s.Resource).length > 0 && !s.Principal, where);
            }
            const minified = JSON.stringify(readPolicy(file, LONGEST));
            assert.ok(minified.length <= spec.quota, `${minified.length} characters`);
        });
    }

    it("allows actions of exactly the services the program uses, in every permission document", () => {
        const table = [
            ...Object.values(RESOURCE_PERMISSIONS).map((e) => e.service),
            ...Object.values(INVOKE_PERMISSIONS).flatMap((checks) => checks.map((c) => serviceOf(c.action))),
            // npm run verify reads the load balancer Auto Mode made (test/verifyAccess.test.ts).
            "elasticloadbalancing",
        ];
        const expected = [...new Set(table)].sort();
        assert.deepEqual(services(PREVIEW), expected);
        assert.deepEqual(services(DEPLOY), expected);
        assert.deepEqual(services(BOUNDARY), expected);
    });

    it("lets the deploy and preview policies use wildcards only over read verbs, never a whole service", () => {
        const wide = [...actionsOf(DEPLOY, "Allow"), ...actionsOf(PREVIEW, "Allow")].filter((a) => a.includes("*") && !READ.test(a));
        assert.deepEqual(wide, []);
    });
});

describe("the preview policy", () => {
    it("allows only Describe, Get and List", () => {
        assert.deepEqual(
            actionsOf(PREVIEW, "Allow").filter((a) => !READ.test(a)),
            [],
        );
    });

    it("denies reading data (objects, parameters, secrets, decryption, logs, image layers), even next to ReadOnlyAccess, but the Pulumi state's", () => {
        // Launch-template versions carry user data, which can hold secrets.
        for (const action of [...DATA_READS, ...LOG_READS, ...IMAGE_READS, "ec2:GetPasswordData", "ec2:DescribeLaunchTemplateVersions"]) {
            const request: Request = { action, resource: "arn:aws:s3:::any-bucket/any-key" };
            assert.equal(evaluate(widened(PREVIEW), request), "deny", action);
        }
        // The self-managed backend's bucket (bootstrap's STATE_BUCKET_PREFIX) and key (its alias) stay readable.
        const state = "arn:aws:s3:::multiregion-pulumi-state-0a1b2c/.pulumi/stacks/multiregion/prod-us.json";
        assert.equal(evaluate(widened(PREVIEW), { action: "s3:GetObject", resource: state }), "allow");
        const key = "arn:aws:kms:us-east-2:123456789012:key/0000";
        assert.equal(
            evaluate(widened(PREVIEW), {
                action: "kms:Decrypt",
                resource: key,
                context: { "kms:ResourceAliases": ["alias/multiregion-pulumi-state"] },
            }),
            "allow",
        );
        for (const aliases of [[], ["alias/payments"], ["alias/multiregion-prod-us-eks-secrets"]])
            assert.equal(
                evaluate(widened(PREVIEW), { action: "kms:Decrypt", resource: key, context: { "kms:ResourceAliases": aliases } }),
                "deny",
                aliases.join(),
            );
        assert.equal(
            evaluate(widened(PREVIEW), { action: "s3:GetObject", resource: "arn:aws:s3:::multiregion-pulumi-state-x" }),
            "deny",
            "the bucket itself is no object",
        );
    });
});

describe("the deploy policy and its permissions boundary", () => {
    it("stays inside the boundary: every service it allows the boundary allows, and IAM only on the program's roles", () => {
        const capped = new Set(actionsOf(BOUNDARY, "Allow").map(serviceOf));
        assert.deepEqual(
            actionsOf(DEPLOY, "Allow").filter((a) => !capped.has(serviceOf(a))),
            [],
        );
        const iamResources = BOUNDARY.Statement.filter(
            (s) => s.Effect === "Allow" && list(s.Action).some((a) => a.startsWith("iam:")),
        ).flatMap((s) => list(s.Resource));
        const iamStatements = DEPLOY.Statement.filter((s) => list(s.Action).some((a) => a.startsWith("iam:")));
        assert.ok(iamStatements.length >= 4);
        for (const s of iamStatements)
            for (const r of list(s.Resource))
                assert.ok(
                    iamResources.some((b) => wildcard(b, r)),
                    `${s.Sid}: ${r}`,
                );
    });

    it("never lets the deploy role delete keys or images, make users or keys, or become another role", () => {
        const never = [
            "kms:ScheduleKeyDeletion",
            "kms:DisableKey",
            "ecr:DeleteRepository",
            "ecr:BatchDeleteImage",
            "iam:CreateUser",
            "iam:CreateAccessKey",
            "iam:CreatePolicy",
            "sts:AssumeRole",
            "s3:GetObject",
        ];
        for (const action of never)
            assert.notEqual(evaluate(DEPLOY, { action, resource: "arn:aws:kms:us-east-2:123456789012:key/k" }), "allow", action);
    });

    it("lets EKS and Elastic Load Balancing have their service-linked roles, and no other service", () => {
        const slr = (service: string) =>
            allowedWithin(DEPLOY, BOUNDARY, {
                action: "iam:CreateServiceLinkedRole",
                resource: `arn:aws:iam::123456789012:role/aws-service-role/${service}/AWSServiceRoleFor`,
                context: { "iam:AWSServiceName": service },
            });
        assert.ok(slr("eks.amazonaws.com") && slr("elasticloadbalancing.amazonaws.com"));
        assert.ok(!slr("autoscaling.amazonaws.com") && !slr("organizations.amazonaws.com"));
    });

    for (const stack of listStacks()) {
        it(`${stack}: names CI's roles at the root path, where the boundary protects them and the deploy policy cannot reach`, () => {
            const { deployRoleArn, previewRoleArn } = loadStack(stack).cluster;
            assert.match(deployRoleArn, /^arn:aws:iam::\d{12}:role\/multiregion-deploy$/);
            assert.match(previewRoleArn ?? "", /^arn:aws:iam::\d{12}:role\/multiregion-preview$/);
            for (const role of [deployRoleArn, previewRoleArn!]) {
                for (const action of [
                    "iam:UpdateAssumeRolePolicy",
                    "iam:AttachRolePolicy",
                    "iam:PutRolePolicy",
                    "iam:DeleteRolePermissionsBoundary",
                ]) {
                    assert.equal(evaluate(BOUNDARY, { action, resource: role }), "deny", `${action} on ${role}`);
                    assert.notEqual(evaluate(DEPLOY, { action, resource: role }), "allow", `${action} on ${role}`);
                }
            }
        });
    }

    it("caps the deploy role even with AdministratorAccess attached, and denies outright what must never pass", () => {
        const denied: Request[] = [
            { action: "iam:CreateUser", resource: "arn:aws:iam::123456789012:user/u" },
            { action: "iam:CreateAccessKey", resource: "arn:aws:iam::123456789012:user/u" },
            { action: "iam:CreatePolicyVersion", resource: "arn:aws:iam::123456789012:policy/multiregion-ci/multiregion-deploy-boundary" },
            { action: "organizations:LeaveOrganization" },
            { action: "cloudtrail:StopLogging", resource: "arn:aws:cloudtrail:us-east-2:123456789012:trail/org" },
            { action: "sts:AssumeRole", resource: "arn:aws:iam::123456789012:role/multiregion/prod-us-cluster-role-0123456" },
            ...[...DATA_READS, ...LOG_READS].map((action) => ({ action })),
        ];
        // Explicit denies survive someone widening the boundary's allow list.
        assert.deepEqual(
            denied.filter((r) => evaluate(widened(BOUNDARY), r) !== "deny").map((r) => r.action),
            [],
        );
        const outsideTheProgram = { action: "iam:CreateRole", resource: "arn:aws:iam::123456789012:role/admin" };
        assert.ok(![...denied, outsideTheProgram].some((r) => allowedWithin(ADMIN, BOUNDARY, r)));
        assert.ok(allowedWithin(ADMIN, BOUNDARY, { action: "ec2:CreateVpc" }), "the boundary still lets the program's work through");
    });

    it("covers every ECR call npm run images makes, on the stacks' repositories", async () => {
        const seen: string[][] = [];
        const dry = dryRunner(() => undefined);
        const runner: CommandRunner = {
            run: (argv, opts) => {
                seen.push(argv);
                return dry.run(argv, opts);
            },
        };
        await promoteImages(planImages(regionStacks()), runner, () => undefined);
        assert.ok(seen.length > 10);
        const missing: string[] = [];
        for (const argv of seen) {
            const line = argv.join(" ");
            const command = Object.keys(IMAGE_COMMANDS).find((c) => line.startsWith(c));
            if (!command) {
                missing.push(`unmapped command: ${line}`);
                continue;
            }
            const arns = repositoriesOf(argv).map(([region, repo]) => `arn:aws:ecr:${region}:123456789012:repository/${repo}`);
            for (const action of IMAGE_COMMANDS[command]!)
                for (const resource of arns.length > 0 ? arns : ["*"])
                    if (!allowedWithin(DEPLOY, BOUNDARY, { action, resource })) missing.push(`${action} on ${resource}`);
        }
        assert.deepEqual(missing, []);
    });

    it("covers the failover drill's Route 53 calls", () => {
        assert.deepEqual(
            DRILL_CHECKS.filter((c) => !allowedWithin(DEPLOY, BOUNDARY, { action: c.action, resource: c.arn })).map((c) => c.action),
            [],
        );
    });
});
