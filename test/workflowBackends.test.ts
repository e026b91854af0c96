/**
 * Both state backends, chosen by one repository variable, vars.PULUMI_BACKEND (issue #18): in
 * `s3` mode no step gets or needs a Pulumi token; the CLI reaches the bootstrap's bucket and key
 * with the job's AWS credentials. The backend step is .github/scripts/pulumi-backend.sh, run here for real.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../tools/stacks";
import {
    BACKEND_SCRIPT,
    isBackendStep,
    jobsOf,
    label,
    loadWorkflow,
    needsPulumi,
    Step,
    stepsOf,
    usesAction,
    Workflow,
    workflowFiles,
} from "./support/workflows";

const S3_ONLY_SKIP = "vars.PULUMI_BACKEND != 's3'";
const mints = (s: Step) => usesAction(s, "pulumi/auth-actions");
const awsAuth = (s: Step) => usesAction(s, "aws-actions/configure-aws-credentials");

/** The steps each job runs when vars.PULUMI_BACKEND is s3: those gated off s3 are skipped. */
function s3Steps(wf: Workflow): [string, Step[]][] {
    return jobsOf(wf).map(([id, job]) => [id, stepsOf(job).filter((s) => !(s.if ?? "").includes(S3_ONLY_SKIP))]);
}

/** What s3 mode would get wrong in one workflow, one line each. */
function s3Problems(wf: Workflow): string[] {
    const problems: string[] = [];
    if (/PULUMI_ACCESS_TOKEN|secrets\.PULUMI/.test(wf.text)) problems.push(`${wf.file}: names a stored Pulumi token`);
    for (const [id, steps] of s3Steps(wf)) {
        for (const s of steps.filter(mints)) problems.push(`${label(wf, id, s)}: mints a Pulumi token in s3 mode`);
        const first = steps.findIndex(needsPulumi);
        if (first < 0) continue;
        if (!steps.slice(0, first).some(isBackendStep)) problems.push(`${label(wf, id)}: reaches Pulumi before choosing the backend`);
        if (!steps.slice(0, first).some(awsAuth)) problems.push(`${label(wf, id)}: reaches the S3 state before taking AWS credentials`);
        for (const s of steps.filter(
            (x) => x.with?.upsert === true && x.with?.["secrets-provider"] !== "${{ env.PULUMI_SECRETS_PROVIDER }}",
        ))
            problems.push(`${label(wf, id, s)}: may create a stack without the bootstrap's key`);
        for (const s of steps.filter(
            (x) =>
                /pulumi stack (select --create|init)/.test(x.run ?? "") &&
                !/--secrets-provider "\$\{PULUMI_SECRETS_PROVIDER:-default\}"/.test(x.run!),
        ))
            problems.push(`${label(wf, id, s)}: creates a stack without the bootstrap's key`);
    }
    return problems;
}

/** Runs the backend script with `env` and returns its exit code, its stderr and what it wrote for later steps. */
function backend(env: Record<string, string>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backend-"));
    const file = path.join(dir, "github_env");
    fs.writeFileSync(file, "");
    const r = spawnSync("bash", [path.join(ROOT, BACKEND_SCRIPT)], {
        env: { PATH: process.env.PATH!, GITHUB_ENV: file, ...env },
        encoding: "utf8",
    });
    return { code: r.status, err: r.stderr.trim(), written: fs.readFileSync(file, "utf8") };
}

