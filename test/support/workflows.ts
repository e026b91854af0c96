/**
 * The repository's GitHub Actions workflows, parsed, and the rules every one of them is held
 * to. Each rule returns the problems it finds (one line each), so a test can assert `[]` on
 * the real workflows and a named problem on a deliberately broken copy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ROOT } from "../../tools/stacks";

export const WORKFLOW_DIR = path.join(ROOT, ".github", "workflows");

type Env = Record<string, string>;

export interface Step {
    readonly name?: string;
    readonly id?: string;
    readonly if?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly with?: Record<string, unknown>;
    readonly env?: Env;
    readonly "timeout-minutes"?: number;
}

export interface Job {
    readonly name?: string;
    readonly if?: string;
    readonly needs?: string | string[];
    readonly environment?: string;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: unknown;
    readonly env?: Env;
    readonly uses?: string;
    readonly with?: Record<string, unknown>;
    readonly secrets?: unknown;
    readonly strategy?: any;
    readonly container?: string | { image?: string };
    readonly services?: Record<string, { image?: string }>;
    readonly steps?: Step[];
    readonly outputs?: Record<string, string>;
    readonly "timeout-minutes"?: number;
}

export interface Workflow {
    readonly file: string;
    /** The file as written: comments (the version after a pinned SHA) exist only here. */
    readonly text: string;
    readonly on: any;
    readonly env?: Env;
    readonly permissions?: Record<string, string>;
    readonly concurrency?: unknown;
    readonly jobs: Record<string, Job>;
}

export function parseWorkflow(file: string, text: string): Workflow {
    return { ...(YAML.parse(text) as Omit<Workflow, "file" | "text">), file, text };
}

export function workflowFiles(): string[] {
    return fs
        .readdirSync(WORKFLOW_DIR)
        .filter((f) => f.endsWith(".yml"))
        .sort();
}

