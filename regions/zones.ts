import { ConfigError } from "../config/parse";
import type { ConfigContext } from "../config/types";

/** Picks the first `count` zones, failing with a config error when this account's region has fewer. */
export function pickZones(ctx: ConfigContext, region: string, available: string[], count: number): string[] {
    const sorted = [...available].sort();
    if (sorted.length < count) {
        throw new ConfigError(
            [
                `${ctx.project}:azCount: got ${count}; allowed: at most ${sorted.length}, the zones ${region} offers this account (${sorted.join(", ")})`,
            ],
            ctx.stack,
        );
    }
    return sorted.slice(0, count);
}
