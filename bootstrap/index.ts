/**
 * The one-time set-up of one AWS account, as code: GitHub's OIDC provider and the CI roles
 * built from `iam/`, optionally the account itself (AWS Organizations) and the hosted zone;
 * the GitHub environments and variables of the fleets the account serves; and the state
 * backend, Pulumi Cloud's OIDC issuer or an S3 bucket with a KMS key. One stack per account
 * (`bootstrap/Pulumi.<stack>.yaml`); docs/bootstrap.md is the walk-through.
 */
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { MemberAccount } from "./account";
import { CiIdentity } from "./ciIdentity";
import { BootstrapConfig, loadBootstrapConfig } from "./config";
import { HostedZone } from "./hostedZone";
import { PulumiCloudTrust, TokenGrant } from "./pulumiCloud";
import { EnvironmentSpec, GitHubRepository, variablePrefix } from "./repository";
import { Fleet, knownFleets, listBootstrapStacks, loadBootstrapStack, servedFleets } from "./sources";
import { StateBackend } from "./stateBackend";
import { fleetEnvironments, REHEARSAL_ENVIRONMENT, subjectsOf } from "./subjects";

const fleetMap = (fleets: readonly Fleet[]) => Object.fromEntries(fleets.map((f) => [f.name, f.stacks]));

/** The account this stack sets up: an existing one with the ambient credentials, or a new member account. */
function accountOf(config: BootstrapConfig, tags: Record<string, string>) {
    if ("id" in config.account) {
        const provider = new aws.Provider("aws", { region: config.region, allowedAccountIds: [config.account.id] });
        return { provider, accountId: pulumi.output(config.account.id) };
    }
    // The stack runs with the management account's credentials and reaches into the new one.
    const management = new aws.Provider("aws-management", { region: config.region });
    const member = new MemberAccount(
        config.stack,
        { accountName: `multiregion-${config.stack}`, email: config.account.email, region: config.region, tags },
        { provider: management },
    );
    return { provider: member.provider, accountId: member.accountId };
}

/** Every subject that may exchange a GitHub token for a Pulumi one, across every bootstrap stack file. */
function tokenGrants(config: BootstrapConfig, all: readonly BootstrapConfig[]): TokenGrant[] {
    const { github: gh, pulumi: p } = config;
    const deployFleets = all.flatMap((c) => servedFleets(c));
    const grants: TokenGrant[] = [];
    if (deployFleets.length > 0) {
        grants.push(...subjectsOf(gh, "preview", {}).map((subject) => ({ subject, tokenType: p.preview.tokenType, team: p.preview.team })));
        grants.push(
            ...subjectsOf(gh, "deploy", fleetMap(deployFleets)).map((subject) => ({ subject, tokenType: "organization" as const })),
        );
    }
    if (all.some((c) => c.rehearsal)) {
        grants.push(
            ...subjectsOf(gh, "rehearsal", {}).map((subject) => ({ subject, tokenType: p.rehearsal.tokenType, team: p.rehearsal.team })),
        );
    }
    return grants;
}

/** `urn:pulumi:token-type:access_token:<type>`, what `pulumi/auth-actions` takes as `requested-token-type`. */
const tokenTypeUrn = (type: string) => `urn:pulumi:token-type:access_token:${type}`;

