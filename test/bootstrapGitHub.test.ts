import { strict as assert } from "node:assert";
import { listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { fleetOf, listStacks } from "../tools/stacks";
import { BRANCH_POLICY, bootstrapRun, ENVIRONMENT, roleNamed, runBootstrap, variablesOf, workflowVariables } from "./support/bootstrap";

const ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable";
import type { BootstrapRun } from "./support/bootstrap";

const environmentsOf = (run: BootstrapRun) => run.resources.ofType(ENVIRONMENT).map((e) => e.inputs.environment as string);

describe("bootstrap: GitHub environments and variables", () => {
    for (const stack of listBootstrapStacks()) {
        describe(`bootstrap/Pulumi.${stack}.yaml`, () => {
            const config = loadBootstrapStack(stack);
            const served = listStacks().filter((s) => config.fleets.includes(fleetOf(s)));

            it("an environment for each main-program stack file of its fleets, the switchover's with prod, and sandbox with the rehearsal", async () => {
                const run = await bootstrapRun(stack);
                const expected = [
                    ...served,
                    ...(config.fleets.includes("prod") ? ["prod-switchover"] : []),
                    ...(config.rehearsal ? ["sandbox"] : []),
                ];
                assert.deepEqual(environmentsOf(run).sort(), expected.sort());
            });

            it("every environment deploys from main only, through a custom branch policy, and admins do not bypass it", async () => {
                const run = await bootstrapRun(stack);
                const policies = run.resources.ofType(BRANCH_POLICY);
                for (const env of run.resources.ofType(ENVIRONMENT)) {
                    assert.deepEqual(env.inputs.deploymentBranchPolicy, { protectedBranches: false, customBranchPolicies: true }, env.name);
                    assert.equal(env.inputs.canAdminsBypass, false, env.name);
                    assert.equal(env.inputs.repository, config.github.repositoryName);
                    const own = policies.filter((p) => p.inputs.environment === env.inputs.environment);
                    assert.deepEqual(
                        own.map((p) => [p.inputs.branchPattern, p.inputs.tagPattern]),
                        [["main", undefined]],
                        env.name,
                    );
                }
            });

            it("required reviewers only where the plan has them, never on the scheduled sandbox", async () => {
                const run = await bootstrapRun(stack);
                for (const env of run.resources.ofType(ENVIRONMENT)) assert.equal(env.inputs.reviewers, undefined, env.name);
                if (config.fleets.length === 0) return;
                const withReviewers = await runBootstrap(stack, {
                    environmentReviewers: ["user:101", "team:202"],
                    reviewersAvailable: true,
                });
                for (const env of withReviewers.resources.ofType(ENVIRONMENT)) {
                    const sandbox = env.inputs.environment === "sandbox";
                    assert.deepEqual(env.inputs.reviewers, sandbox ? undefined : [{ users: [101], teams: [202] }], env.name);
                    assert.equal(env.inputs.preventSelfReview, !sandbox, env.name);
                }
            });

            it("stores no secret; only a fleet other than prod gets environment variables: its own account's roles, in its own environments", async () => {
                const run = await bootstrapRun(stack);
                const types = run.resources.resources.map((r) => r.type).filter((t) => t.startsWith("github:"));
                for (const t of types) assert.doesNotMatch(t, /Secret|Workflow|Permissions/, t);
                const envVars = run.resources.ofType(ENV_VARIABLE);
                const expected = served.filter((s) => fleetOf(s) !== "prod");
                assert.deepEqual([...new Set(envVars.map((v) => v.inputs.environment as string))].sort(), expected.sort());
                for (const environment of expected) {
                    const own = envVars.filter((v) => v.inputs.environment === environment);
                    // The same names as the repository's prod variables, which these override in that environment's jobs.
                    assert.deepEqual(own.map((v) => v.inputs.variableName).sort(), ["AWS_DEPLOY_ROLE_ARN", "AWS_PREVIEW_ROLE_ARN"]);
                    const deploy = own.find((v) => v.inputs.variableName === "AWS_DEPLOY_ROLE_ARN")!;
                    assert.equal(deploy.inputs.value, roleNamed(run, "multiregion-deploy").outputs.arn);
                }
                if (expected.length > 0) assert.deepEqual(variablesOf(run), {}, "a stage account writes no repository variable");
            });
        });
    }

    for (const stack of listBootstrapStacks()) {
        it(`${stack}: every resource sits in a multiregion:bootstrap:<Type> component, named after it; only providers sit outside one`, async () => {
            const run = await bootstrapRun(stack);
            const stackUrn = run.resources.ofType("pulumi:pulumi:Stack")[0]!.urn;
            const components = run.resources.resources.filter((r) => !r.custom && r.urn !== stackUrn);
            assert.ok(components.length >= 2);
            for (const c of components) assert.match(c.type, /^multiregion:bootstrap:[A-Z][A-Za-z]+$/);
            for (const r of run.resources.resources.filter((x) => x.parent === stackUrn && x.custom))
                assert.match(r.type, /^pulumi:providers:/, r.name);
            for (const r of run.resources.resources.filter((x) => x.parent !== stackUrn && x.urn !== stackUrn)) {
                const parent = run.resources.byUrn(r.parent)!;
                assert.ok(!parent.custom && r.name.startsWith(`${parent.name}-`), `${r.name} is named after its component ${parent.name}`);
            }
        });
    }

    it("the OIDC subject template is set once, by the repository-wide stack: repo, context, job_workflow_ref", async () => {
        const templates = [];
        for (const stack of listBootstrapStacks()) {
            const run = await bootstrapRun(stack);
            templates.push(
                ...run.resources
                    .ofType(
                        "github:index/actionsRepositoryOidcSubjectClaimCustomizationTemplate:ActionsRepositoryOidcSubjectClaimCustomizationTemplate",
                    )
                    .map((t) => ({ stack, ...t.inputs })),
            );
        }
        assert.deepEqual(templates, [
            {
                stack: "prod",
                repository: "multiregion",
                useDefault: false,
                includeClaimKeys: ["repo", "context", "ref", "job_workflow_ref"],
            },
        ]);
    });

    it("exactly one stack is repository-wide, every stack names the same repository and backend, and no two set the same environment or variable", async () => {
        const configs = listBootstrapStacks().map((s) => loadBootstrapStack(s));
        assert.equal(configs.filter((c) => c.repositoryWide).length, 1);
        assert.equal(new Set(configs.map((c) => `${c.github.owner}/${c.github.repository}`)).size, 1);
        assert.equal(new Set(configs.map((c) => c.backend)).size, 1);
        const seen = new Map<string, string>();
        for (const stack of listBootstrapStacks()) {
            const run = await bootstrapRun(stack);
            for (const name of [
                ...environmentsOf(run).map((e) => `environment ${e}`),
                ...Object.keys(variablesOf(run)).map((v) => `variable ${v}`),
            ]) {
                assert.ok(!seen.has(name), `${name}: set by ${seen.get(name)} and ${stack}`);
                seen.set(name, stack);
            }
        }
    });

    it("every repository variable the workflows read is set by a bootstrap stack (team names where team tokens are asked for)", async () => {
        const set = new Set<string>();
        for (const stack of listBootstrapStacks()) for (const name of Object.keys(variablesOf(await bootstrapRun(stack)))) set.add(name);
        const teams = await runBootstrap("prod", {
            pulumiEdition: "enterprise",
            previewTokenType: "team",
            previewTeam: "ci-preview",
            rehearsalTokenType: "team",
            rehearsalTeam: "ci-sandbox",
        });
        const teamVariables = variablesOf(teams);
        assert.equal(teamVariables.PULUMI_PREVIEW_TEAM, "ci-preview");
        assert.equal(teamVariables.PULUMI_SANDBOX_TEAM, "ci-sandbox");
        assert.equal(teamVariables.PULUMI_PREVIEW_TOKEN_TYPE, undefined, "preview.yml asks for a team token, or previews offline");
        for (const name of Object.keys(teamVariables)) set.add(name);
        // The backend URL and key variables exist in s3 mode only; the workflows read them then.
        for (const stack of ["prod", "sandbox"])
            for (const name of Object.keys(variablesOf(await runBootstrap(stack, { backend: "s3" })))) set.add(name);
        const missing = workflowVariables().filter((v) => !set.has(v));
        assert.deepEqual(missing, []);
    });

    it("the variables hold the roles, the account and the record the workflows need", async () => {
        const prod = variablesOf(await bootstrapRun("prod"));
        const prodRun = await bootstrapRun("prod");
        assert.equal(prod.AWS_DEPLOY_ROLE_ARN, prodRun.outputs.deployRoleArn);
        assert.equal(prod.AWS_PREVIEW_ROLE_ARN, prodRun.outputs.previewRoleArn);
        assert.equal(prod.PULUMI_BACKEND, "pulumi-cloud");
        assert.equal(prod.PULUMI_ORG, loadBootstrapStack("prod").pulumi.org);
        const sandboxRun = await bootstrapRun("sandbox");
        const sandbox = variablesOf(sandboxRun);
        const config = loadBootstrapStack("sandbox");
        assert.equal(sandbox.SANDBOX_AWS_ROLE_ARN, sandboxRun.outputs.rehearsalRoleArn);
        assert.equal(sandbox.SANDBOX_AWS_ACCOUNT_ID, sandboxRun.outputs.accountId);
        assert.equal(sandbox.SANDBOX_RECORD_NAME, config.rehearsal?.recordName);
        assert.equal(sandbox.SANDBOX_HOSTED_ZONE, config.rehearsal?.hostedZone);
    });
});
