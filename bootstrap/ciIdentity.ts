/**
 * One AWS account's CI identities: GitHub's OIDC provider, the boundary every role the
 * main program creates carries, and the preview, deploy and rehearsal roles, each with its
 * exact-subject trust, its policy and its own permissions boundary. Names and paths are the
 * contract docs/iam.md and iam/deploy-boundary.json rely on.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { IAM_FILES, PolicyDocument, readPolicy, stateStatements, withStatements, withSubjects } from "./policies";

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

/** One role: who may assume it and the record name its policy may write. */
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

export class CiIdentity extends pulumi.ComponentResource {
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly workloadBoundaryArn: pulumi.Output<string>;
    public readonly previewRoleArn?: pulumi.Output<string>;
    public readonly deployRoleArn?: pulumi.Output<string>;
    public readonly rehearsalRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: CiIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion-bootstrap:ci:CiIdentity", name, {}, opts);
        const { tags } = args;
        const values = pulumi.output(args.accountId).apply((id): Values => ({ ACCOUNT_ID: id, OWNER: args.owner, REPO: args.repository }));
        const json = (make: (v: Values, state?: { bucketArn: string; keyArn: string }) => PolicyDocument) =>
            pulumi.all([values, args.state ? pulumi.output(args.state) : undefined]).apply(([v, state]) => JSON.stringify(make(v, state)));

        // AWS validates GitHub's certificate against its own trusted CAs, so no thumbprint is
        // given: the field is optional and "not used for verification" for GitHub
        // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateOpenIDConnectProviderThumbprint.html).
        const provider = new aws.iam.OpenIdConnectProvider(
            `${name}-github-oidc`,
            { url: GITHUB_ISSUER, clientIdLists: [STS_AUDIENCE], tags },
            { parent: this },
        );
        this.oidcProviderArn = provider.arn;

        const managed = (role: string, policyName: string, document: pulumi.Input<string>, description: string) =>
            new aws.iam.Policy(
                `${name}-${role}`,
                { name: policyName, path: CI_POLICY_PATH, policy: document, description, tags },
                { parent: this },
            );

        const workloadBoundary = managed(
            "workload-boundary",
            WORKLOAD_BOUNDARY_NAME,
            json((v) => readPolicy(IAM_FILES.workloadBoundary, v)),
            "The most any IAM role the multiregion program creates may do (iam/workload-boundary.json).",
        );
        this.workloadBoundaryArn = workloadBoundary.arn;

        const role = (
            roleName: string,
            trustFile: (typeof IAM_FILES)[keyof typeof IAM_FILES],
            spec: RoleSpec,
            boundary: aws.iam.Policy,
            maxSessionDuration: number,
        ) =>
            new aws.iam.Role(
                `${name}-${roleName.replace("multiregion-", "")}`,
                {
                    name: roleName,
                    assumeRolePolicy: json((v) => withSubjects(readPolicy(trustFile, v), spec.subjects)),
                    // Created with its boundary, so it never holds its permissions uncapped.
                    permissionsBoundary: boundary.arn,
                    maxSessionDuration,
                    tags,
                },
                // The trust names the provider by ARN; it must exist before anyone assumes the role.
                { parent: this, dependsOn: [provider] },
            );

        const stateFor = (access: "read" | "write") => (state?: { bucketArn: string; keyArn: string }) =>
            state ? stateStatements(state.bucketArn, state.keyArn, access) : [];

        let deployBoundary: aws.iam.Policy | undefined;
        const deployBoundaryPolicy = () =>
            (deployBoundary ??= managed(
                "deploy-boundary",
                "multiregion-deploy-boundary",
                json((v, state) => withStatements(readPolicy(IAM_FILES.deployBoundary, v), stateFor("write")(state))),
                "The most the deploy and rehearsal roles may ever do (iam/deploy-boundary.json).",
            ));

