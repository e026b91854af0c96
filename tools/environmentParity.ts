/**
 * Parity across environments: `stage-<region>` against `prod-<region>`, key by key. They may
 * differ only in the keys config/keys.ts marks PER_ENVIRONMENT (account, sizes, CIDRs, names,
 * the switchover's state); any other difference would reach prod without having run in stage.
 * The rehearsal fleet (`ci`) is not compared: it is a throwaway copy sized for cost, whose
 * account and names the nightly sets.
 */
import { CONFIG_KEYS, ConfigKey, DEPLOY_FLEETS, fleetOf, PER_ENVIRONMENT } from "../config";

/** A stack's flat config, `<project>:<key>` to its string, defaults filled in, as the CLI passes it. */
export type FlatConfig = Record<string, string>;

/** One compared key of a pair. */
export interface KeyVerdict {
    readonly key: ConfigKey;
    readonly earlier: string | undefined;
    readonly later: string | undefined;
    /** Why it may differ, for a per-environment key. */
    readonly perEnvironment?: string;
    readonly ok: boolean;
}

/** The region suffix pairs stacks across environments: `stage-us` goes with `prod-us`. */
export function regionSuffix(stack: string): string {
    return stack.slice(fleetOf(stack).length + 1);
}

/** Every key of the two stacks, with whether a difference is allowed. */
export function compareEnvironments(project: string, earlier: FlatConfig, later: FlatConfig): KeyVerdict[] {
    return (Object.keys(CONFIG_KEYS) as ConfigKey[]).map((key) => {
        const [a, b] = [earlier[`${project}:${key}`], later[`${project}:${key}`]];
        const perEnvironment = PER_ENVIRONMENT[key];
        return { key, earlier: a, later: b, ...(perEnvironment ? { perEnvironment } : {}), ok: a === b || perEnvironment !== undefined };
    });
}

/** The pairs to compare: each stack of an earlier deploy fleet with the next fleet's stack of the same region suffix. */
export function environmentPairs(stacks: readonly string[]): { pairs: [string, string][]; unpaired: string[] } {
    const pairs: [string, string][] = [];
    const unpaired: string[] = [];
    for (const [i, fleet] of DEPLOY_FLEETS.entries()) {
        const next = DEPLOY_FLEETS[i + 1];
        if (next === undefined) break;
        const ours = stacks.filter((s) => fleetOf(s) === fleet);
        const theirs = stacks.filter((s) => fleetOf(s) === next);
        for (const s of ours) {
            const match = theirs.find((t) => regionSuffix(t) === regionSuffix(s));
            if (match) pairs.push([s, match]);
            else unpaired.push(s);
        }
        unpaired.push(...theirs.filter((t) => !ours.some((s) => regionSuffix(s) === regionSuffix(t))));
    }
    return { pairs, unpaired };
}

const shown = (v: string | undefined) => (v === undefined ? "(unset)" : v);

/** The report: per pair, each key that differs with its verdict, then the keys that held. */
export function environmentReport(project: string, configs: Readonly<Record<string, FlatConfig>>): { ok: boolean; lines: string[] } {
    const { pairs, unpaired } = environmentPairs(Object.keys(configs));
    const lines: string[] = [];
    let ok = true;
    for (const stack of unpaired) {
        ok = false;
        lines.push(
            `${stack} has no counterpart of the same region suffix in ${DEPLOY_FLEETS.join(" and ")}: every region goes through each environment`,
        );
    }
    for (const [earlier, later] of pairs) {
        const verdicts = compareEnvironments(project, configs[earlier]!, configs[later]!);
        const wrong = verdicts.filter((v) => !v.ok);
        ok &&= wrong.length === 0;
        lines.push(
            `${later} against ${earlier}: ${wrong.length === 0 ? "only per-environment keys differ" : `${wrong.length} key(s) differ that must not`}`,
        );
        for (const v of verdicts.filter((x) => x.earlier !== x.later)) {
            const verdict = v.ok
                ? `allowed, per environment: ${v.perEnvironment}`
                : "must be the same: change both files in one pull request";
            lines.push(`  ${v.key}: ${shown(v.earlier)} in ${earlier}, ${shown(v.later)} in ${later}: ${verdict}`);
        }
        const same = verdicts.filter((v) => v.earlier === v.later).map((v) => v.key);
        lines.push(`  the same in both: ${same.join(", ")}`);
    }
    return { ok, lines };
}
