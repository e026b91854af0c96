/**
 * The GitHub side: the repository's OIDC subject template, one environment per job origin,
 * each deployable from `main` only, and the repository variables the workflows read.
 * Everything here is a repository setting, changed only by an admin's token, never by a
 * workflow's GITHUB_TOKEN; no secret is stored.
 */
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { SUBJECT_CLAIMS } from "./subjects";

export interface EnvironmentSpec {
    readonly name: string;
    /** Required reviewers' GitHub ids; empty where the plan has none or a schedule would wait. */
    readonly reviewers: { readonly users: number[]; readonly teams: number[] };
    /**
     * Variables of this environment only, which override the repository's of the same name in its
     * jobs: another fleet's account, roles and backend under the names the workflows read.
     */
    readonly variables?: Record<string, pulumi.Input<string>>;
}

export interface GitHubRepositoryArgs {
    /** The repository's name (not its immutable id). */
    readonly repository: string;
    /** Set the repository's subject template; one stack does. */
    readonly subjectTemplate: boolean;
    readonly environments: EnvironmentSpec[];
    /** Repository variables, by name. */
    readonly variables: Record<string, pulumi.Input<string>>;
}

/** The only branch any environment deploys from. */
export const DEPLOY_BRANCH = "main";

export class GitHubRepository extends pulumi.ComponentResource {
    constructor(name: string, args: GitHubRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:GitHubRepository", name, {}, opts);
        const { repository } = args;
        if (args.subjectTemplate) {
            // PUT /repos/{owner}/{repo}/actions/oidc/customization/sub; the `sub` then reads
            // repo:OWNER/REPO:environment:NAME:ref:REF:job_workflow_ref:OWNER/REPO/.github/workflows/FILE@REF
            // (https://docs.github.com/en/rest/actions/oidc#set-the-customization-template-for-an-oidc-subject-claim-for-a-repository).
            new github.ActionsRepositoryOidcSubjectClaimCustomizationTemplate(
                `${name}-oidc-subject`,
                { repository, useDefault: false, includeClaimKeys: [...SUBJECT_CLAIMS] },
                { parent: this },
            );
        }
        for (const env of args.environments) {
            const hasReviewers = env.reviewers.users.length + env.reviewers.teams.length > 0;
            const environment = new github.RepositoryEnvironment(
                `${name}-env-${env.name}`,
                {
                    repository,
                    environment: env.name,
                    // Custom branch policies, with the one below: only `main` may deploy
                    // (https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#deployment-branches-and-tags).
                    deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true },
                    reviewers: hasReviewers ? [{ users: env.reviewers.users, teams: env.reviewers.teams }] : undefined,
                    preventSelfReview: hasReviewers,
                    // Admins follow the same rules; the default lets them bypass.
                    canAdminsBypass: false,
                },
                { parent: this },
            );
            new github.RepositoryEnvironmentDeploymentPolicy(
                `${name}-env-${env.name}-main`,
                { repository, environment: environment.environment, branchPattern: DEPLOY_BRANCH },
                { parent: this },
            );
            for (const [variableName, value] of Object.entries(env.variables ?? {})) {
                new github.ActionsEnvironmentVariable(
                    `${name}-env-${env.name}-var-${variableName}`,
                    { repository, environment: environment.environment, variableName, value },
                    { parent: this },
                );
            }
        }
        for (const [variableName, value] of Object.entries(args.variables)) {
            new github.ActionsVariable(`${name}-var-${variableName}`, { repository, variableName, value }, { parent: this });
        }
        this.registerOutputs({});
    }
}
