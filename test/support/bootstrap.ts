/** Reading the bootstrap program's recorded runs: its roles, their policies, and its GitHub settings. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceRecord } from "../../tools/offline/mocks";
import type { BootstrapRun } from "../../tools/offline/bootstrap";
import { ROOT } from "../../tools/stacks";

export * from "../../tools/offline/bootstrap";

export const ROLE = "aws:iam/role:Role";
export const POLICY = "aws:iam/policy:Policy";
export const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
export const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";
export const BRANCH_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy";
export const VARIABLE = "github:index/actionsVariable:ActionsVariable";

/** The recorded policy document of an IAM role, policy or inline policy. */
export function documentOf(record: ResourceRecord): any {
    return JSON.parse(record.type === ROLE ? record.inputs.assumeRolePolicy : record.inputs.policy);
}

/** The role a run made with this physical name. */
export function roleNamed(run: BootstrapRun, name: string): ResourceRecord {
    const found = run.resources.ofType(ROLE).filter((r) => r.inputs.name === name);
    if (found.length !== 1) throw new Error(`expected one role ${name}, found ${found.length}`);
    return found[0]!;
}

/** The managed policy a run made with this physical name. */
export function policyNamed(run: BootstrapRun, name: string): ResourceRecord {
    const found = run.resources.ofType(POLICY).filter((r) => r.inputs.name === name);
    if (found.length !== 1) throw new Error(`expected one managed policy ${name}, found ${found.length}`);
    return found[0]!;
}

/** The file in iam/ (or its stand-in) with placeholders replaced by plain text substitution, independently of the program. */
export function expectedPolicy(file: string, values: Record<string, string>): any {
    const real = path.join(ROOT, "iam", file);
    const text = fs.readFileSync(fs.existsSync(real) ? real : path.join(ROOT, "bootstrap", "iam-pending", file), "utf8");
    return JSON.parse(Object.entries(values).reduce((t, [k, v]) => t.split(`<${k}>`).join(v), text));
}

/** The one resource of `type` a run made; fails when there is not exactly one. */
export function one(run: BootstrapRun, type: string): ResourceRecord {
    const found = run.resources.ofType(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return found[0]!;
}

/** The repository variables a run sets, by name. */
export function variablesOf(run: BootstrapRun): Record<string, unknown> {
    return Object.fromEntries(run.resources.ofType(VARIABLE).map((v) => [v.inputs.variableName as string, v.inputs.value]));
}

/** The variables one GitHub environment holds, which override the repository's in its jobs. */
export function environmentVariablesOf(run: BootstrapRun, environment: string): Record<string, unknown> {
    return Object.fromEntries(
        run.resources
            .ofType("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
            .filter((v) => v.inputs.environment === environment)
            .map((v) => [v.inputs.variableName as string, v.inputs.value]),
    );
}

/** The `vars.NAME` every workflow reads. */
export function workflowVariables(): string[] {
    const dir = path.join(ROOT, ".github", "workflows");
    const names = fs
        .readdirSync(dir)
        .flatMap((f) => [...fs.readFileSync(path.join(dir, f), "utf8").matchAll(/\bvars\.([A-Z0-9_]+)/g)].map((m) => m[1]!));
    return [...new Set(names)].sort();
}

/** The CI roles (preview, deploy, rehearsal), at the root path; the workload roles sit under /multiregion/. */
export function ciRoles(run: BootstrapRun): ResourceRecord[] {
    return run.resources.ofType(ROLE).filter((r) => r.inputs.path !== "/multiregion/");
}

/** The state backend's KMS key; the clusters' secrets keys are the others. */
export function stateKeyOf(run: BootstrapRun): ResourceRecord {
    const found = run.resources.ofType("aws:kms/key:Key").filter((k) => String(k.inputs.description).startsWith("Pulumi state"));
    if (found.length !== 1) throw new Error(`expected one state key, found ${found.length}`);
    return found[0]!;
}
