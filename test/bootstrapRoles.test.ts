import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { listBootstrapStacks, loadBootstrapStack, servedFleets } from "../bootstrap/sources";
import { PENDING_IAM_DIR, subjectsIn, withSubjects } from "../bootstrap/policies";
import { fleetOf, listStacks, loadStack, ROOT } from "../tools/stacks";
import { ACCOUNT_ID } from "../tools/offline/mocks";
import {
    ATTACHMENT,
    bootstrapRun,
    documentOf,
    expectedPolicy,
    POLICY,
    policyNamed,
    ciRoles,
    ROLE_POLICY,
    roleNamed,
} from "./support/bootstrap";
import type { BootstrapRun } from "./support/bootstrap";

const SUB = "token.actions.githubusercontent.com:sub";
const AUD = "token.actions.githubusercontent.com:aud";

/** The exact subjects a role of `stack` must trust, written out here from the shared decision, not from the program. */
function expectedSubjects(stack: string, job: "preview" | "deploy" | "rehearsal"): string[] {
    const config = loadBootstrapStack(stack);
    const repo = `${config.github.owner}/${config.github.repository}`;
    const path = `${config.github.ownerLogin}/${config.github.repositoryName}/.github/workflows`;
    if (job === "preview") return [`repo:${repo}:pull_request:ref:refs/pull/*:job_workflow_ref:${path}/preview.yml@refs/pull/*`];
    if (job === "rehearsal")
        return [`repo:${repo}:environment:sandbox:ref:refs/heads/main:job_workflow_ref:${path}/nightly.yml@refs/heads/main`];
    return config.fleets.flatMap((fleet) => [
        ...listStacks()
            .filter((s) => fleetOf(s) === fleet)
            .map((s) => `repo:${repo}:environment:${s}:ref:refs/heads/main:job_workflow_ref:${path}/deploy-stack.yml@refs/heads/main`),
        ...(fleet === "prod"
            ? [`repo:${repo}:environment:prod-switchover:ref:refs/heads/main:job_workflow_ref:${path}/switchover.yml@refs/heads/main`]
            : []),
    ]);
}

/** The account id the run's policies must name: the stack file's, or the created account's. */
function accountIdOf(run: BootstrapRun): string {
    return String(run.outputs.accountId);
}

/** The roles a stack must have, by physical name. */
function rolesOf(stack: string): { name: string; job: "preview" | "deploy" | "rehearsal"; trust: string; maxSession: number }[] {
    const config = loadBootstrapStack(stack);
    return [
        ...(config.fleets.length > 0
            ? [
                  { name: "multiregion-preview", job: "preview" as const, trust: "github-trust-preview.json", maxSession: 3600 },
                  { name: "multiregion-deploy", job: "deploy" as const, trust: "github-trust-deploy.json", maxSession: 10800 },
              ]
            : []),
        ...(config.rehearsal
            ? [{ name: "multiregion-rehearsal", job: "rehearsal" as const, trust: "github-trust-rehearsal.json", maxSession: 14400 }]
            : []),
    ];
}

