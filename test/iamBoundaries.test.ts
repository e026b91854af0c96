/**
 * What the deploy role can never become: its KMS powers, roles only within the workload boundary,
 * neither boundary changeable, the preview role's reads and the alarms' scope. Each case is data:
 * the request, its context, the expected answer.
 */
import { strict as assert } from "node:assert";
import {
    ACCOUNT,
    BOUNDARY,
    Case,
    DEPLOY,
    DEPLOY_BOUNDARY,
    KEY,
    OWN,
    PREVIEW,
    REHEARSAL,
    ROLE,
    table,
    widened,
    WORKLOAD_BOUNDARY,
} from "./support/iamCases";
import { accessLevelOf, actionsMatching, supports } from "./support/iamData";
import { allowedWithin, evaluate, list, PolicyDocument, Request } from "./support/iamPolicies";

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
            // Not narrowed to kms:ViaService: no AWS page says EKS's grant carries it, and a wrong guess
            // fails the first CreateCluster; the Stack tag, which only CreateKey can set, scopes it.
            { why: "a grant made directly, on its own key", request: grant({ ...OWN }), allowed: true },
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

    it("changes rotation, tags and aliases only on the program's keys, never a key policy, and deletes none", () =>
        table([
            ...["kms:EnableKeyRotation", "kms:CreateAlias"].flatMap((action) => [
                { why: "its own key", request: { action, resource: KEY, context: OWN }, allowed: true },
                { why: "another key", request: { action, resource: KEY, context: { "aws:ResourceTag/Stack": "other/x" } }, allowed: false },
                { why: "an untagged key", request: { action, resource: KEY }, allowed: false },
            ]),
            // The policy is set in CreateKey; PutKeyPolicy could open a key to another account.
            ...[OWN, { "aws:ResourceTag/Stack": "other/x" }, {}].map((context) => ({
                why: `a key policy, on ${JSON.stringify(context)}`,
                request: { action: "kms:PutKeyPolicy", resource: KEY, context },
                allowed: false,
            })),
            ...["kms:TagResource", "kms:UntagResource"].flatMap((action) => [
                {
                    why: "its own key's other tags",
                    request: { action, resource: KEY, context: { ...OWN, "aws:TagKeys": ["Name"] } },
                    allowed: true,
                },
                // KMS ABAC: "Changing a tag or alias might allow or deny permission to a KMS key".
                {
                    why: "its own key's Stack tag (to ci-*, where the rehearsal may delete it)",
                    request: {
                        action,
                        resource: KEY,
                        context: { ...OWN, "aws:TagKeys": ["Stack"], "aws:RequestTag/Stack": "multiregion/ci-x" },
                    },
                    allowed: false,
                },
            ]),
            {
                why: "retagging another workload's key as the program's",
                request: {
                    action: "kms:TagResource",
                    resource: KEY,
                    context: {
                        "aws:ResourceTag/Stack": "payments/prod",
                        "aws:RequestTag/Stack": "multiregion/x",
                        "aws:TagKeys": ["Stack"],
                    },
                },
                allowed: false,
            },
            // Tag-on-create needs kms:TagResource on any key (https://docs.aws.amazon.com/kms/latest/developerguide/tag-permissions.html).
            {
                why: "CreateKey's own tags",
                request: {
                    action: "kms:TagResource",
                    resource: KEY,
                    context: { "aws:RequestTag/Stack": "multiregion/prod-us", "aws:TagKeys": ["Stack", "Name"] },
                },
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
