/**
 * The bootstrap's typed config: one key table, read by a pure parser that names the key,
 * the value and what is allowed for every problem, before any resource exists. The value
 * kinds are the main program's (config/kinds.ts); only the rules are the bootstrap's own.
 */
import * as pulumi from "@pulumi/pulumi";
import { flag, Kind, KeyType, list, oneOf, text, YamlValue } from "../config/kinds";
import { missingKey } from "../config/parse";
import { awsRegion, isAccountId } from "../config/rules";
import { isDnsName, withoutRootDot } from "../config/dns";

/** One key: how to read it, and what a user needs to know about it. */
export interface BootstrapKey<V, T extends KeyType = KeyType> extends Kind<V, T> {
    readonly description: string;
    /** Absent for required keys. */
    readonly default?: YamlValue<T>;
}

function key<V, T extends KeyType>(kind: Kind<V, T>, doc: { description: string; default?: YamlValue<T> }): BootstrapKey<V, T> {
    return { ...kind, ...doc };
}

/**
 * A GitHub login: alphanumerics and single inner hyphens, at most 39 characters. With the
 * immutable subject claims of repositories made after 15 July 2026 the `sub` writes it as
 * `login@OWNER-ID` (https://docs.github.com/en/actions/reference/security/oidc).
 */
export function isGitHubOwner(v: string): boolean {
    return /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}(@\d+)?$/.test(v);
}

/** A repository name (letters, digits, `.`, `_`, `-`, at most 100), optionally `@REPO-ID`. */
export function isGitHubRepository(v: string): boolean {
    const name = v.replace(/@\d+$/, "");
    return /^[A-Za-z0-9._-]{1,100}$/.test(name) && name !== "." && name !== ".." && /^[^@]*(@\d+)?$/.test(v);
}

/**
 * An address AWS Organizations accepts for a new account: 6 to 64 characters, one `@`, a
 * dotted domain (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html).
 */
export function isEmail(v: string): boolean {
    return v.length >= 6 && v.length <= 64 && /^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(v);
}

/** A reviewer GitHub can require on an environment: `user:<id>` or `team:<id>`, numeric ids. */
export function isReviewer(v: string): boolean {
    return /^(user|team):\d+$/.test(v);
}

/** Main-program fleets: the prefix of `Pulumi.<fleet>-<region>.yaml`. */
function isFleetName(v: string): boolean {
    return /^[a-z][a-z0-9]*$/.test(v);
}

