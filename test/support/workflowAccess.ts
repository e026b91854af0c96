/**
 * The workflow rules of issue #17: who may obtain credentials, on which ref, in which
 * environment, after what kind of install, and who opens pull requests. Each returns the
 * problems it finds (one line each), as the rules in ./workflows.ts do.
 */
import { APP_TOKEN, isCredentialStep, isOidcStep, jobsOf, label, stepsOf, usesAction, Workflow } from "./workflows";

/**
 * A job that mints a credential installs only with `npm ci --ignore-scripts`: a package's install
 * script could otherwise rewrite node_modules or $GITHUB_PATH under the steps that hold tokens.
 */
export function installScripts(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of jobsOf(wf)) {
        if (!stepsOf(job).some(isCredentialStep)) continue;
        for (const s of stepsOf(job).filter((x) => /(^|[\s;&|(])(npm (ci|install|i)|npx|yarn|pnpm)\b/.test(x.run ?? "")))
            if (!/^npm ci --ignore-scripts\b/.test(s.run!) || /\n/.test(s.run!.trim()))
                problems.push(`${label(wf, id, s)}: installs with scripts in a job that obtains credentials`);
    }
    return problems;
}

/**
 * On a pull request, a gate trusts the pull request's author: `github.actor` and
 * `github.triggering_actor` are whoever last pushed or re-ran. Elsewhere a gate on a person trusts
 * `github.triggering_actor`, who started this run or re-run; `github.actor` stays the first run's.
 */
export function actorGates(wf: Workflow): string[] {
    const onPullRequest = /^\s{2}pull_request(_target)?:/m.test(wf.text);
    return [...wf.text.matchAll(/github\.(actor|triggering_actor)\b/g)]
        .filter((m) => onPullRequest || m[1] === "actor")
        .map((m) =>
            onPullRequest
                ? `${wf.file}: reads ${m[0]}; gate on github.event.pull_request.user.login`
                : `${wf.file}: reads ${m[0]}; gate on github.triggering_actor, who started this run or re-run`,
        );
}

/**
 * Pull requests are opened as a GitHub App, never with the GITHUB_TOKEN: the repository does not
 * let GitHub Actions create or approve pull requests, so a workflow cannot approve its writer's change.
 */
export function pullRequestsByActions(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of jobsOf(wf)) {
        const apps = new Set(
            stepsOf(job)
                .filter((s) => usesAction(s, APP_TOKEN) && s.id)
                .map((s) => `\${{ steps.${s.id}.outputs.token }}`),
        );
        for (const s of stepsOf(job).filter((x) => /\bgh (pr (create|review|merge)|api\b[^\n]*\/pulls)/.test(x.run ?? "")))
            if (!apps.has(String(s.env?.GH_TOKEN)))
                problems.push(
                    `${label(wf, id, s)}: a pull request as GitHub Actions (GH_TOKEN ${String(s.env?.GH_TOKEN)}), not as the App`,
                );
    }
    return problems;
}

export const MAIN_ONLY = "github.ref == 'refs/heads/main'";
const triggers = (wf: Workflow) => (typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on ?? {}));

/**
 * A job that mints a credential runs behind a GitHub environment and only on main (the trust
 * names `<workflow>@refs/heads/main`), except in a workflow that runs on pull requests only,
 * whose trust names `refs/pull/*` and no environment.
 */
export function credentialsOffMain(wf: Workflow): string[] {
    const problems: string[] = [];
    const pullRequestsOnly = triggers(wf).every((t: string) => t === "pull_request");
    for (const [id, job] of jobsOf(wf)) {
        if (!stepsOf(job).some(isCredentialStep)) continue;
        if (pullRequestsOnly) {
            if (job.environment !== undefined) problems.push(`${label(wf, id)}: a pull-request job names environment ${job.environment}`);
            continue;
        }
        if (!(job.if ?? "").includes(MAIN_ONLY)) problems.push(`${label(wf, id)}: obtains credentials without if: ${MAIN_ONLY}`);
        if (job.environment === undefined) problems.push(`${label(wf, id)}: obtains credentials outside an environment`);
    }
    return problems;
}

/**
 * The OIDC subjects the jobs present, under the repository's customised subject
 * (repo, context, ref, job_workflow_ref): one per job that exchanges an OIDC token, with
 * `${{ inputs.stack }}` standing for each stack the caller passes (`stacks`).
 */
export function oidcSubjects(wf: Workflow, stacks: string[]): string[] {
    const repo = "<OWNER>/<REPO>";
    const subjects = new Set<string>();
    const pullRequestsOnly = triggers(wf).every((t: string) => t === "pull_request");
    for (const [, job] of jobsOf(wf)) {
        if (!stepsOf(job).some(isOidcStep)) continue;
        const ref = pullRequestsOnly ? "refs/pull/*" : "refs/heads/main";
        const contexts = pullRequestsOnly
            ? ["pull_request"]
            : (job.environment === "${{ inputs.stack }}" ? stacks : [job.environment ?? "<none>"]).map((e) => `environment:${e}`);
        for (const context of contexts)
            subjects.add(`repo:${repo}:${context}:ref:${ref}:job_workflow_ref:${repo}/.github/workflows/${wf.file}@${ref}`);
    }
    return [...subjects];
}
