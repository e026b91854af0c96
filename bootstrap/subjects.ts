/**
 * The exact OIDC subjects of this repository's jobs, from the main program's stack files.
 * The repository's subject template (`repo`, `context`, `ref`, `job_workflow_ref`) makes a
 * token's `sub` name the repository, the environment (or `pull_request`), the ref the run is
 * for and the workflow file at its ref. `ref` is the caller's: a workflow on another branch that
 * calls deploy-stack.yml@main gets the called file's `job_workflow_ref` but its own `ref`, so a
 * trust can name the one workflow on `main`, run from `main`, that may deploy
 * (https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository).
 */
import type { BootstrapConfig } from "./config";

/** The claims the repository's `sub` is made of, in order. */
export const SUBJECT_CLAIMS = ["repo", "context", "ref", "job_workflow_ref"] as const;
export const MAIN_REF = "refs/heads/main";
/** The workflow files that ask for credentials, as `job_workflow_ref` names them. */
export const WORKFLOWS = {
    deploy: "deploy-stack.yml",
    switchover: "switchover.yml",
    preview: "preview.yml",
    rehearsal: "nightly.yml",
} as const;
/** The fleet the switchover workflow moves, and the environment it runs in. */
export const SWITCHOVER_FLEET = "prod";
export const SWITCHOVER_ENVIRONMENT = "prod-switchover";
export const REHEARSAL_ENVIRONMENT = "sandbox";

export type Job = "preview" | "deploy" | "rehearsal";

/** One job's origin: the environment it runs in (none for a pull request) and its workflow. */
export interface Origin {
    readonly environment?: string;
    readonly workflow: string;
    /** `refs/heads/main`, or `refs/pull/*` for a pull request, matched with StringLike. */
    readonly ref: string;
}

/** The `sub` a job from `origin` carries. */
export function subjectOf(github: BootstrapConfig["github"], origin: Origin): string {
    const context = origin.environment === undefined ? "pull_request" : `environment:${origin.environment}`;
    // job_workflow_ref names the repository by its path, never by the immutable ids.
    const workflow = `${github.ownerLogin}/${github.repositoryName}/.github/workflows/${origin.workflow}@${origin.ref}`;
    return `repo:${github.owner}/${github.repository}:${context}:ref:${origin.ref}:job_workflow_ref:${workflow}`;
}

/** The environments a fleet's jobs run in: one per stack file, and the switchover's for the production fleet. */
export function fleetEnvironments(fleet: string, stacks: readonly string[]): string[] {
    return [...stacks, ...(fleet === SWITCHOVER_FLEET ? [SWITCHOVER_ENVIRONMENT] : [])];
}

/** Where each job that uses a role of this account comes from. */
export function originsOf(job: Job, fleets: Readonly<Record<string, readonly string[]>>): Origin[] {
    switch (job) {
        case "preview":
            return [{ workflow: WORKFLOWS.preview, ref: "refs/pull/*" }];
        case "deploy":
            return Object.entries(fleets).flatMap(([fleet, stacks]) =>
                fleetEnvironments(fleet, stacks).map((environment) => ({
                    environment,
                    workflow: environment === SWITCHOVER_ENVIRONMENT ? WORKFLOWS.switchover : WORKFLOWS.deploy,
                    ref: MAIN_REF,
                })),
            );
        case "rehearsal":
            return [{ environment: REHEARSAL_ENVIRONMENT, workflow: WORKFLOWS.rehearsal, ref: MAIN_REF }];
    }
}

/** The subjects of `job`'s origins. */
export function subjectsOf(github: BootstrapConfig["github"], job: Job, fleets: Readonly<Record<string, readonly string[]>>): string[] {
    return originsOf(job, fleets).map((o) => subjectOf(github, o));
}