        if (args.fleet) {
            const { recordName } = args.fleet;
            const previewPolicy = managed(
                "preview-policy",
                "multiregion-preview",
                json((v) => readPolicy(IAM_FILES.previewPolicy, v)),
                "Read-only previews (iam/preview-policy.json).",
            );
            // The preview's boundary is its own policy (plus the state it reads): nothing attached later widens it.
            const previewBoundary = managed(
                "preview-boundary",
                "multiregion-preview-boundary",
                json((v, state) => withStatements(readPolicy(IAM_FILES.previewPolicy, v), stateFor("read")(state))),
                "The most the preview role may ever do: its own policy (iam/preview-policy.json).",
            );
            const preview = role(
                "multiregion-preview",
                IAM_FILES.previewTrust,
                args.fleet.preview,
                previewBoundary,
                MAX_SESSION_SECONDS.preview,
            );
            new aws.iam.RolePolicyAttachment(
                `${name}-preview-policy`,
                { role: preview.name, policyArn: previewPolicy.arn },
                { parent: this },
            );
            this.previewRoleArn = preview.arn;

            const deploy = role(
                "multiregion-deploy",
                IAM_FILES.deployTrust,
                args.fleet.deploy,
                deployBoundaryPolicy(),
                MAX_SESSION_SECONDS.deploy,
            );
            // Inline: the deploy policy is over a managed policy's 6,144-character quota (docs/iam.md).
            new aws.iam.RolePolicy(
                `${name}-deploy-policy`,
                {
                    role: deploy.name,
                    name: "multiregion-deploy",
                    policy: json((v) => readPolicy(IAM_FILES.deployPolicy, { ...v, RECORD_NAME: recordName })),
                },
                { parent: this },
            );
            this.deployRoleArn = deploy.arn;
            if (args.state) {
                this.attachState(name, "preview", preview, "read", args.state, tags);
                this.attachState(name, "deploy", deploy, "write", args.state, tags);
            }
        }

        if (args.rehearsal) {
            const { recordName } = args.rehearsal;
            const rehearsal = role(
                "multiregion-rehearsal",
                IAM_FILES.rehearsalTrust,
                args.rehearsal,
                deployBoundaryPolicy(),
                MAX_SESSION_SECONDS.rehearsal,
            );
            new aws.iam.RolePolicy(
                `${name}-rehearsal-policy`,
                {
                    role: rehearsal.name,
                    name: "multiregion-deploy",
                    policy: json((v) => readPolicy(IAM_FILES.deployPolicy, { ...v, RECORD_NAME: recordName })),
                },
                { parent: this },
            );
            // Managed, beside the inline deploy policy: the inline ones share one 10,240-character quota.
            const teardown = managed(
                "rehearsal-teardown",
                "multiregion-rehearsal",
                json((v) => readPolicy(IAM_FILES.rehearsalPolicy, { ...v, RECORD_NAME: recordName })),
                "What the rehearsal needs beyond the deploy policy to destroy its stacks (iam/rehearsal-policy.json).",
            );
            new aws.iam.RolePolicyAttachment(
                `${name}-rehearsal-teardown`,
                { role: rehearsal.name, policyArn: teardown.arn },
                { parent: this },
            );
            this.rehearsalRoleArn = rehearsal.arn;
            if (args.state) this.attachState(name, "rehearsal", rehearsal, "write", args.state, tags);
        }

        this.registerOutputs({
            oidcProviderArn: this.oidcProviderArn,
            workloadBoundaryArn: this.workloadBoundaryArn,
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            rehearsalRoleArn: this.rehearsalRoleArn,
        });
    }

    /** The state bucket and key, as a managed policy of their own, generated from their ARNs. */
    private attachState(
        name: string,
        roleName: string,
        role: aws.iam.Role,
        access: "read" | "write",
        state: NonNullable<CiIdentityArgs["state"]>,
        tags: Record<string, string>,
    ): void {
        const policy = new aws.iam.Policy(
            `${name}-${roleName}-state`,
            {
                name: `multiregion-${roleName}-state`,
                path: CI_POLICY_PATH,
                description: `The Pulumi state bucket and its key, ${access === "write" ? "read and write" : "read, and the lock"}.`,
                policy: pulumi
                    .all([state.bucketArn, state.keyArn])
                    .apply(([bucketArn, keyArn]) =>
                        JSON.stringify({ Version: "2012-10-17", Statement: stateStatements(bucketArn, keyArn, access) }),
                    ),
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(`${name}-${roleName}-state`, { role: role.name, policyArn: policy.arn }, { parent: this });
    }
}
