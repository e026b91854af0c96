/**
 * The workload boundary every role the program makes carries: it must let the cluster, its nodes
 * and its flow logs do everything their AWS managed and inline policies grant (a cut shows only on
 * real AWS, as a broken cluster), and nothing that escalates.
 */
import { strict as assert } from "node:assert";
import { listBootstrapStacks } from "../bootstrap/sources";
import { WORKLOAD_ROLES } from "../facts/workload";
import { bootstrapRun } from "./support/bootstrap";
import { ACCOUNT, KEY, ROLE, SECRETS_ALIAS, widened, WORKLOAD, WORKLOAD_BOUNDARY } from "./support/iamCases";
import { actionsMatching } from "./support/iamData";
import { Context, evaluate, list, PolicyDocument, readPolicy, Request } from "./support/iamPolicies";
import managed from "./support/managedPolicies.json";

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
            const doc = p.document as PolicyDocument;
            const unknown = doc.Statement.flatMap((s) => list(s.Action)).filter((a) => actionsMatching(a).length === 0);
            assert.deepEqual(unknown, [], `${name}: actions the Service Authorization Reference lacks`);
        }
    });

    /** What a role needs, as requests: each managed or inline statement's actions, with a context its conditions accept. */
    function requestsOf(doc: PolicyDocument, nodeRole: string, own: Context = {}): Request[] {
        return doc.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => {
            const context: Context = { ...own };
            for (const block of Object.values(s.Condition ?? {}))
                for (const [key, value] of Object.entries(block)) context[key] = list(value)[0]!.replace("*", "x");
            // A name the reference lacks is still checked as written, never skipped.
            return list(s.Action)
                .flatMap((a) => (a.includes("*") ? actionsMatching(a) : [a]))
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

    for (const stack of listBootstrapStacks()) {
        it(`bootstrap ${stack}: allows every action of the managed and inline policies the workload roles carry`, async () => {
            const run = await bootstrapRun(stack);
            const workload = Object.values(WORKLOAD_ROLES) as string[];
            const nodeArn = `arn:aws:iam::${ACCOUNT}:role/multiregion/${WORKLOAD_ROLES.node}`;
            const attached = run.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => workload.includes(a.inputs.role))
                .map((a) => a.inputs.policyArn.split("/").pop()!);
            assert.deepEqual([...new Set(attached)].sort(), policies.map(([name]) => name).sort());
            const inline = run.resources
                .ofType("aws:iam/rolePolicy:RolePolicy")
                .filter((p) => workload.includes(p.inputs.role))
                .map((p) => JSON.parse(p.inputs.policy) as PolicyDocument);
            assert.equal(inline.length, 2);
            // The inline policies name only the clusters' secrets keys, which KMS sees with their aliases.
            const own = { "kms:ResourceAliases": [SECRETS_ALIAS] };
            const requests = [
                ...policies.flatMap(([, p]) => requestsOf(p.document as PolicyDocument, nodeArn)),
                ...inline.flatMap((d) => requestsOf(d, nodeArn, own)),
            ];
            assert.ok(requests.length > 150, `${requests.length}`);
            const boundary = readPolicy("workload-boundary.json");
            const cut = requests.filter((r) => evaluate(boundary, r) !== "allow").map((r) => `${r.action} on ${r.resource}`);
            assert.deepEqual([...new Set(cut)], []);
        });
    }

    it("lets the backend's data role count in its own account's tables, in any region, and no other account's", async () => {
        const run = await bootstrapRun("prod");
        const inline = run.resources
            .ofType("aws:iam/rolePolicy:RolePolicy")
            .filter((p) => /^multiregion-.+-backend-data$/.test(p.inputs.role))
            .map((p) => JSON.parse(p.inputs.policy) as PolicyDocument);
        assert.ok(inline.length >= 1);
        const boundary = readPolicy("workload-boundary.json");
        const as = (account: string): Context => ({ "aws:PrincipalAccount": account });
        const requests = inline.flatMap((d) => requestsOf(d, "", as(ACCOUNT)));
        assert.ok(requests.some((r) => r.action === "dynamodb:UpdateItem"));
        assert.deepEqual(
            requests.filter((r) => evaluate(boundary, r) !== "allow").map((r) => `${r.action} on ${r.resource}`),
            [],
        );
        const elsewhere = (action: string) => ({
            action,
            resource: "arn:aws:dynamodb:eu-west-1:999988887777:table/shared",
            context: as(ACCOUNT),
        });
        assert.equal(evaluate(boundary, elsewhere("dynamodb:GetItem")), "implicit");
        assert.equal(evaluate(boundary, elsewhere("dynamodb:UpdateItem")), "implicit");
    });

    it("lets a workload role, even with an inline *, use only the clusters' secrets keys for data", () => {
        // Defence in depth: the bootstrap's inline policies already name only those keys.
        const anything: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        const within = (r: Request) => evaluate(anything, r) === "allow" && evaluate(WORKLOAD, r) === "allow";
        for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:ListGrants"]) {
            assert.ok(within({ action, resource: KEY, context: { "kms:ResourceAliases": [SECRETS_ALIAS] } }), `${action} on a secrets key`);
            for (const context of [{ "kms:ResourceAliases": ["alias/payments-prod"] }, {}] as Context[])
                assert.ok(!within({ action, resource: KEY, context }), `${action} on ${JSON.stringify(context)}`);
        }
    });

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
