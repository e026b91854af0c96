import { ConfigError } from "../config/parse";

/** Picks the first `count` zones, failing with a config error when the region has fewer. */
export function pickZones(project: string, region: string, available: string[], count: number): string[] {
    const sorted = [...available].sort();
    if (sorted.length < count) {
        throw new ConfigError([
            `${project}:azCount: got ${count}; allowed: at most ${sorted.length}, the zones ${region} offers without opt-in (${sorted.join(", ")})`,
        ]);
    }
    return sorted.slice(0, count);
}