export = () => {
    const config = loadBootstrapConfig(knownFleets());
    const fleets = servedFleets(config);
    const tags = { ManagedBy: "pulumi", Stack: `${config.project}/${config.stack}` };
    // Every other bootstrap stack file is read, and must be valid, before anything is created.
    const all = config.repositoryWide
        ? [
              config,
              ...listBootstrapStacks()
                  .filter((s) => s !== config.stack)
                  .map((s) => loadBootstrapStack(s)),
          ]
        : [config];

    const { provider, accountId } = accountOf(config, tags);
    const state =
        config.backend === "s3"
            ? new StateBackend(config.stack, { region: config.region, keyAlias: "multiregion-pulumi-state", tags }, { provider })
            : undefined;
    const { owner, repository } = config.github;
    const deployRecord = fleets[0]?.recordName;
    const identity = new CiIdentity(
        config.stack,
        {
            accountId,
            owner,
            repository,
            fleet:
                deployRecord === undefined
                    ? undefined
                    : {
                          preview: { subjects: subjectsOf(config.github, "preview", {}) },
                          deploy: { subjects: subjectsOf(config.github, "deploy", fleetMap(fleets)) },
                          recordName: deployRecord,
                      },
            rehearsal: config.rehearsal
                ? { subjects: subjectsOf(config.github, "rehearsal", {}), recordName: config.rehearsal.recordName }
                : undefined,
            state: state ? { bucketArn: state.bucketArn, keyArn: state.keyArn } : undefined,
            tags,
        },
        { provider },
    );
    const zone = config.hostedZone ? new HostedZone(config.stack, { domain: config.hostedZone, tags }, { provider }) : undefined;

    const environments: EnvironmentSpec[] = [
        ...fleets.flatMap((f) => fleetEnvironments(f.name, f.stacks).map((name) => ({ name, reviewers: config.reviewers }))),
        // The nightly runs on a schedule: a reviewer would hold it until someone approved.
        ...(config.rehearsal ? [{ name: REHEARSAL_ENVIRONMENT, reviewers: { users: [], teams: [] } }] : []),
    ];
    const variables: Record<string, pulumi.Input<string>> = {};
    for (const fleet of fleets) {
        const prefix = variablePrefix(fleet.name);
        variables[`${prefix}AWS_PREVIEW_ROLE_ARN`] = identity.previewRoleArn!;
        variables[`${prefix}AWS_DEPLOY_ROLE_ARN`] = identity.deployRoleArn!;
        if (state) {
            variables[`${prefix}PULUMI_BACKEND_URL`] = state.backendUrl;
            variables[`${prefix}PULUMI_SECRETS_PROVIDER`] = state.secretsProvider;
        }
    }
    if (config.rehearsal) {
        variables.SANDBOX_AWS_ACCOUNT_ID = accountId;
        variables.SANDBOX_AWS_ROLE_ARN = identity.rehearsalRoleArn!;
        variables.SANDBOX_HOSTED_ZONE = config.rehearsal.hostedZone;
        variables.SANDBOX_RECORD_NAME = config.rehearsal.recordName;
        if (state) {
            variables.SANDBOX_PULUMI_BACKEND_URL = state.backendUrl;
            variables.SANDBOX_PULUMI_SECRETS_PROVIDER = state.secretsProvider;
        }
    }
    if (config.repositoryWide) {
        // The one variable that chooses the backend in every workflow (docs/bootstrap.md).
        variables.PULUMI_BACKEND = config.backend;
        if (config.backend === "pulumi-cloud") {
            const p = config.pulumi;
            variables.PULUMI_ORG = p.org;
            variables.PULUMI_PREVIEW_TOKEN_TYPE = tokenTypeUrn(p.preview.tokenType);
            variables.PULUMI_SANDBOX_TOKEN_TYPE = tokenTypeUrn(p.rehearsal.tokenType);
            if (p.preview.tokenType === "team") variables.PULUMI_PREVIEW_TEAM = p.preview.team;
            if (p.rehearsal.tokenType === "team") variables.PULUMI_SANDBOX_TEAM = p.rehearsal.team;
        }
    }
    // The token comes from GITHUB_TOKEN (or a GitHub App): an admin's, for this run only.
    const githubProvider = new github.Provider("github", { owner: config.github.ownerLogin });
    new GitHubRepository(
        config.stack,
        { repository: config.github.repositoryName, subjectTemplate: config.repositoryWide, environments, variables },
        { provider: githubProvider },
    );
    const cloud =
        config.repositoryWide && config.backend === "pulumi-cloud"
            ? new PulumiCloudTrust(
                  config.stack,
                  { organization: config.pulumi.org, grants: tokenGrants(config, all) },
                  { provider: new pulumiservice.Provider("pulumiservice", {}) },
              )
            : undefined;

    return {
        accountId,
        oidcProviderArn: identity.oidcProviderArn,
        workloadBoundaryArn: identity.workloadBoundaryArn,
        ...(identity.previewRoleArn ? { previewRoleArn: identity.previewRoleArn } : {}),
        ...(identity.deployRoleArn ? { deployRoleArn: identity.deployRoleArn } : {}),
        ...(identity.rehearsalRoleArn ? { rehearsalRoleArn: identity.rehearsalRoleArn } : {}),
        environments: environments.map((e) => e.name),
        variables: Object.keys(variables).sort(),
        // The two values `pulumi login` and `pulumi stack init --secrets-provider` take.
        ...(state ? { backendUrl: state.backendUrl, secretsProvider: state.secretsProvider } : {}),
        ...(cloud ? { pulumiIssuer: cloud.issuerName } : {}),
        // Delegate the domain to these at its registrar.
        ...(zone ? { hostedZoneNameServers: zone.nameServers } : {}),
    };
};
