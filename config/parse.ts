/**
 * Builds the typed config from the raw strings the Pulumi CLI hands the program, by
 * looping over the key table, so every rule can be tested offline. Nothing here
 * creates resources; a bad value stops the program before any exist.
 */
import * as pulumi from "@pulumi/pulumi";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import { isDeployedFleet, publicApiProblem, publicApiWarning } from "./apiAccess";
import { CROSS_FIELD_RULES } from "./crossField";
import { closestKey, foreignNamespaceProblems } from "./keyNames";
import { CONFIG_KEYS, ConfigKey, Key, Values } from "./keys";
import type { ConfigContext, RawConfig, StackConfig } from "./types";

/** Invalid config: every problem at once, each naming the key, the value and what is allowed. */
export class ConfigError extends Error {
    constructor(
        public readonly problems: string[],
        /** The stack whose file holds the values, when known. */
        stack?: string,
    ) {
        const where = stack ? `invalid configuration for stack ${stack} (Pulumi.${stack}.yaml)` : "invalid stack configuration";
        super(`${where}:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

const KEYS = Object.keys(CONFIG_KEYS) as ConfigKey[];

const AUTO_MODE_NODES = "EKS Auto Mode's node pools choose and scale the nodes";
/** Keys earlier versions read, and why they are gone, so an old stack file gets a clear answer. */
const REMOVED_KEYS: Record<string, string> = {
    nodeInstanceTypes: AUTO_MODE_NODES,
    nodeMinSize: AUTO_MODE_NODES,
    nodeDesiredSize: AUTO_MODE_NODES,
    nodeMaxSize: `${AUTO_MODE_NODES}; maxReplicas bounds the pods instead`,
};

/** The problem of a required key that has no value. */
export function missingKey(key: string, project: string, description: string): string {
    return `${project}:${key}: missing; required: ${description.replace(/\.? Required\.$/, "")} (pulumi config set ${key} <value>)`;
}

/**
 * The problem of a key the program does not know that is close to one it does: a rename or
 * a typo. `missing` says the meant key has no value, so one line names both.
 */
export function renamedKey(key: string, meant: string, project: string, missing: boolean): string {
    return missing
        ? `${project}:${key}: unknown key, and ${meant} is missing: did you mean ${meant}? rename it in the stack file`
        : `${project}:${key}: unknown key; did you mean ${meant}?`;
}

/** The raw string the CLI would pass for a key a stack file leaves out. */
function defaultText(spec: Key<unknown>): string | undefined {
    if (spec.default === undefined) return undefined;
    return typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
}

function isComplete(values: Partial<Values>): values is Values {
    return KEYS.every((key) => values[key] !== undefined);
}

/**
 * Every key's value, or every problem: unknown keys (named next to the key they likely mean),
 * missing keys, invalid values, cross-field rules, and, when the stack is known, the rules of
 * its fleet. `extra` are problems found outside the project's namespace, listed first.
 */
export function parseValues(raw: RawConfig, project: string, stack?: string, extra: readonly string[] = []): Values {
    const problems: string[] = [...extra];
    const renamed = new Map<ConfigKey, string>();
    for (const key of Object.keys(raw)) {
        const removed = REMOVED_KEYS[key];
        if (removed) problems.push(`${project}:${key}: no longer read: ${removed}; remove it from the stack file`);
        else if (!(KEYS as string[]).includes(key)) {
            const meant = closestKey(key, KEYS) as ConfigKey | undefined;
            if (!meant) problems.push(`${project}:${key}: unknown key; known keys: ${KEYS.join(", ")}`);
            else if (raw[meant] === undefined && !renamed.has(meant)) renamed.set(meant, key);
            else problems.push(renamedKey(key, meant, project, false));
        }
    }
    const values: Partial<Record<ConfigKey, unknown>> = {};
    for (const key of KEYS) {
        const spec: Key<unknown> = CONFIG_KEYS[key];
        const text = raw[key] ?? defaultText(spec);
        if (text === undefined) {
            const was = renamed.get(key);
            renamed.delete(key);
            problems.push(was ? renamedKey(was, key, project, true) : missingKey(key, project, spec.description));
            continue;
        }
        const parsed = spec.parse(text);
        if ("problems" in parsed) problems.push(...parsed.problems.map((tail) => `${project}:${key}: ${tail}`));
        else values[key] = parsed.value;
    }
    for (const [meant, key] of renamed) problems.push(renamedKey(key, meant, project, false));
    const valid = values as Partial<Values>;
    for (const rule of CROSS_FIELD_RULES) {
        if (rule.keys.every((key) => valid[key] !== undefined)) {
            const problem = rule.check(valid as Values, project);
            if (problem) problems.push(problem);
        }
    }
    if (stack !== undefined && valid.publicAccessCidrs !== undefined) {
        const problem = publicApiProblem(project, stack, valid.publicAccessCidrs);
        if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    if (!isComplete(valid)) throw new Error("a key parsed to undefined");
    return valid;
}

/** Arranges valid values into the typed config the program and tools use. */
export function toStackConfig(v: Values, ctx: ConfigContext): StackConfig {
    const base = { ManagedBy: "pulumi", Stack: `${ctx.project}/${ctx.stack}`, Region: v.region, Role: v.role };
    return {
        project: ctx.project,
        stack: ctx.stack,
        region: v.region,
        accountId: v.accountId,
        assumeRoleArn: v.assumeDeployRole ? v.deployRoleArn : undefined,
        role: v.role,
        logRetentionDays: v.logRetentionDays,
        tags: { ...v.tags, ...base },
        network: { vpcCidr: v.vpcCidr, azCount: v.azCount, natGateways: v.natGateways },
        cluster: {
            kubernetesVersion: v.kubernetesVersion,
            metricsServerVersion: v.metricsServerVersion === "" ? undefined : v.metricsServerVersion,
            eksSupportType: v.eksSupportType,
            deployRoleArn: v.deployRoleArn,
            previewRoleArn: v.previewRoleArn === "" ? undefined : v.previewRoleArn,
            adminPrincipalArns: v.adminPrincipalArns,
            viewerPrincipalArns: v.viewerPrincipalArns,
            publicAccessCidrs: v.publicAccessCidrs,
        },
        services: {
            backendImage: v.backendImage,
            frontendImage: v.frontendImage,
            minReplicas: v.replicasOverride > 0 ? v.replicasOverride : v.role === "active" ? v.activeReplicas : v.standbyReplicas,
            maxReplicas: v.maxReplicas,
            cpuTargetPercent: v.cpuTargetPercent,
            podRequestsPerSecond: v.podRequestsPerSecond,
            activeReplicas: v.activeReplicas,
            standbyReplicas: v.standbyReplicas,
            replicasOverride: v.replicasOverride,
        },
        failover: {
            hostedZone: v.hostedZone,
            recordName: v.recordName,
            failoverType: v.role === "active" ? "PRIMARY" : "SECONDARY",
            publishRecord: v.failoverRecord,
            recordType: v.recordType,
            cnameTtl: v.cnameTtl,
            healthCheck: {
                path: v.healthCheckPath,
                interval: v.healthCheckInterval,
                failureThreshold: v.healthCheckFailureThreshold,
                regions: v.healthCheckRegions,
            },
        },
        data: { table: v.dataTable === "" ? undefined : v.dataTable, latencyAlarmMs: v.replicationLatencyAlarmMs },
        alarms: { subscriptions: v.alarmSubscriptions, runbookUrl: v.runbookUrl === "" ? undefined : v.runbookUrl },
    };
}

/** Builds the typed config from raw CLI values; throws one ConfigError listing every problem. */
export function parseConfig(raw: RawConfig, ctx: ConfigContext, extra: readonly string[] = []): StackConfig {
    try {
        return toStackConfig(parseValues(raw, ctx.project, ctx.stack, extra), ctx);
    } catch (err) {
        throw err instanceof ConfigError ? new ConfigError(err.problems, ctx.stack) : err;
    }
}

/** This project's keys from a flat `namespace:key` config map, without the namespace. */
export function projectValues(all: Readonly<Record<string, string>>, project: string): Record<string, string> {
    const prefix = `${project}:`;
    return Object.fromEntries(
        Object.entries(all).flatMap(([key, value]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), value]] : [])),
    );
}

/**
 * Builds the typed config from the flat `namespace:key` map the CLI hands a program: the
 * project's keys, plus a problem for each key in a namespace no package here reads.
 */
export function parseStackConfig(all: Readonly<Record<string, string>>, ctx: ConfigContext): StackConfig {
    return parseConfig(projectValues(all, ctx.project), ctx, foreignNamespaceProblems(all, ctx.project, KEYS));
}

/**
 * What is valid but needs a person's attention, one line each: an API open to the whole
 * internet outside prod, and a region the account must opt in to before the first `up`.
 */
export function configWarnings(config: StackConfig): string[] {
    const warnings: string[] = [];
    const api = isDeployedFleet(config.stack) ? undefined : publicApiWarning(config.project, config.cluster.publicAccessCidrs);
    if (api) warnings.push(api);
    if (COMMERCIAL_REGIONS[config.region]?.optIn) {
        warnings.push(
            `${config.project}:region: ${config.region} is an opt-in region: enable it once for account ${config.accountId} before the first up (aws account enable-region --region-name ${config.region}), https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html`,
        );
    }
    return warnings;
}

/** Reads this project's keys from the Pulumi runtime, parses them, and logs each warning. */
export function loadConfig(): StackConfig {
    const config = parseStackConfig(pulumi.runtime.allConfig(), { project: pulumi.getProject(), stack: pulumi.getStack() });
    for (const warning of configWarnings(config)) void pulumi.log.warn(warning);
    return config;
}