export function loadWorkflow(file: string): Workflow {
    return parseWorkflow(file, fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8"));
}

export const jobsOf = (wf: Workflow) => Object.entries(wf.jobs);
export const stepsOf = (job: Job): Step[] => job.steps ?? [];
export const label = (wf: Workflow, id: string, step?: Step) => `${wf.file} ${id}${step ? ` "${step.name ?? step.run ?? step.uses}"` : ""}`;

export const usesAction = (step: Step, action: string) => step.uses?.split("@")[0] === action;
export const isInstall = (step: Step) => /^npm ci\b/.test(step.run ?? "");
const PULUMI_AUTH = "pulumi/auth-actions";
const AWS_AUTH = "aws-actions/configure-aws-credentials";
export const APP_TOKEN = "actions/create-github-app-token";
export const isOidcStep = (step: Step) => usesAction(step, PULUMI_AUTH) || usesAction(step, AWS_AUTH);
/** A step that mints a credential: an OIDC exchange, or a GitHub App's installation token. */
export const isCredentialStep = (step: Step) => isOidcStep(step) || usesAction(step, APP_TOKEN);

/** A step that needs a Pulumi token: a pulumi/actions command, the CLI, or a tool that drives stacks. */
export const needsPulumi = (step: Step) =>
    (usesAction(step, "pulumi/actions") && step.with?.command !== undefined) ||
    /(^|[\s("])pulumi [a-z]|npm run (-s )?(deploy-guard|switchover|drill)\b/.test(step.run ?? "");

/** A step that needs AWS credentials: a Pulumi operation on resources, or a tool that calls AWS. */
export const needsAws = (step: Step) =>
    (usesAction(step, "pulumi/actions") && ["up", "preview", "destroy", "refresh"].includes(String(step.with?.command))) ||
    /npm run (-s )?(images|switchover|drill)\b/.test(step.run ?? "");

/** Every `uses:` on a full commit SHA with its version as the comment; every image by digest. */
export function unpinned(wf: Workflow): string[] {
    const problems: string[] = [];
    const lines = [...wf.text.matchAll(/^\s*(?:- )?uses: *(\S+)(.*)$/gm)];
    for (const [, ref, rest] of lines) {
        if (ref!.startsWith("./")) continue;
        if (ref!.startsWith("docker://")) {
            if (!/@sha256:[0-9a-f]{64}$/.test(ref!)) problems.push(`${wf.file}: ${ref} is not pinned by digest`);
        } else if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(ref!)) problems.push(`${wf.file}: ${ref} is not pinned to a commit SHA`);
        else if (!/^ +# v\d+\.\d+\.\d+$/.test(rest!)) problems.push(`${wf.file}: ${ref} has no "# vX.Y.Z" comment`);
    }
    const parsed = jobsOf(wf).flatMap(([, job]) => [job.uses, ...stepsOf(job).map((s) => s.uses)].filter(Boolean));
    if (parsed.length !== lines.length) problems.push(`${wf.file}: ${parsed.length} uses, but ${lines.length} uses: lines`);
    for (const [id, job] of jobsOf(wf)) {
        const images = [typeof job.container === "string" ? job.container : job.container?.image];
        images.push(...Object.values(job.services ?? {}).map((s) => s.image));
        for (const image of images.filter((i): i is string => i !== undefined))
            if (!/@sha256:[0-9a-f]{64}$/.test(image)) problems.push(`${label(wf, id)}: image ${image} is not pinned by digest`);
    }
    return problems;
}

/**
 * No secret is read, but a GitHub App's private key, only as the key of the step that mints its
 * token, in a job behind an environment (whose deployment branches keep it to main); cloud
 * credentials come from OIDC, and nothing is inherited.
 */
export function secretsUsed(wf: Workflow): string[] {
    const appKeys = jobsOf(wf).flatMap(([, job]) =>
        job.environment === undefined
            ? []
            : stepsOf(job)
                  .filter((s) => usesAction(s, APP_TOKEN))
                  .map((s) => String(s.with?.["private-key"])),
    );
    const allowed = new Set(appKeys.map((key) => /^\$\{\{ (secrets\.\w+) \}\}$/.exec(key)?.[1]).filter(Boolean));
    const problems = [...wf.text.matchAll(/secrets\s*(\.|\[)\s*['"]?\w+/g)]
        .filter((m) => !(allowed.has(m[0]) && wf.text.split(m[0]).length === 2))
        .map((m) => `${wf.file}: reads ${m[0]}`);
    for (const [id, job] of jobsOf(wf))
        if (job.secrets !== undefined) problems.push(`${label(wf, id)}: passes secrets (${JSON.stringify(job.secrets)})`);
    return problems;
}

/** Inputs, matrix values and step outputs reach scripts through `env:`, never spliced into the script. */
export function expressionsInRun(wf: Workflow): string[] {
    return jobsOf(wf).flatMap(([id, job]) =>
        stepsOf(job)
            .filter((s) => s.run?.includes("${{"))
            .map((s) => `${label(wf, id, s)}: \${{ }} inside run:`),
    );
}

const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|CREDENTIAL|ACCESS_KEY|SESSION/i;
const CREDENTIAL_VALUE = /secrets\.|github\.token/;
const credentialEnv = (env: Env | undefined) =>
    Object.entries(env ?? {}).filter(([name, value]) => CREDENTIAL_NAME.test(name) || CREDENTIAL_VALUE.test(String(value)));

/** Nothing before `npm ci`, nor `npm ci` itself, can see a token: not through env, a step, or git's config. */
export function credentialsBeforeInstall(wf: Workflow): string[] {
    const problems = credentialEnv(wf.env).map(([name]) => `${wf.file}: workflow env ${name} is a credential every step sees`);
    for (const [id, job] of jobsOf(wf)) {
        problems.push(...credentialEnv(job.env).map(([name]) => `${label(wf, id)}: job env ${name} is a credential every step sees`));
        const steps = stepsOf(job);
        const install = steps.findIndex(isInstall);
        steps.forEach((step, i) => {
            const credential = isCredentialStep(step) || credentialEnv(step.env).length > 0;
            if (credential && install >= 0 && i <= install) problems.push(`${label(wf, id, step)}: a credential before npm ci`);
            if (usesAction(step, "actions/checkout") && step.with?.["persist-credentials"] !== false)
                problems.push(`${label(wf, id, step)}: leaves the GITHUB_TOKEN in .git/config`);
        });
    }
    return problems;
}

/** Whether the reusable workflow a job calls (`./.github/workflows/x.yml`) exchanges an OIDC token. */
const calledUsesOidc = (uses: string) => Object.values(loadWorkflow(path.basename(uses)).jobs).some((job) => stepsOf(job).some(isOidcStep));

/** Wherever Pulumi or AWS is reached, the credentials come from OIDC first; `id-token: write` only there. */
export function oidcWhereCloud(wf: Workflow): string[] {
    const problems: string[] = [];
    for (const [id, job] of jobsOf(wf)) {
        const steps = stepsOf(job);
        const first = (pred: (s: Step) => boolean) => steps.findIndex(pred);
        const pulumiAuth = first((s) => usesAction(s, PULUMI_AUTH));
        const awsAuth = first((s) => usesAction(s, AWS_AUTH) && /^\$\{\{ vars\.\w+ \}\}$/.test(String(s.with?.["role-to-assume"])));
        const pulumi = first(needsPulumi);
        const aws = first(needsAws);
        if (pulumi >= 0 && !(pulumiAuth >= 0 && pulumiAuth < pulumi))
            problems.push(`${label(wf, id, steps[pulumi])}: Pulumi without an OIDC token first`);
        if (aws >= 0 && !(awsAuth >= 0 && awsAuth < aws)) problems.push(`${label(wf, id, steps[aws])}: AWS without an OIDC role first`);
        for (const s of steps.filter((x) => usesAction(x, PULUMI_AUTH)))
            if (s.with?.organization !== "${{ env.PULUMI_ORG }}" || !s.with?.["requested-token-type"])
                problems.push(`${label(wf, id, s)}: organization must be \${{ env.PULUMI_ORG }} and the token type explicit`);
        const oidc = steps.some(isOidcStep) || (job.uses !== undefined && calledUsesOidc(job.uses));
        if ((job.permissions?.["id-token"] === "write") !== oidc)
            problems.push(`${label(wf, id)}: id-token: write ${oidc ? "missing" : "granted without an OIDC step"}`);
    }
    return problems;
}

/** The step that chooses the state backend and sets `PULUMI_ORG` (and, with s3, the backend URL) for the steps after it. */
export const BACKEND_SCRIPT = ".github/scripts/pulumi-backend.sh";
export const isBackendStep = (step: Step) => step.run === BACKEND_SCRIPT;

/**
 * The org comes from one place: `vars.PULUMI_ORG`, only in the state-backend step's env, which
 * sets `PULUMI_ORG` for the steps after it (to `organization` with the S3 backend); a job that
 * reaches Pulumi runs that step first, and stacks are named with it.
 */
export function orgProblems(wf: Workflow): string[] {
    const steps = jobsOf(wf).flatMap(([id, job]) => stepsOf(job).map((step) => ({ id, step })));
    if (!steps.some(({ step }) => needsPulumi(step) || usesAction(step, PULUMI_AUTH))) return [];
    const problems: string[] = [];
    const mentions = wf.text.split("vars.PULUMI_ORG").length - 1;
    const inBackendSteps = steps.filter(({ step }) => isBackendStep(step) && step.env?.ORG === "${{ vars.PULUMI_ORG }}").length;
    if (mentions !== inBackendSteps || wf.env?.PULUMI_ORG !== undefined)
        problems.push(
            `${wf.file}: vars.PULUMI_ORG must appear only as the state-backend step's ORG (found ${mentions}, ${inBackendSteps} in that step)`,
        );
    for (const [id, job] of jobsOf(wf)) {
        const all = stepsOf(job);
        const first = all.findIndex((s) => needsPulumi(s) || usesAction(s, PULUMI_AUTH));
        if (first >= 0 && !all.slice(0, first).some(isBackendStep))
            problems.push(`${label(wf, id)}: reaches Pulumi before the state-backend step`);
    }
    for (const { id, step } of steps) {
        const stack = step.with?.["stack-name"];
        if (usesAction(step, "pulumi/actions") && step.with?.command && !String(stack).startsWith("${{ env.PULUMI_ORG }}/"))
            problems.push(`${label(wf, id, step)}: stack-name ${String(stack)} is not qualified with the org`);
        const named = /pulumi [^\n]*--stack "([^"]*)"|pulumi stack (?:select|init|rm)[^"\n]*"([^"]*)"/g;
        const bare = [...(step.run ?? "").matchAll(named)].map((m) => m[1] ?? m[2]!).filter((name) => !name.startsWith("$PULUMI_ORG/"));
        for (const name of bare) problems.push(`${label(wf, id, step)}: stack "${name}" is not qualified with the org`);
    }
    return problems;
}

/** The order steps must come in; a step that is missing or early is a problem. */
export function outOfOrder(job: Job, order: [string, (s: Step) => boolean][]): string[] {
    const problems: string[] = [];
    let last = -1;
    for (const [what, pred] of order) {
        const i = stepsOf(job).findIndex(pred);
        if (i < 0) problems.push(`no step: ${what}`);
        else if (i <= last) problems.push(`${what} comes too early`);
        last = Math.max(last, i);
    }
    return problems;
}

/** The nightly rehearsal's promises: both stacks destroyed and removed, and the artifacts kept, whatever happened. */
export function nightlyProblems(w: Workflow): string[] {
    const problems: string[] = [];
    const always = (x: { if?: string } | undefined) => /always\(\)/.test(x?.if ?? "");
    const cleanup = w.jobs.cleanup;
    if (!always(cleanup) || cleanup?.needs !== "rehearsal") problems.push("cleanup does not always follow the rehearsal");
    for (const stack of ["ACTIVE", "STANDBY"]) {
        const isDestroy = (s: Step) => s.with?.command === "destroy" && String(s.with["stack-name"]).endsWith(`env.${stack} }}`);
        const destroy = stepsOf(cleanup ?? {}).find(isDestroy);
        if (destroy?.with?.remove !== true || !always(destroy)) problems.push(`${stack} is not always destroyed and removed`);
    }
    // A control-plane log group EKS made again after the destroy would fail the next night's create.
    const steps = stepsOf(cleanup ?? {});
    const logs = steps.findIndex((s) =>
        /aws logs delete-log-group [^\n]*"\/aws\/eks\/multiregion-\$stack\/cluster"|group="\/aws\/eks\/multiregion-\$stack\/cluster"/.test(
            s.run ?? "",
        ),
    );
    const lastDestroy = Math.max(...steps.map((s, i) => (s.with?.command === "destroy" ? i : -1)));
    if (logs < lastDestroy || !always(steps[logs])) problems.push("the control-plane log groups are not always removed after the destroys");
    const rehearsal = stepsOf(w.jobs.rehearsal ?? {});
    const upload = rehearsal.find((s) => usesAction(s, "actions/upload-artifact"));
    if (!always(upload) || !/drill\.json\s+verify\.json\s+verify-after\.json\s+summary\.md/.test(String(upload?.with?.path)))
        problems.push("drill.json, both verify reports and summary.md are not always uploaded");
    if (!rehearsal.some((s) => s.run === 'npm run -s drill -- --stack "$ACTIVE" --out drill.json'))
        problems.push("the drill does not write drill.json");
    return problems;
}
