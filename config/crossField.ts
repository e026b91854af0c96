/**
 * Rules that span several keys of one stack, each a named function over just the keys
 * it reads. A rule runs only when those keys are valid on their own, so a user sees
 * every independent problem at once and never one caused by another.
 */
import { zonesOf } from "../facts/awsData";
import { isApex, isInZone } from "../facts/dns";
import { accountOf } from "./rules";
import { endpointAccount } from "./subscriptions";
import type { ConfigKey, Values } from "./keys";

export interface CrossFieldRule {
    readonly keys: readonly ConfigKey[];
    /** The problem, prefixed with the project's namespace, or undefined. */
    check(values: Values, project: string): string | undefined;
}

function rule<K extends ConfigKey>(keys: K[], check: (v: Pick<Values, K>, project: string) => string | undefined): CrossFieldRule {
    return { keys, check };
}

/** Each principal gets one access entry, so it may appear in one place only. */
export const principalInOneList = rule(["deployRoleArn", "previewRoleArn", "adminPrincipalArns", "viewerPrincipalArns"], (v, p) => {
    const both = v.viewerPrincipalArns.filter((arn) => v.adminPrincipalArns.includes(arn) || arn === v.deployRoleArn);
    if (both.length > 0)
        return `${p}:viewerPrincipalArns: got ${JSON.stringify(both)}, also in adminPrincipalArns; allowed: each principal in one list`;
    if (v.previewRoleArn && (v.previewRoleArn === v.deployRoleArn || v.adminPrincipalArns.includes(v.previewRoleArn))) {
        return `${p}:previewRoleArn: got ${JSON.stringify(v.previewRoleArn)}, also an admin; allowed: a role that only previews`;
    }
    if (v.adminPrincipalArns.includes(v.deployRoleArn)) {
        return `${p}:adminPrincipalArns: got ${JSON.stringify(v.deployRoleArn)}, the deployRoleArn; allowed: other principals (the deploy role is an admin already)`;
    }
    if (v.previewRoleArn && v.viewerPrincipalArns.includes(v.previewRoleArn)) {
        return `${p}:viewerPrincipalArns: got ${JSON.stringify(v.previewRoleArn)}, the previewRoleArn; allowed: other principals (the preview role is a viewer already)`;
    }
    return undefined;
});

/** CI's roles act on this stack's account; a role from another account cannot be the one that deploys it. */
export const rolesInStackAccount = rule(["accountId", "deployRoleArn", "previewRoleArn"], (v, p) => {
    const wrong = (["deployRoleArn", "previewRoleArn"] as const).find((k) => v[k] && accountOf(v[k]) !== v.accountId);
    if (!wrong) return undefined;
    return `${p}:${wrong}: got ${JSON.stringify(v[wrong])}; allowed: a role in account ${v.accountId}, the accountId this stack deploys into`;
});

export const standbyWithinActive = rule(["activeReplicas", "standbyReplicas"], (v, p) => {
    if (v.standbyReplicas <= v.activeReplicas) return undefined;
    return `${p}:standbyReplicas: got ${v.standbyReplicas}; allowed: at most activeReplicas (${v.activeReplicas})`;
});

/** One region alone must carry the load after a failover, so the ceiling covers the active floor. */
export const maxCoversFloors = rule(["activeReplicas", "maxReplicas", "replicasOverride"], (v, p) => {
    const floor = Math.max(v.activeReplicas, v.replicasOverride);
    if (v.maxReplicas >= floor) return undefined;
    const what =
        v.replicasOverride > v.activeReplicas ? `replicasOverride (${v.replicasOverride})` : `activeReplicas (${v.activeReplicas})`;
    return `${p}:maxReplicas: got ${v.maxReplicas}; allowed: at least ${what}`;
});

/** Only checkable offline for a zone given by name; a zone id is checked after the lookup. */
export const recordInsideZone = rule(["hostedZone", "recordName"], (v, p) => {
    if (!("name" in v.hostedZone) || isInZone(v.recordName, v.hostedZone.name)) return undefined;
    return `${p}:recordName: got ${JSON.stringify(v.recordName)}; allowed: a name inside hostedZone ${JSON.stringify(v.hostedZone.name)}`;
});

/** The problem of a CNAME at a zone's apex, which Route 53 refuses; shared with the check after the zone lookup. */
export function cnameAtApex(project: string, recordName: string, zoneName: string): string {
    return `${project}:recordType: got "cname"; allowed: "alias" for recordName ${JSON.stringify(recordName)}, the apex of hosted zone ${JSON.stringify(zoneName)} (Route 53 allows no CNAME at a zone apex)`;
}

/** Checkable offline only for a zone given by name; a zone id is checked after the lookup. */
export const noCnameAtApex = rule(["hostedZone", "recordName", "recordType"], (v, p) => {
    if (v.recordType !== "cname" || !("name" in v.hostedZone) || !isApex(v.recordName, v.hostedZone.name)) return undefined;
    return cnameAtApex(p, v.recordName, v.hostedZone.name);
});

/**
 * A queue or function in another account would need its owner to confirm the subscription
 * (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html), and the stack's provider
 * may act in its own account only.
 */
export const subscribersInStackAccount = rule(["accountId", "alarmSubscriptions"], (v, p) => {
    const foreign = v.alarmSubscriptions.filter((s) => endpointAccount(s) !== undefined && endpointAccount(s) !== v.accountId);
    if (foreign.length === 0) return undefined;
    const got = foreign.map((s) => s.endpoint);
    return `${p}:alarmSubscriptions: got ${JSON.stringify(got.length === 1 ? got[0] : got)}; allowed: queues and functions in account ${v.accountId}, the accountId this stack deploys into`;
});

/** The region's own zone count; the program checks the account's real zones again before creating anything. */
export const azCountWithinRegion = rule(["region", "azCount"], (v, p) => {
    const zones = zonesOf(v.region) ?? [];
    if (v.azCount <= zones.length) return undefined;
    return `${p}:azCount: got ${v.azCount}; allowed: at most ${zones.length}, the zones ${v.region} has (${zones.join(", ")})`;
});

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
    azCountWithinRegion,
    principalInOneList,
    rolesInStackAccount,
    standbyWithinActive,
    maxCoversFloors,
    recordInsideZone,
    noCnameAtApex,
    subscribersInStackAccount,
];