describe("the state backend, chosen by vars.PULUMI_BACKEND", () => {
    const files = workflowFiles();

    for (const file of files) {
        it(`${file}: in s3 mode no step mints or reads a Pulumi token, and Pulumi comes after the backend and AWS credentials`, () => {
            assert.deepEqual(s3Problems(loadWorkflow(file)), []);
        });
    }

    it("every job that reaches Pulumi chooses the backend, and every Pulumi token step is skipped in s3 mode", () => {
        let jobs = 0;
        for (const file of files) {
            const wf = loadWorkflow(file);
            for (const [id, job] of jobsOf(wf)) {
                if (!stepsOf(job).some(needsPulumi)) continue;
                jobs++;
                const step = stepsOf(job).find(isBackendStep);
                assert.ok(step, `${file} ${id}`);
                const sandbox = file === "nightly.yml" ? "SANDBOX_" : "";
                assert.deepEqual(step.env, {
                    BACKEND: "${{ vars.PULUMI_BACKEND }}",
                    ORG: "${{ vars.PULUMI_ORG }}",
                    BACKEND_URL: `\${{ vars.${sandbox}PULUMI_BACKEND_URL }}`,
                    STATE_KEY: `\${{ vars.${sandbox}PULUMI_SECRETS_PROVIDER }}`,
                });
                for (const s of stepsOf(job).filter(mints)) assert.equal(s.if, S3_ONLY_SKIP, `${file} ${id} ${s.name}`);
            }
        }
        // deploy-stack, switchover, preview, and the nightly's rehearsal and clean-up.
        assert.equal(jobs, 5);
    });

    it("catches a Pulumi token step left on in s3 mode, and a stack created without the key", () => {
        const wf = loadWorkflow("deploy-stack.yml");
        const on = {
            ...wf,
            jobs: { up: { ...wf.jobs.up!, steps: stepsOf(wf.jobs.up!).map((s) => (mints(s) ? { ...s, if: undefined } : s)) } },
        };
        assert.deepEqual(s3Problems(on), ['deploy-stack.yml up "Pulumi organization token (OIDC)": mints a Pulumi token in s3 mode']);
        const keyless = {
            ...wf,
            jobs: {
                up: {
                    ...wf.jobs.up!,
                    steps: stepsOf(wf.jobs.up!).map((s) =>
                        s.with?.upsert ? { ...s, with: { ...s.with, "secrets-provider": undefined } } : s,
                    ),
                },
            },
        };
        assert.equal(s3Problems(keyless).length, 1);
    });

    it("s3: the bucket, the key and organization, the org self-managed backends name every stack with", () => {
        const url = "s3://multiregion-pulumi-state-0a1b?region=us-east-2";
        const key = "awskms://alias/multiregion-pulumi-state?region=us-east-2";
        const r = backend({ BACKEND: "s3", ORG: "octo-org", BACKEND_URL: url, STATE_KEY: key });
        assert.equal(r.code, 0, r.err);
        assert.equal(
            r.written,
            `PULUMI_ORG=organization\nPULUMI_BACKEND_URL=${url}\nPULUMI_SECRETS_PROVIDER=${key}\nPULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER=true\n`,
        );
    });

    it("pulumi-cloud, or no variable: the organization only, and no backend URL", () => {
        for (const BACKEND of ["pulumi-cloud", ""]) {
            const r = backend({ BACKEND, ORG: "octo-org", BACKEND_URL: "", STATE_KEY: "" });
            assert.equal(r.code, 0, r.err);
            assert.equal(r.written, "PULUMI_ORG=octo-org\n");
        }
    });

    for (const [what, env, message] of [
        ["an unknown backend", { BACKEND: "gcs" }, 'vars.PULUMI_BACKEND is "gcs"; allowed: pulumi-cloud or s3'],
        [
            "s3 before the bootstrap ran",
            { BACKEND: "s3", BACKEND_URL: "", STATE_KEY: "" },
            'PULUMI_BACKEND is s3 but the backend URL variable is "", not s3://...: run the bootstrap\'s up (docs/bootstrap.md)',
        ],
        [
            "pulumi-cloud with no organization",
            { BACKEND: "pulumi-cloud", ORG: "" },
            "vars.PULUMI_ORG is empty: set it to your Pulumi organization, or PULUMI_BACKEND to s3 (docs/bootstrap.md)",
        ],
    ] as const) {
        it(`refuses ${what} in one line, writing nothing`, () => {
            const r = backend(env);
            assert.equal(r.code, 1);
            assert.equal(r.err, `pulumi-backend: ${message}`);
            assert.equal(r.written, "");
        });
    }
});
