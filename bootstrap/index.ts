/**
 * The one-time set-up of one AWS account, as code: GitHub's OIDC provider and the CI roles
 * built from `iam/`; the roles the main program's resources run as and its clusters' secrets
 * keys, so CI never makes a role or a key (facts/workload.ts); optionally the account itself (AWS Organizations) and the hosted zone;
 * the GitHub environments and variables of the fleets the account serves; and the state
 * backend, Pulumi Cloud's OIDC issuer or an S3 bucket with a KMS key. One stack per account
 * (`bootstrap/Pulumi.<stack>.yaml`); docs/bootstrap.md is the walk-through.
 */
import * as aws from "@pulumi/aws";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import { MemberAccount } from "./account";
import { CiIdentity, CiIdentityArgs } from "./ciIdentity";
import { BootstrapConfig, loadBootstrapConfig } from "./config";
import { HostedZone } from "./hostedZone";
import { PulumiCloudTrust, TokenGrant } from "./pulumiCloud";
import { GitHubRepository } from "./repository";
import { FleetData } from "./data";
import { knownFleets } from "../config/stackFiles";
import { clustersOf, Fleet, fleetTablesOf, listBootstrapStacks, loadBootstrapStack, servedFleets } from "./sources";
import { STATE_KEY_ALIAS, StateBackend } from "./stateBackend";
import { subjectsOf } from "./subjects";
import { Assigned, environmentsFor, variablesFor } from "./variables";
import { WorkloadFoundation } from "./workload";

const fleetMap = (fleets: readonly Fleet[]) => Object.fromEntries(fleets.map((f) => [f.name, f.stacks]));

/** The account this stack sets up: an existing one with the ambient credentials, or a new member account. */
function accountOf(config: BootstrapConfig, tags: Record<string, string>) {
    if ("id" in config.account) {
        const id = config.account.id;
        const regional = (region: string, name = `aws-${region}`) => new aws.Provider(name, { region, allowedAccountIds: [id] });
        const provider = regional(config.region, "aws");
        return { provider, accountId: pulumi.output(id), providerIn: memo(config.region, provider, regional) };
    }
    // The stack runs with the management account's credentials and reaches into the new one.
    const management = new aws.Provider("aws-management", { region: config.region });
    const member = new MemberAccount(
        config.stack,
        { accountName: `multiregion-${config.stack}`, email: config.account.email, region: config.region, tags },
        { provider: management },
    );
    return {
        provider: member.provider,
        accountId: member.accountId,
        providerIn: memo(config.region, member.provider, (r) => member.providerIn(r)),
    };
}

/** One provider per region: `home`'s own, and one made on first use for each other. */
function memo(region: string, home: aws.Provider, make: (region: string) => aws.Provider): (region: string) => aws.Provider {
    const made = new Map([[region, home]]);
    return (r) => made.get(r) ?? made.set(r, make(r)).get(r)!;
}

