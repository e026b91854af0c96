/**
 * The bootstrap's typed config: one key table, read by a pure parser that names the key,
 * the value and what is allowed for every problem, before any resource exists. The value
 * kinds are the main program's (config/kinds.ts); only the rules are the bootstrap's own.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Kind } from "../config/kinds";
import { missingKey } from "../config/parse";
import { Backend, BOOTSTRAP_KEYS, BootstrapKey, Edition, EDITION_TOKEN_TYPES, PreviewTokenType, TokenType } from "./keys";

export * from "./keys";

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
        readonly preview: { readonly tokenType: PreviewTokenType; readonly team: string };
        readonly rehearsal: { readonly tokenType: TokenType; readonly team: string };
    };
    readonly reviewers: { readonly users: number[]; readonly teams: number[] };
    /** Repository-wide: the fixed-egress runners' label, and the switchover App's client ID ("" for none). */
    readonly runners: {
        readonly prod: string;
        readonly preview: string;
        readonly switchoverActors: string[];
        readonly switchoverAppClientId: string;
    };
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
/** Repository-wide settings (one Pulumi issuer per organization, one variable per repository), so one stack holds them. */
export const REPOSITORY_WIDE_KEYS: readonly BootstrapKeyName[] = [
    "pulumiOrg",
    "pulumiEdition",
    "previewTokenType",
    "previewTeam",
    "rehearsalTokenType",
    "rehearsalTeam",
    "prodRunner",
    "previewRunner",
    "switchoverActors",
    "switchoverAppClientId",
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
    if (v.repositoryWide && v.fleets.includes("prod") && v.prodRunner === "") {
        problems.push(
            `${k("prodRunner")}: required with repositoryWide and the prod fleet: prod's Kubernetes API admits only fixed egress addresses, so its jobs need a runner label (docs/deploying.md)`,
        );
    }
    if (v.repositoryWide && v.previewRunner !== "" && v.previewRunner === v.prodRunner) {
        problems.push(
            `${k("previewRunner")}: got "${v.previewRunner}", the prodRunner too; allowed: a runner label of its own, since previews run a pull request's code`,
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
                if (v[name] === "none" || issued.includes(v[name])) continue;
                problems.push(
                    `${k(name)}: got "${v[name]}", but the ${v.pulumiEdition} edition (${k("pulumiEdition")}) ${only}; allowed: ${name === "previewTokenType" ? '"none"' : '"organization"'}, or a team token on enterprise or business-critical`,
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
        for (const name of REPOSITORY_WIDE_KEYS.filter((n) => raw[n] !== undefined && raw[n] !== defaultText(BOOTSTRAP_KEYS[n]))) {
            problems.push(
                `${project}:${name}: read only by the stack with repositoryWide: true, which owns the repository-wide settings; remove it here`,
            );
        }
    }
    if (problems.length > 0) throw new BootstrapConfigError(problems, ctx.stack);
    return toBootstrapConfig(values as Values, project, ctx.stack);
}

/** Arranges valid values into the typed config the program uses. */
function toBootstrapConfig(v: Values, project: string, stack: string): BootstrapConfig {
    const ids = (kind: string) => v.environmentReviewers.filter((r) => r.startsWith(`${kind}:`)).map((r) => Number(r.split(":")[1]));
    return {
        project,
        stack,
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
        runners: {
            prod: v.prodRunner,
            preview: v.previewRunner,
            switchoverActors: v.switchoverActors,
            switchoverAppClientId: v.switchoverAppClientId,
        },
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
