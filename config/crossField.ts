/**
 * Rules that span several keys of one stack, each a named function over just the keys
 * it reads. A rule runs only when those keys are valid on their own, so a user sees
 * every independent problem at once and never one caused by another.
 */
import { zonesOf } from "../regions/awsData";
import { isInZone } from "./dns";
import type { ConfigKey, Values } from "./keys";

export interface CrossFieldRule {
    readonly keys: readonly ConfigKey[];
    /** The problem, prefixed with the project's namespace, or undefined. */
    check(values: Values, project: string): string | undefined;
}

function rule<K extends ConfigKey>(keys: K[], check: (v: Pick<Values, K>, project: string) => string | undefined): CrossFieldRule {
    return { keys, check };
}

export const principalInOneList = rule(["adminPrincipalArns", "viewerPrincipalArns"], (v, p) => {
    const both = v.adminPrincipalArns.filter((arn) => v.viewerPrincipalArns.includes(arn));
    if (both.length === 0) return undefined;
    return `${p}:viewerPrincipalArns: got ${JSON.stringify(both)}, also in adminPrincipalArns; allowed: each principal in one list`;
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

/** The region's own zone count; the program checks the account's real zones again before creating anything. */
export const azCountWithinRegion = rule(["region", "azCount"], (v, p) => {
    const zones = zonesOf(v.region) ?? [];
    if (v.azCount <= zones.length) return undefined;
    return `${p}:azCount: got ${v.azCount}; allowed: at most ${zones.length}, the zones ${v.region} has (${zones.join(", ")})`;
});

export const CROSS_FIELD_RULES: readonly CrossFieldRule[] = [
    azCountWithinRegion,
    principalInOneList,
    standbyWithinActive,
    maxCoversFloors,
    recordInsideZone,
];