export const EDITIONS = ["individual", "team", "enterprise", "business-critical"] as const;
export type Edition = (typeof EDITIONS)[number];
export const TOKEN_TYPES = ["organization", "team"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type Backend = "pulumi-cloud" | "s3";

/**
 * The token types each Pulumi edition can issue through OIDC: "Individual: personal tokens
 * only; Team: personal and organization tokens; Enterprise and Business Critical: personal,
 * organization, and team tokens" (https://www.pulumi.com/docs/administration/access-identity/oidc-issuers/).
 */
export const EDITION_TOKEN_TYPES: Record<Edition, readonly string[]> = {
    individual: ["personal"],
    team: ["personal", "organization"],
    enterprise: ["personal", "organization", "team"],
    "business-critical": ["personal", "organization", "team"],
};

const optionalDnsName = text(
    (v) => v === "" || (isDnsName(v) && !v.startsWith("*")),
    'a DNS name such as "example.com", or "" for none',
    (v) => withoutRootDot(v).toLowerCase(),
);

export const BOOTSTRAP_KEYS = {
    githubOwner: key(
        text(isGitHubOwner, 'a GitHub user or organization login such as "octo-org", or "octo-org@123456" with its immutable id'),
        {
            description:
                "The GitHub owner of the repository, as the OIDC sub claim writes it (login, or login@ID for immutable subjects). Required.",
        },
    ),
    githubRepository: key(
        text(isGitHubRepository, 'a repository name such as "multiregion", or "multiregion@654321" with its immutable id'),
        {
            description: "The repository the workflows run in, as the OIDC sub claim writes it (name, or name@ID). Required.",
        },
    ),
    region: key(awsRegion(), { description: "Region of the provider: where the state bucket and its key live; IAM is global. Required." }),
    accountId: key(
        text((v) => v === "" || isAccountId(v), 'the 12-digit AWS account id, quoted, or "" when accountEmail creates the account'),
        {
            default: "",
            description:
                "The existing AWS account this stack sets up; the provider refuses credentials for any other. Exactly one of accountId and accountEmail.",
        },
    ),
    accountEmail: key(
        text((v) => v === "" || isEmail(v), 'an e-mail address such as "aws+prod@example.com" (6 to 64 characters), or ""'),
        {
            default: "",
            description:
                "Creates the account in AWS Organizations with this owner address, from the management account. Exactly one of accountId and accountEmail.",
        },
    ),
    fleets: key(list(isFleetName, "main-program fleets, such as prod (the prefix of Pulumi.prod-us.yaml)"), {
        default: [],
        description:
            "Main-program fleets that deploy into this account: their preview and deploy roles, and a GitHub environment per stack file.",
    }),
    rehearsal: key(flag(), {
        default: false,
        description:
            "The nightly rehearsal (nightly.yml) runs in this account: the rehearsal role, the sandbox environment and the SANDBOX_* variables.",
    }),
    rehearsalHostedZone: key(optionalDnsName, {
        default: "",
        description: "With rehearsal: the public zone the ci stacks' record goes in (SANDBOX_HOSTED_ZONE).",
    }),
    rehearsalRecordName: key(optionalDnsName, {
        default: "",
        description:
            "With rehearsal: the ci pair's failover name inside rehearsalHostedZone (SANDBOX_RECORD_NAME), the only record the rehearsal role may write.",
    }),
    repositoryWide: key(flag(), {
        default: false,
        description:
            "This stack owns the repository-wide settings: the OIDC subject template, the backend variables and the Pulumi OIDC issuer. Exactly one stack.",
    }),
    backend: key(oneOf(["pulumi-cloud", "s3"] as const), {
        default: "pulumi-cloud",
        description:
            "Where the main program keeps state: pulumi-cloud (OIDC-issued Pulumi tokens) or s3 (a bucket and KMS key here; no Pulumi token). Same in every stack.",
    }),
    pulumiOrg: key(
        text((v) => v === "" || /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(v), 'a Pulumi organization name such as "octo-org", or ""'),
        {
            default: "",
            description: "With pulumi-cloud: the Pulumi organization (PULUMI_ORG).",
        },
    ),
    pulumiEdition: key(oneOf(EDITIONS), {
        default: "team",
        description: "With pulumi-cloud: the organization's edition, which decides the token types OIDC can issue.",
    }),
    previewTokenType: key(oneOf(TOKEN_TYPES), {
        default: "organization",
        description:
            "With pulumi-cloud: the Pulumi token pull-request previews get; team needs the Enterprise or Business Critical edition.",
    }),
    previewTeam: key(
        text((v) => v === "" || /^[A-Za-z0-9_.-]{1,40}$/.test(v), 'a Pulumi team name such as "ci-preview", or ""'),
        {
            default: "",
            description: "With previewTokenType team: the read-only team (Stack Read on the stacks) previews act as.",
        },
    ),
    rehearsalTokenType: key(oneOf(TOKEN_TYPES), {
        default: "organization",
        description:
            "With pulumi-cloud: the Pulumi token the nightly rehearsal gets; team needs the Enterprise or Business Critical edition.",
    }),
    rehearsalTeam: key(
        text((v) => v === "" || /^[A-Za-z0-9_.-]{1,40}$/.test(v), 'a Pulumi team name such as "ci-sandbox", or ""'),
        {
            default: "",
            description: "With rehearsalTokenType team: the team (stack:create, no production access) the rehearsal acts as.",
        },
    ),
    environmentReviewers: key(list(isReviewer, '"user:<id>" or "team:<id>" with GitHub\'s numeric ids'), {
        default: [],
        description:
            "Required reviewers of the deploy environments; [] for none. Private repositories have them only on GitHub Enterprise.",
    }),
    reviewersAvailable: key(flag(), {
        default: false,
        description: "true when the repository's plan has required reviewers: a public repository, or GitHub Enterprise.",
    }),
    hostedZone: key(optionalDnsName, {
        default: "",
        description: 'A public hosted zone this stack creates, with Route 53 accelerated recovery; "" to leave zones alone.',
    }),
} as const;

export type BootstrapKeyName = keyof typeof BOOTSTRAP_KEYS;
type ValueOf<K extends BootstrapKeyName> = (typeof BOOTSTRAP_KEYS)[K] extends Kind<infer V> ? V : never;
type Values = { [K in BootstrapKeyName]: ValueOf<K> };

/** The typed bootstrap config one stack file gives. */
export interface BootstrapConfig {
    readonly project: string;
    readonly stack: string;
    readonly github: { readonly owner: string; readonly repository: string; readonly ownerLogin: string; readonly repositoryName: string };
    readonly region: string;
    /** The existing account, or the new account's owner address. */
    readonly account: { readonly id: string } | { readonly email: string };
    readonly fleets: string[];
    readonly rehearsal?: { readonly hostedZone: string; readonly recordName: string };
    readonly repositoryWide: boolean;
    readonly backend: Backend;
    readonly pulumi: {
        readonly org: string;
        readonly edition: Edition;
        readonly preview: { readonly tokenType: TokenType; readonly team: string };
        readonly rehearsal: { readonly tokenType: TokenType; readonly team: string };
    };
    readonly reviewers: { readonly users: number[]; readonly teams: number[] };
    readonly hostedZone?: string;
}

/** Invalid bootstrap config: every problem at once, one line each. */
export class BootstrapConfigError extends Error {
    constructor(
        public readonly problems: string[],
        stack?: string,
    ) {
        const where = stack
            ? `invalid bootstrap configuration for stack ${stack} (bootstrap/Pulumi.${stack}.yaml)`
            : "invalid bootstrap configuration";
        super(`${where}:\n  - ${problems.join("\n  - ")}`);
        this.name = "BootstrapConfigError";
    }
}

const KEYS = Object.keys(BOOTSTRAP_KEYS) as BootstrapKeyName[];
/** Repository-wide Pulumi settings: one issuer per organization, so one stack holds them. */
const PULUMI_KEYS: BootstrapKeyName[] = [
    "pulumiOrg",
    "pulumiEdition",
    "previewTokenType",
    "previewTeam",
    "rehearsalTokenType",
    "rehearsalTeam",
];

/** Rules across keys, each naming both keys; run only when the keys they read are valid. */
function crossProblems(v: Values, project: string, knownFleets: readonly string[]): string[] {
    const problems: string[] = [];
    const k = (name: BootstrapKeyName) => `${project}:${name}`;
    if ((v.accountId === "") === (v.accountEmail === "")) {
        problems.push(
            `${k("accountId")}, ${k("accountEmail")}: exactly one is set: accountId for an existing account, accountEmail to create one`,
        );
    }
    for (const fleet of v.fleets) {
        if (!knownFleets.includes(fleet))
            problems.push(
                `${k("fleets")}: got "${fleet}"; allowed: a fleet with stack files at the repository root: ${knownFleets.join(", ")}`,
            );
    }
    if (v.fleets.length === 0 && !v.rehearsal)
        problems.push(`${k("fleets")}, ${k("rehearsal")}: this account serves nothing: list a fleet or set rehearsal: true`);
    if (v.rehearsal && (v.rehearsalHostedZone === "" || v.rehearsalRecordName === "")) {
        problems.push(
            `${k("rehearsalHostedZone")}, ${k("rehearsalRecordName")}: required with rehearsal: true (the ci pair's zone and failover name)`,
        );
    }
    if (v.backend === "pulumi-cloud" && v.repositoryWide) {
        if (v.pulumiOrg === "") problems.push(`${k("pulumiOrg")}: required with backend pulumi-cloud`);
        const issued = EDITION_TOKEN_TYPES[v.pulumiEdition];
        const only = `issues only ${issued.join(" and ")} tokens through OIDC`;
        if (!issued.includes("organization")) {
            problems.push(
                `${k("pulumiEdition")}: got "${v.pulumiEdition}", which ${only}; deploys need organization tokens: allowed: team, enterprise or business-critical, or backend s3`,
            );
        } else {
            for (const name of ["previewTokenType", "rehearsalTokenType"] as const) {
                if (issued.includes(v[name])) continue;
                problems.push(
                    `${k(name)}: got "${v[name]}", but the ${v.pulumiEdition} edition (${k("pulumiEdition")}) ${only}; allowed: "organization", or a team token on enterprise or business-critical`,
                );
            }
        }
        if (v.previewTokenType === "team" && issued.includes("team") && v.previewTeam === "")
            problems.push(`${k("previewTeam")}: required with previewTokenType team`);
        if (v.rehearsalTokenType === "team" && issued.includes("team") && v.rehearsalTeam === "")
            problems.push(`${k("rehearsalTeam")}: required with rehearsalTokenType team`);
    }
    if (v.environmentReviewers.length > 0 && !v.reviewersAvailable) {
        problems.push(
            `${k("environmentReviewers")}: got ${JSON.stringify(v.environmentReviewers)} but ${k("reviewersAvailable")} is false; required reviewers in a private repository need GitHub Enterprise: set reviewersAvailable: true if the repository is public or on Enterprise, or [] for none`,
        );
    }
    return [...new Set(problems)];
}

function defaultText(spec: BootstrapKey<unknown>): string | undefined {
    if (spec.default === undefined) return undefined;
    return typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
}

/**
 * Every key's value, or every problem: unknown keys, missing keys, invalid values, then
 * the cross-key rules. `knownFleets` are the main program's fleets (tools/stacks.ts).
 */
export function parseBootstrapConfig(
    raw: Readonly<Record<string, string>>,
    ctx: { project: string; stack: string; knownFleets: readonly string[] },
): BootstrapConfig {
    const { project } = ctx;
    const problems: string[] = [];
    for (const name of Object.keys(raw)) {
        if (!(KEYS as string[]).includes(name)) problems.push(`${project}:${name}: unknown key; known keys: ${KEYS.join(", ")}`);
    }
    const values: Partial<Record<BootstrapKeyName, unknown>> = {};
    for (const name of KEYS) {
        const spec: BootstrapKey<unknown> = BOOTSTRAP_KEYS[name];
        const value = raw[name] ?? defaultText(spec);
        if (value === undefined) {
            problems.push(missingKey(name, project, spec.description));
            continue;
        }
        const parsed = spec.parse(value);
        if ("problems" in parsed) problems.push(...parsed.problems.map((tail) => `${project}:${name}: ${tail}`));
        else values[name] = parsed.value;
    }
    if (problems.length === 0) problems.push(...crossProblems(values as Values, project, ctx.knownFleets));
    if (values.repositoryWide === false) {
        for (const name of PULUMI_KEYS.filter((n) => raw[n] !== undefined && raw[n] !== defaultText(BOOTSTRAP_KEYS[n]))) {
            problems.push(
                `${project}:${name}: read only by the stack with repositoryWide: true, which owns the Pulumi issuer; remove it here`,
            );
        }
    }
    if (problems.length > 0) throw new BootstrapConfigError(problems, ctx.stack);
    const v = values as Values;
    const ids = (kind: string) => v.environmentReviewers.filter((r) => r.startsWith(`${kind}:`)).map((r) => Number(r.split(":")[1]));
    return {
        project,
        stack: ctx.stack,
        github: {
            owner: v.githubOwner,
            repository: v.githubRepository,
            ownerLogin: v.githubOwner.replace(/@\d+$/, ""),
            repositoryName: v.githubRepository.replace(/@\d+$/, ""),
        },
        region: v.region,
        account: v.accountId !== "" ? { id: v.accountId } : { email: v.accountEmail },
        fleets: v.fleets,
        rehearsal: v.rehearsal ? { hostedZone: v.rehearsalHostedZone, recordName: v.rehearsalRecordName } : undefined,
        repositoryWide: v.repositoryWide,
        backend: v.backend,
        pulumi: {
            org: v.pulumiOrg,
            edition: v.pulumiEdition,
            preview: { tokenType: v.previewTokenType, team: v.previewTeam },
            rehearsal: { tokenType: v.rehearsalTokenType, team: v.rehearsalTeam },
        },
        reviewers: { users: ids("user"), teams: ids("team") },
        hostedZone: v.hostedZone === "" ? undefined : v.hostedZone,
    };
}

/** This project's keys from a flat `namespace:key` map, without the namespace. */
export function projectKeys(all: Readonly<Record<string, string>>, project: string): Record<string, string> {
    const prefix = `${project}:`;
    return Object.fromEntries(Object.entries(all).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : [])));
}

/** Reads this stack's keys from the Pulumi runtime and parses them. */
export function loadBootstrapConfig(knownFleets: readonly string[]): BootstrapConfig {
    const project = pulumi.getProject();
    return parseBootstrapConfig(projectKeys(pulumi.runtime.allConfig(), project), { project, stack: pulumi.getStack(), knownFleets });
}
