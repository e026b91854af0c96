/**
 * The fleet's table for a drill test: one dynalite per region, reached by the drill through the
 * real SDK, and replication simulated on the drill's clock: a drill item written to the
 * primary's store appears in the standby's `lagMs` after the time in its key, checked each time
 * the drill sleeps, so the measured lag is exact to one poll.
 */
import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { DATA_TABLE } from "../../facts/workload";
import { loadStack } from "../../tools/stacks";
import type { World } from "./drillWorld";
import { LocalStore, startDynalite } from "./store";

/** The prod fleet's dataTable, as its stack files name it. */
export const DRILL_TABLE = loadStack("prod-us").data.table!;
/** The prod fleet's regions in the stack files: prod-us is the PRIMARY. */
export const REGIONS = { primary: "us-east-2", standby: "eu-west-1" };

export interface Replicas {
    readonly primary: LocalStore;
    readonly standby: LocalStore;
    /** The drill items in a store: key and counter. */
    items(store: LocalStore): Promise<[string, number][]>;
    close(): Promise<void>;
}

/** Two stores wired into `world`'s env; with `table`, the fleet's table in both. */
export async function startReplicas(world: World, options: { table: boolean; lagMs: number }): Promise<Replicas> {
    const [primary, standby] = [await startDynalite(), await startDynalite()];
    if (options.table) await Promise.all([primary.createTable(DRILL_TABLE), standby.createTable(DRILL_TABLE)]);
    const io = world.io as { env: Record<string, string | undefined>; sleep: (ms: number) => Promise<void> };
    io.env.DRILL_DYNAMODB_ENDPOINTS = `${REGIONS.primary}=${primary.endpoint},${REGIONS.standby}=${standby.endpoint}`;
    const items = async (store: LocalStore): Promise<[string, number][]> => {
        if (!options.table) return [];
        const out = await store.client.send(new ScanCommand({ TableName: DRILL_TABLE }));
        return (out.Items ?? []).map((i) => [i[DATA_TABLE.hashKey]!.S!, Number(i[DATA_TABLE.counter]!.N)]);
    };
    // Replicated on the drill's sleeps; close() waits for a copy under way, so no call reaches a closed store.
    let copying: Promise<void> = Promise.resolve();
    let closed = false;
    const replicate = async () => {
        for (const [key, visits] of await items(primary)) {
            if (Date.parse(key.slice("drill:".length)) + options.lagMs <= world.io.now()) await standby.putVisits(DRILL_TABLE, key, visits);
        }
    };
    const sleep = io.sleep;
    io.sleep = async (ms) => {
        await sleep(ms);
        if (!closed) await (copying = copying.then(replicate));
    };
    return {
        primary,
        standby,
        items,
        close: async () => {
            closed = true;
            await copying;
            await Promise.all([primary.close(), standby.close()]);
        },
    };
}
