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
    SECRETS_ALIAS,
    PREVIEW,
    ROLE,
    table,
    widened,
    WORKLOAD_BOUNDARY,
} from "./support/iamCases";
import { accessLevelOf, actionsMatching } from "./support/iamData";
import { workloadRoleArn } from "../facts/workload";
import { allowedWithin, Context, evaluate, Request } from "./support/iamPolicies";

describe("the deploy role's KMS powers: none over keys, one grant on the bootstrap's", () => {
    // EKS's CreateCluster makes the grant as the caller, through EKS, and without
    // kms:GrantIsForAWSResource (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html).
    // The key is the bootstrap's, so only its alias can scope the grant: kms:ResourceAliases
    // (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-resource-aliases).
    const grant = (aliases: string[], resource = KEY): Request => ({
        action: "kms:CreateGrant",
        resource,
        context: { "kms:ResourceAliases": aliases, "kms:ViaService": "eks.us-east-2.amazonaws.com" },
    });
    it("allows the grant CreateCluster makes on a cluster's secrets key, and no other grant", () =>
        table([
            { why: "EKS's CreateCluster, as it calls", request: grant([SECRETS_ALIAS]), allowed: true },
            { why: "a key with that alias among others", request: grant(["alias/other", SECRETS_ALIAS]), allowed: true },
            { why: "another project's key", request: grant(["alias/payments-prod"]), allowed: false },
            { why: "a key with no alias", request: grant([]), allowed: false },
            { why: "a key in another account", request: grant([SECRETS_ALIAS], KEY.replace(ACCOUNT, "999999999999")), allowed: false },
        ]));

    it("no longer relies on kms:GrantIsForAWSResource, which CreateCluster does not support", () => {
        assert.ok(!JSON.stringify(DEPLOY).includes("GrantIsForAWSResource"));
    });

    it("can neither make, tag, alias, re-policy, disable nor delete a key, so it can never make a key the program's", () =>
        table(
            [
                "kms:CreateKey",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:CreateAlias",
                "kms:UpdateAlias",
                "kms:DeleteAlias",
                "kms:PutKeyPolicy",
                "kms:EnableKeyRotation",
                "kms:DisableKey",
                "kms:ScheduleKeyDeletion",
                "kms:Decrypt",
            ].flatMap((action) =>
                ([{}, { "kms:ResourceAliases": [SECRETS_ALIAS] }] as Context[]).map((context) => ({
                    why: `on ${JSON.stringify(context)}`,
                    request: { action, resource: KEY, context },
                    allowed: false,
                })),
            ),
        ));
});

describe("the deploy role's IAM powers: it passes the bootstrap's roles and makes none", () => {
    const on = (action: string, resource = ROLE, context: Record<string, string> = {}): Request => ({ action, resource, context });
    it("allows no IAM action that writes, tags or manages permissions, but passing a role and making a service-linked one (per iam-data)", () => {
        const writes = actionsMatching("iam:*").filter((a) => !["Read", "List"].includes(accessLevelOf(a)));
        assert.ok(writes.length > 100, String(writes.length));
        const context = { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" };
        const allowed = writes.filter((a) =>
            ["*", ROLE, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/eks.amazonaws.com/x`].some((r) =>
                allowedWithin(
                    DEPLOY,
                    BOUNDARY,
                    on(a, r, { ...context, "iam:PassedToService": "eks.amazonaws.com", "iam:AWSServiceName": "eks.amazonaws.com" }),
                ),
            ),
        );
        assert.deepEqual(allowed.sort(), ["iam:CreateServiceLinkedRole", "iam:PassRole"]);
        // The boundary denies role changes outright too, even if someone widens the deploy policy.
        for (const action of [
            "iam:CreateRole",
            "iam:PutRolePolicy",
            "iam:AttachRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRole",
        ])
            assert.equal(evaluate(BOUNDARY, on(action, ROLE, context)), "deny", action);
    });

    it("passes each workload role only to the service that runs it, and no other role", () =>
        table([
            ...(["cluster", "node"] as const).map((role) => ({
                why: `the ${role} role to EKS`,
                request: on("iam:PassRole", workloadRoleArn(ACCOUNT, role), { "iam:PassedToService": "eks.amazonaws.com" }),
                allowed: true,
            })),
            {
                why: "the flow-log role to VPC Flow Logs",
                request: on("iam:PassRole", workloadRoleArn(ACCOUNT, "flowLogs"), { "iam:PassedToService": "vpc-flow-logs.amazonaws.com" }),
                allowed: true,
            },
            {
                why: "the flow-log role to EKS",
                request: on("iam:PassRole", workloadRoleArn(ACCOUNT, "flowLogs"), { "iam:PassedToService": "eks.amazonaws.com" }),
                allowed: false,
            },
            {
                why: "the cluster role to EC2",
                request: on("iam:PassRole", workloadRoleArn(ACCOUNT, "cluster"), { "iam:PassedToService": "ec2.amazonaws.com" }),
                allowed: false,
            },
            {
                why: "another role under /multiregion/",
                request: on("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/multiregion/other`, {
                    "iam:PassedToService": "eks.amazonaws.com",
                }),
                allowed: false,
            },
            {
                why: "CI's own deploy role",
                request: on("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/multiregion-deploy`, {
                    "iam:PassedToService": "eks.amazonaws.com",
                }),
                allowed: false,
            },
        ]));

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

describe("the nightly clean-up's own AWS calls", () => {
    it("lets the rehearsal role delete exactly the control-plane log groups EKS may make again, and no other group", () =>
        table([
            {
                why: "a ci cluster's group",
                request: {
                    action: "logs:DeleteLogGroup",
                    resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/eks/multiregion-ci-eu/cluster`,
                },
                allowed: true,
            },
            {
                why: "another workload's group",
                request: { action: "logs:DeleteLogGroup", resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/payments` },
                allowed: false,
            },
        ]));
});
