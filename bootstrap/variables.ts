/**
 * What GitHub must hold for the workflows of the fleets an account serves: an environment
 * per job origin, and the repository variables the workflows read. Pure: the values that
 * AWS assigns come in as Inputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BootstrapConfig } from "./config";
import type { EnvironmentSpec } from "./repository";
import type { Fleet } from "./sources";
import { fleetEnvironments, REHEARSAL_ENVIRONMENT } from "./subjects";

/**
 * The prod fleet's roles and backend are repository variables. Another fleet's (stage) live in its
 * own environments under the same names, where they override the repository's: a job in
 * `stage-us` reads `vars.AWS_DEPLOY_ROLE_ARN` and gets the stage account's role ("the variable at
 * the lowest level takes precedence",
 * https://docs.github.com/en/actions/reference/workflows-and-actions/variables).
 */
export const REPOSITORY_FLEET = "prod";

/** `urn:pulumi:token-type:access_token:<type>`, what `pulumi/auth-actions` takes as `requested-token-type`. */
export function tokenTypeUrn(type: string): string {
    return `urn:pulumi:token-type:access_token:${type}`;
}

export function environmentsFor(config: BootstrapConfig, fleets: readonly Fleet[], got: Assigned): EnvironmentSpec[] {
    return [
        ...fleets.flatMap((f) =>
            fleetEnvironments(f.name, f.stacks).map((name) => ({
                name,
                reviewers: config.reviewers,
                ...(f.name === REPOSITORY_FLEET ? {} : { variables: fleetVariables(got) }),
            })),
        ),
        // The nightly runs on a schedule: a reviewer would hold it until someone approved.
        ...(config.rehearsal ? [{ name: REHEARSAL_ENVIRONMENT, reviewers: { users: [], teams: [] } }] : []),
    ];
}

/** What AWS assigns that the variables carry. */
export interface Assigned {
    readonly accountId: pulumi.Input<string>;
    readonly previewRoleArn?: pulumi.Input<string>;
    readonly deployRoleArn?: pulumi.Input<string>;
    readonly rehearsalRoleArn?: pulumi.Input<string>;
    /** The self-managed backend's `pulumi login` and secrets-provider URLs. */
    readonly state?: { readonly backendUrl: pulumi.Input<string>; readonly secretsProvider: pulumi.Input<string> };
}

/** A fleet's account: its CI roles and, with the S3 backend, its state bucket and key. */
function fleetVariables(got: Assigned, prefix = ""): Record<string, pulumi.Input<string>> {
    const variables: Record<string, pulumi.Input<string>> = {};
    if (got.previewRoleArn) variables[`${prefix}AWS_PREVIEW_ROLE_ARN`] = got.previewRoleArn;
    if (got.deployRoleArn) variables[`${prefix}AWS_DEPLOY_ROLE_ARN`] = got.deployRoleArn;
    if (got.state) {
        variables[`${prefix}PULUMI_BACKEND_URL`] = got.state.backendUrl;
        variables[`${prefix}PULUMI_SECRETS_PROVIDER`] = got.state.secretsProvider;
    }
    return variables;
}

export function variablesFor(config: BootstrapConfig, fleets: readonly Fleet[], got: Assigned): Record<string, pulumi.Input<string>> {
    const variables: Record<string, pulumi.Input<string>> = fleets.some((f) => f.name === REPOSITORY_FLEET) ? fleetVariables(got) : {};
    if (config.rehearsal) {
        variables.SANDBOX_AWS_ACCOUNT_ID = got.accountId;
        if (got.rehearsalRoleArn) variables.SANDBOX_AWS_ROLE_ARN = got.rehearsalRoleArn;
        variables.SANDBOX_HOSTED_ZONE = config.rehearsal.hostedZone;
        variables.SANDBOX_RECORD_NAME = config.rehearsal.recordName;
        if (got.state) {
            variables.SANDBOX_PULUMI_BACKEND_URL = got.state.backendUrl;
            variables.SANDBOX_PULUMI_SECRETS_PROVIDER = got.state.secretsProvider;
        }
    }
    if (config.repositoryWide) {
        // The one variable that chooses the backend in every workflow (docs/bootstrap.md).
        variables.PULUMI_BACKEND = config.backend;
        if (config.runners.prod !== "") variables.PROD_RUNNER = config.runners.prod;
        if (config.runners.preview !== "") variables.PREVIEW_RUNNER = config.runners.preview;
        variables.SWITCHOVER_ACTORS = JSON.stringify(config.runners.switchoverActors);
        if (config.runners.switchoverAppClientId !== "") variables.SWITCHOVER_APP_CLIENT_ID = config.runners.switchoverAppClientId;
        if (config.backend === "pulumi-cloud") {
            const p = config.pulumi;
            variables.PULUMI_ORG = p.org;
            variables.PULUMI_SANDBOX_TOKEN_TYPE = tokenTypeUrn(p.rehearsal.tokenType);
            // No PULUMI_PREVIEW_TEAM: preview.yml previews against Pulumi Cloud only with a team token.
            if (p.preview.tokenType === "team") variables.PULUMI_PREVIEW_TEAM = p.preview.team;
            if (p.rehearsal.tokenType === "team") variables.PULUMI_SANDBOX_TEAM = p.rehearsal.team;
        }
    }
    return variables;
}
