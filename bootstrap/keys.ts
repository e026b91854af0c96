/**
 * The bootstrap's key table: each key's kind (config/kinds.ts, shared with the main
 * program), default and description, declared once. bootstrap/config.ts parses by it, and
 * test/bootstrapConfig.test.ts holds bootstrap/Pulumi.yaml's `config:` block to it.
 */
import { flag, Kind, KeyType, list, oneOf, text, YamlValue } from "../config/kinds";
import { awsRegion, isAccountId } from "../config/rules";
import { isDnsName, withoutRootDot } from "../facts/dns";

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
/**
 * What a pull-request preview may get: a read-only team's token, or none. Never an organization
 * token: a pull request controls its own copy of preview.yml, and an organization token may write
 * any stack's state, change its tags and decrypt its secrets (Pulumi's permission sets).
 */
export const PREVIEW_TOKEN_TYPES = ["team", "none"] as const;
export type PreviewTokenType = (typeof PREVIEW_TOKEN_TYPES)[number];
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
    previewTokenType: key(oneOf(PREVIEW_TOKEN_TYPES), {
        default: "none",
        description:
            "With pulumi-cloud: the Pulumi token pull-request previews get: team (a read-only team; Enterprise or Business Critical), or none (previews run the offline plan only). Never an organization token, which a pull request's own preview.yml could use to write production state.",
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
    prodRunner: key(
        text((v) => v === "" || /^[A-Za-z0-9._-]{1,100}$/.test(v), 'a runner label such as "prod-static-ip", or "" for none'),
        {
            default: "",
            description:
                "With repositoryWide: the label of the runners, with fixed egress addresses, that run the jobs holding a prod role (PROD_RUNNER): prod's Kubernetes API admits only those addresses (docs/deploying.md).",
        },
    ),
    previewRunner: key(
        text((v) => v === "" || /^[A-Za-z0-9._-]{1,100}$/.test(v), 'a runner label such as "preview-static-ip", or "" for none'),
        {
            default: "",
            description:
                "With repositoryWide: the label of the runners, with fixed egress addresses, that run pull-request previews (PREVIEW_RUNNER). They run a pull request's code, so never the deploy jobs' runners: GitHub-hosted larger runners, or ephemeral self-hosted ones (docs/deploying.md).",
        },
    ),
    switchoverActors: key(
        list((v) => /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/.test(v), "GitHub logins"),
        {
            default: [],
            description:
                "With repositoryWide: the GitHub logins that may start a switchover (SWITCHOVER_ACTORS); [] lets nobody. Any writer may dispatch a workflow, and private repositories below Enterprise have no required reviewers.",
        },
    ),
    switchoverAppClientId: key(
        text((v) => v === "" || /^Iv[0-9A-Za-z.]{4,40}$/.test(v), 'a GitHub App client ID such as "Iv23liABCDEF12345678", or "" for none'),
        {
            default: "",
            description:
                'With repositoryWide: the client ID of the GitHub App that opens the switchover\'s pull request (SWITCHOVER_APP_CLIENT_ID, docs/cicd.md); "" leaves that pull request to a person.',
        },
    ),
    hostedZone: key(optionalDnsName, {
        default: "",
        description: 'A public hosted zone this stack creates, with Route 53 accelerated recovery; "" to leave zones alone.',
    }),
} as const;
