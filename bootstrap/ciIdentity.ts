/**
 * One AWS account's CI identities: GitHub's OIDC provider, the boundary every role the
 * main program creates carries, and the preview, deploy and rehearsal roles, each with its
 * exact-subject trust, its policy and its own permissions boundary. Names and paths are the
 * contract docs/iam.md and iam/deploy-boundary.json rely on.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IAM_FILES, IamFile, PolicyDocument, readPolicy, StateAccess, stateStatements, withState, withSubjects } from "./policies";

/** GitHub's issuer, and the audience `configure-aws-credentials` asks for. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
export const STS_AUDIENCE = "sts.amazonaws.com";
/** The managed policies' path: one boundary statement (`policy/multiregion-ci/*`) keeps the deploy role off them. */
export const CI_POLICY_PATH = "/multiregion-ci/";
export const WORKLOAD_BOUNDARY_NAME = "multiregion-workload-boundary";

/**
 * Longest session each role's jobs ask for (`role-duration-seconds` in the workflows, see
 * docs/iam.md "Sessions"): a request above a role's maximum is refused
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-settings.html).
 */
export const MAX_SESSION_SECONDS = { preview: 3600, deploy: 10800, rehearsal: 14400 } as const;

/** One role: who may assume it. */
export interface RoleSpec {
    /** The exact `sub` values its trust names. */
    readonly subjects: string[];
}

export interface CiIdentityArgs {
    /** The account the roles live in: fills `<ACCOUNT_ID>`. */
    readonly accountId: pulumi.Input<string>;
    /** `<OWNER>` and `<REPO>` as the `sub` claim writes them. */
    readonly owner: string;
    readonly repository: string;
    /** The preview and deploy roles, when a main-program fleet deploys here; `recordName` fills `<RECORD_NAME>`. */
    readonly fleet?: { readonly preview: RoleSpec; readonly deploy: RoleSpec; readonly recordName: string };
    /** The nightly rehearsal's role, in the sandbox account; `recordName` is the ci pair's. */
    readonly rehearsal?: RoleSpec & { readonly recordName: string };
    /** The self-managed state backend's bucket and key, which the roles then reach. */
    readonly state?: { readonly bucketArn: pulumi.Input<string>; readonly keyArn: pulumi.Input<string> };
    readonly tags: Record<string, string>;
}

type Values = { ACCOUNT_ID: string; OWNER: string; REPO: string };
type StateArns = { bucketArn: string; keyArn: string };

/** What every child of one CiIdentity shares. */
interface Scope {
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly tags: Record<string, string>;
    readonly provider: aws.iam.OpenIdConnectProvider;
    readonly state?: CiIdentityArgs["state"];
    /** A policy document built from the placeholder values and the state ARNs, as JSON. */
    readonly json: (make: (v: Values, state?: StateArns) => PolicyDocument) => pulumi.Output<string>;
}

function managedPolicy(
    scope: Scope,
    role: string,
    policyName: string,
    document: pulumi.Input<string>,
    description: string,
): aws.iam.Policy {
    const { name, parent, tags } = scope;
    return new aws.iam.Policy(
        `${name}-${role}`,
        { name: policyName, path: CI_POLICY_PATH, policy: document, description, tags },
        { parent },
    );
}

function ciRole(
    scope: Scope,
    roleName: string,
    trustFile: IamFile,
    spec: RoleSpec,
    boundary: aws.iam.Policy,
    maxSessionDuration: number,
): aws.iam.Role {
    return new aws.iam.Role(
        `${scope.name}-${roleName.replace("multiregion-", "")}`,
        {
            name: roleName,
            assumeRolePolicy: scope.json((v) => withSubjects(readPolicy(trustFile, v), spec.subjects)),
            // Created with its boundary, so it never holds its permissions uncapped.
            permissionsBoundary: boundary.arn,
            maxSessionDuration,
            tags: scope.tags,
        },
        // The trust names the provider by ARN; it must exist before anyone assumes the role.
        { parent: scope.parent, dependsOn: [scope.provider] },
    );
}

/** The state bucket and key, as a managed policy of their own, generated from their ARNs. */
function attachState(scope: Scope, roleName: string, role: aws.iam.Role, access: StateAccess): void {
    // The denies in iam/ on reading objects and decrypting exempt the state bucket's prefix and
    // its key's alias (STATE_BUCKET_PREFIX, STATE_KEY_ALIAS); test/bootstrapS3.test.ts evaluates both.
    if (!scope.state) return;
    const policy = managedPolicy(
        scope,
        `${roleName}-state`,
        `multiregion-${roleName}-state`,
        scope.json((_, state) => ({ Version: "2012-10-17", Statement: stateStatements(state!.bucketArn, state!.keyArn, access) })),
        `The Pulumi state bucket and its key: ${access === "write" ? "read and write" : "read, and the lock"}.`,
    );
    new aws.iam.RolePolicyAttachment(
        `${scope.name}-${roleName}-state`,
        { role: role.name, policyArn: policy.arn },
        { parent: scope.parent },
    );
}