/** Every subject that may exchange a GitHub token for a Pulumi one, across every bootstrap stack file. */
function tokenGrants(config: BootstrapConfig, all: readonly BootstrapConfig[]): TokenGrant[] {
    const { github: gh, pulumi: p } = config;
    const deployFleets = all.flatMap((c) => servedFleets(c));
    const grants: TokenGrant[] = [];
    if (deployFleets.length > 0) {
        if (p.preview.tokenType === "team")
            grants.push(...subjectsOf(gh, "preview", {}).map((subject) => ({ subject, tokenType: "team" as const, team: p.preview.team })));
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

/** The account's CI roles: preview and deploy for its fleets, the rehearsal's in the sandbox. */
function identityArgs(config: BootstrapConfig, fleets: readonly Fleet[]): Pick<CiIdentityArgs, "fleet" | "rehearsal"> {
    const deployRecord = fleets[0]?.recordName;
    return {
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
    };
}

/** The repository-wide stack reads every other bootstrap stack file, which must be valid, before anything is created. */
function everyStack(config: BootstrapConfig): BootstrapConfig[] {
    if (!config.repositoryWide) return [config];
    return [
        config,
        ...listBootstrapStacks()
            .filter((s) => s !== config.stack)
            .map((s) => loadBootstrapStack(s)),
    ];
}

/** The roles this account has, for the outputs. */
function roleArns(identity: CiIdentity): Record<string, pulumi.Output<string>> {
    const arns = {
        previewRoleArn: identity.previewRoleArn,
        deployRoleArn: identity.deployRoleArn,
        rehearsalRoleArn: identity.rehearsalRoleArn,
    };
    return Object.fromEntries(Object.entries(arns).filter((e): e is [string, pulumi.Output<string>] => e[1] !== undefined));
}

/** The repository's environments and variables. */
function configureGitHub(config: BootstrapConfig, fleets: readonly Fleet[], got: Assigned) {
    const environments = environmentsFor(config, fleets, got);
    const variables = variablesFor(config, fleets, got);
    // The token comes from GITHUB_TOKEN (or a GitHub App): an admin's, for this run only.
    const githubProvider = new github.Provider("github", { owner: config.github.ownerLogin });
    new GitHubRepository(
        config.stack,
        { repository: config.github.repositoryName, subjectTemplate: config.repositoryWide, environments, variables },
        { provider: githubProvider },
    );
    return { environments, variables };
}

/** What the account's stacks run as and keep: the workload roles and keys, and each fleet's table. */
function foundation(
    config: BootstrapConfig,
    boundaryArn: pulumi.Output<string>,
    account: ReturnType<typeof accountOf>,
    tags: Record<string, string>,
) {
    const { provider, accountId, providerIn } = account;
    const common = { accountId, boundaryArn, providerIn, tags };
    const workload = new WorkloadFoundation(config.stack, { ...common, clusters: clustersOf(config) }, { provider });
    const data = fleetTablesOf(config).map(
        (table) => new FleetData(`${config.stack}-${table.fleet}-data`, { ...common, data: table }, { provider }),
    );
    return { workload, data };
}

export = () => {
    const config = loadBootstrapConfig(knownFleets());
    const fleets = servedFleets(config);
    const all = everyStack(config);
    const tags = { ManagedBy: "pulumi", Stack: `${config.project}/${config.stack}` };

    const account = accountOf(config, tags);
    const { provider, accountId } = account;
    const state =
        config.backend === "s3"
            ? new StateBackend(config.stack, { region: config.region, keyAlias: STATE_KEY_ALIAS, tags }, { provider })
            : undefined;
    const identity = new CiIdentity(
        config.stack,
        {
            accountId,
            owner: config.github.owner,
            repository: config.github.repository,
            ...identityArgs(config, fleets),
            state: state ? { bucketArn: state.bucketArn, keyArn: state.keyArn } : undefined,
            tags,
        },
        { provider },
    );
    const { workload, data } = foundation(config, identity.workloadBoundaryArn, account, tags);
    const zone = config.hostedZone ? new HostedZone(config.stack, { domain: config.hostedZone, tags }, { provider }) : undefined;

    const { environments, variables } = configureGitHub(config, fleets, { accountId, ...roleArns(identity), state });
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
        workloadRoleArns: workload.roleArns,
        secretsKeyArns: workload.keyArns,
        dataTableArns: data.map((d) => d.tableArn),
        ...roleArns(identity),
        environments: environments.map((e) => e.name),
        variables: Object.keys(variables).sort(),
        // The two values `pulumi login` and `pulumi stack init --secrets-provider` take.
        ...(state ? { backendUrl: state.backendUrl, secretsProvider: state.secretsProvider } : {}),
        ...(cloud ? { pulumiIssuer: cloud.issuerName } : {}),
        // Delegate the domain to these at its registrar.
        ...(zone ? { hostedZoneNameServers: zone.nameServers } : {}),
    };
};