describe("bootstrap: CI roles from iam/", () => {
    for (const stack of listBootstrapStacks()) {
        describe(`bootstrap/Pulumi.${stack}.yaml`, () => {
            const config = loadBootstrapStack(stack);
            const record = servedFleets(config)[0]?.recordName ?? config.rehearsal?.recordName ?? "";

            it("has exactly the roles its fleets and rehearsal need", async () => {
                const run = await bootstrapRun(stack);
                assert.deepEqual(
                    ciRoles(run)
                        .map((r) => r.inputs.name)
                        .sort(),
                    rolesOf(stack)
                        .map((r) => r.name)
                        .sort(),
                );
            });

            for (const role of rolesOf(stack)) {
                it(`${role.name}: its trust is iam/${role.trust} with exactly this account's subjects, each under StringEquals unless a pull request's ref varies`, async () => {
                    const run = await bootstrapRun(stack);
                    const trust = documentOf(roleNamed(run, role.name));
                    const values = { ACCOUNT_ID: accountIdOf(run), OWNER: config.github.owner, REPO: config.github.repository };
                    const template = expectedPolicy(role.trust, values);
                    const subjects = expectedSubjects(stack, role.job);
                    assert.deepEqual(subjectsIn(trust).sort(), [...subjects].sort());
                    for (const s of trust.Statement) {
                        const equals = [s.Condition?.StringEquals?.[SUB] ?? []].flat();
                        const like = [s.Condition?.StringLike?.[SUB] ?? []].flat();
                        assert.ok(
                            equals.every((x: string) => !x.includes("*")),
                            `no wildcard under StringEquals: ${equals.join(", ")}`,
                        );
                        // The only wildcard is the pull request number; every environment is named exactly.
                        for (const x of like)
                            assert.match(x, /:pull_request:ref:refs\/pull\/\*:job_workflow_ref:[^*]+\/preview\.yml@refs\/pull\/\*$/);
                        assert.equal(s.Condition.StringEquals[AUD], "sts.amazonaws.com");
                    }
                    // Everything but the subjects is the template's: principal, action, audience, Sids.
                    const strip = (doc: any) =>
                        doc.Statement.map((s: any) => ({
                            ...s,
                            Condition: Object.fromEntries(
                                Object.entries(s.Condition).map(([op, block]: [string, any]) => [
                                    op,
                                    Object.fromEntries(Object.entries(block).filter(([k]) => k !== SUB)),
                                ]),
                            ),
                        })).map((s: any) => ({
                            ...s,
                            Condition: Object.fromEntries(
                                Object.entries(s.Condition).filter(([, b]) => Object.keys(b as object).length > 0),
                            ),
                        }));
                    assert.deepEqual(strip(trust), strip(template));
                    assert.equal(
                        trust.Statement[0].Principal.Federated,
                        `arn:aws:iam::${accountIdOf(run)}:oidc-provider/token.actions.githubusercontent.com`,
                    );
                });

                it(`${role.name}: has a permissions boundary, made here, and sessions of ${role.maxSession} s`, async () => {
                    const run = await bootstrapRun(stack);
                    const r = roleNamed(run, role.name);
                    const boundaries = run.resources.ofType(POLICY).filter((p) => p.outputs.arn === r.inputs.permissionsBoundary);
                    assert.equal(
                        boundaries.length,
                        1,
                        `${role.name}'s boundary ${r.inputs.permissionsBoundary} is one of this stack's policies`,
                    );
                    assert.equal(boundaries[0]!.inputs.path, "/multiregion-ci/");
                    assert.equal(r.inputs.maxSessionDuration, role.maxSession);
                });
            }

            it("every role's boundary and policies equal the iam/ files after substitution", async () => {
                const run = await bootstrapRun(stack);
                const values = {
                    ACCOUNT_ID: accountIdOf(run),
                    OWNER: config.github.owner,
                    REPO: config.github.repository,
                    RECORD_NAME: record,
                };
                assert.deepEqual(
                    documentOf(policyNamed(run, "multiregion-workload-boundary")),
                    expectedPolicy("workload-boundary.json", values),
                );
                const inline = run.resources.ofType(ROLE_POLICY);
                for (const role of rolesOf(stack)) {
                    const r = roleNamed(run, role.name);
                    const boundary = run.resources.ofType(POLICY).find((p) => p.outputs.arn === r.inputs.permissionsBoundary)!;
                    const attached = run.resources
                        .ofType(ATTACHMENT)
                        .filter((a) => a.inputs.role === r.outputs.name)
                        .map((a) => run.resources.ofType(POLICY).find((p) => p.outputs.arn === a.inputs.policyArn)!);
                    const ownInline = inline.filter((p) => p.inputs.role === r.outputs.name);
                    if (role.job === "preview") {
                        assert.deepEqual(documentOf(boundary), expectedPolicy("preview-policy.json", values));
                        assert.deepEqual(attached.map(documentOf), [expectedPolicy("preview-policy.json", values)]);
                        assert.deepEqual(ownInline, []);
                    } else {
                        assert.deepEqual(documentOf(boundary), expectedPolicy("deploy-boundary.json", values));
                        // Inline: over the 6,144-character quota of a managed policy (docs/iam.md).
                        assert.deepEqual(ownInline.map(documentOf), [expectedPolicy("deploy-policy.json", values)]);
                        assert.deepEqual(attached.map(documentOf), []);
                    }
                }
            });

            it("GitHub's OIDC provider: its issuer, the STS audience, no thumbprint", async () => {
                const run = await bootstrapRun(stack);
                const [provider, ...more] = run.resources.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
                assert.equal(more.length, 0);
                assert.equal(provider!.inputs.url, "https://token.actions.githubusercontent.com");
                assert.deepEqual(provider!.inputs.clientIdLists, ["sts.amazonaws.com"]);
                assert.equal(provider!.inputs.thumbprintLists, undefined);
                for (const role of ciRoles(run)) assert.ok(role.dependencies.includes(provider!.urn), role.name);
            });

            it("the workload boundary: multiregion-workload-boundary at /multiregion-ci/, the ARN the main program derives", async () => {
                const run = await bootstrapRun(stack);
                const boundary = policyNamed(run, "multiregion-workload-boundary");
                assert.equal(boundary.inputs.path, "/multiregion-ci/");
                assert.ok(
                    `arn:aws:iam::${ACCOUNT_ID}:policy${boundary.inputs.path}${boundary.inputs.name}`.endsWith(
                        ":policy/multiregion-ci/multiregion-workload-boundary",
                    ),
                );
            });
        });
    }

    it("prod's deploy trust names what iam/github-trust-deploy.json names, once that file lists exact subjects", () => {
        const config = loadBootstrapStack("prod");
        const values = { ACCOUNT_ID: "123456789012", OWNER: config.github.owner, REPO: config.github.repository };
        const file = subjectsIn(expectedPolicy("github-trust-deploy.json", values));
        const computed = subjectsIn(withSubjects(expectedPolicy("github-trust-deploy.json", values), expectedSubjects("prod", "deploy")));
        if (file.some((s) => s.includes("*"))) {
            // Today's file still has the wildcard `environment:prod-*`: every computed subject must fall under it,
            // and the computed list is the stack files' environments exactly (re-run after issue #17 merges).
            const pattern = new RegExp(`^${file[0]!.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}`);
            for (const s of computed) assert.match(s.replace(/:job_workflow_ref:.*$/, ""), pattern);
            assert.deepEqual(computed, expectedSubjects("prod", "deploy"));
        } else {
            assert.deepEqual([...computed].sort(), [...file].sort());
        }
    });

    it("the main program's stack files name exactly the roles the bootstrap makes in the account they deploy into", () => {
        for (const stack of listBootstrapStacks()) {
            const config = loadBootstrapStack(stack);
            if (!("id" in config.account)) continue;
            for (const main of listStacks().filter((s) => config.fleets.includes(fleetOf(s)))) {
                const settings = loadStack(main);
                assert.equal(settings.accountId, config.account.id, main);
                assert.equal(settings.cluster.deployRoleArn, `arn:aws:iam::${config.account.id}:role/multiregion-deploy`, main);
                assert.equal(settings.cluster.previewRoleArn, `arn:aws:iam::${config.account.id}:role/multiregion-preview`, main);
            }
        }
    });

    it("the stand-ins in bootstrap/iam-pending/ go away once iam/ has the real files", () => {
        // After the merge the folder is gone: nothing is left to read in its place.
        for (const file of fs.existsSync(PENDING_IAM_DIR) ? fs.readdirSync(PENDING_IAM_DIR) : []) {
            assert.ok(!fs.existsSync(path.join(ROOT, "iam", file)), `iam/${file} exists now: delete bootstrap/iam-pending/${file}`);
        }
    });
});