/** The deploy policy, inline: it is over a managed policy's 6,144-character quota (docs/iam.md). */
function inlineDeployPolicy(scope: Scope, role: string, target: aws.iam.Role, recordName: string): void {
    new aws.iam.RolePolicy(
        `${scope.name}-${role}-policy`,
        {
            role: target.name,
            name: "multiregion-deploy",
            policy: scope.json((v) => readPolicy(IAM_FILES.deployPolicy, { ...v, RECORD_NAME: recordName })),
        },
        { parent: scope.parent },
    );
}

/** The deploy and rehearsal roles' boundary: iam/deploy-boundary.json, plus the state they write. */
function deployBoundary(scope: Scope): aws.iam.Policy {
    return managedPolicy(
        scope,
        "deploy-boundary",
        "multiregion-deploy-boundary",
        scope.json((v, state) => withState(readPolicy(IAM_FILES.deployBoundary, v), state, "write")),
        "The most the deploy and rehearsal roles may ever do (iam/deploy-boundary.json).",
    );
}

/** Read-only previews: the managed preview policy, which is also the role's boundary, so nothing attached later widens it. */
function previewRole(scope: Scope, spec: RoleSpec): aws.iam.Role {
    const policy = managedPolicy(
        scope,
        "preview-policy",
        "multiregion-preview",
        scope.json((v) => readPolicy(IAM_FILES.previewPolicy, v)),
        "Read-only previews (iam/preview-policy.json).",
    );
    const boundary = managedPolicy(
        scope,
        "preview-boundary",
        "multiregion-preview-boundary",
        scope.json((v, state) => withState(readPolicy(IAM_FILES.previewPolicy, v), state, "read")),
        "The most the preview role may ever do: its own policy (iam/preview-policy.json).",
    );
    const role = ciRole(scope, "multiregion-preview", IAM_FILES.previewTrust, spec, boundary, MAX_SESSION_SECONDS.preview);
    new aws.iam.RolePolicyAttachment(`${scope.name}-preview-policy`, { role: role.name, policyArn: policy.arn }, { parent: scope.parent });
    attachState(scope, "preview", role, "read");
    return role;
}

/**
 * The nightly rehearsal: the deploy policy for the ci pair's record, which is all its destroy needs,
 * since the secrets keys and the workload roles are the bootstrap's and outlive the stacks.
 */
function rehearsalRole(scope: Scope, spec: RoleSpec & { recordName: string }, boundary: aws.iam.Policy): aws.iam.Role {
    const role = ciRole(scope, "multiregion-rehearsal", IAM_FILES.rehearsalTrust, spec, boundary, MAX_SESSION_SECONDS.rehearsal);
    inlineDeployPolicy(scope, "rehearsal", role, spec.recordName);
    attachState(scope, "rehearsal", role, "write");
    return role;
}

export class CiIdentity extends pulumi.ComponentResource {
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly workloadBoundaryArn: pulumi.Output<string>;
    public readonly previewRoleArn?: pulumi.Output<string>;
    public readonly deployRoleArn?: pulumi.Output<string>;
    public readonly rehearsalRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:CiIdentity", name, {}, opts);
        const values = pulumi.output(args.accountId).apply((id): Values => ({ ACCOUNT_ID: id, OWNER: args.owner, REPO: args.repository }));
        const state = args.state ? pulumi.output(args.state) : undefined;
        // AWS validates GitHub's certificate against its own trusted CAs, so no thumbprint is
        // given: the field is optional and "not used for verification" for GitHub
        // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateOpenIDConnectProviderThumbprint.html).
        const provider = new aws.iam.OpenIdConnectProvider(
            `${name}-github-oidc`,
            { url: GITHUB_ISSUER, clientIdLists: [STS_AUDIENCE], tags: args.tags },
            { parent: this },
        );
        const scope: Scope = {
            name,
            parent: this,
            tags: args.tags,
            provider,
            state: args.state,
            json: (make) => pulumi.all([values, state]).apply(([v, s]) => JSON.stringify(make(v, s))),
        };
        this.oidcProviderArn = provider.arn;
        this.workloadBoundaryArn = managedPolicy(
            scope,
            "workload-boundary",
            WORKLOAD_BOUNDARY_NAME,
            scope.json((v) => readPolicy(IAM_FILES.workloadBoundary, v)),
            "The most any IAM role the multiregion program creates may do (iam/workload-boundary.json).",
        ).arn;
        const boundary = args.fleet || args.rehearsal ? deployBoundary(scope) : undefined;
        if (args.fleet && boundary) {
            this.previewRoleArn = previewRole(scope, args.fleet.preview).arn;
            const deploy = ciRole(
                scope,
                "multiregion-deploy",
                IAM_FILES.deployTrust,
                args.fleet.deploy,
                boundary,
                MAX_SESSION_SECONDS.deploy,
            );
            inlineDeployPolicy(scope, "deploy", deploy, args.fleet.recordName);
            attachState(scope, "deploy", deploy, "write");
            this.deployRoleArn = deploy.arn;
        }
        if (args.rehearsal && boundary) this.rehearsalRoleArn = rehearsalRole(scope, args.rehearsal, boundary).arn;
        this.registerOutputs({
            oidcProviderArn: this.oidcProviderArn,
            workloadBoundaryArn: this.workloadBoundaryArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            rehearsalRoleArn: this.rehearsalRoleArn,
        });
    }
}
