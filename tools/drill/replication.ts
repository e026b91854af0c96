/**
 * The data's half of the drill (#19): how long a write acknowledged by the active region's
 * replica takes to show in the standby's. Global tables replicate asynchronously, so this lag
 * is what a region loss can lose (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html).
 * It writes one drill-only item, never the page's counter, and never fails the drill: a fleet
 * without its table gets UNKNOWN and the DNS drill goes on.
 */
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DATA_TABLE } from "../../facts/workload";
import { Io } from "../cli";
import { Pair } from "./pair";
import { credentialsFrom } from "./route53";

/** How often the standby's replica is read, and for how long at most. */
export interface ReplicationSettings {
    readonly pollMs: number;
    readonly timeoutSeconds: number;
}

export interface Replication {
    readonly table: string;
    readonly item: string;
    /** The active region, written through, and the standby's, read. */
    readonly from: string;
    readonly to: string;
    readonly outcome: "measured" | "no-table" | "timeout" | "error";
    readonly lagMs: number | null;
    readonly message: string;
}

/**
 * A DynamoDB client for one region. DRILL_DYNAMODB_ENDPOINTS (`region=url,...`) exists for tests,
 * whose two loopback stores stand for two regions; the SDK's AWS_ENDPOINT_URL_DYNAMODB would
 * send both regions to one.
 */
function client(env: Io["env"], region: string): DynamoDBClient {
    const endpoints = new Map((env.DRILL_DYNAMODB_ENDPOINTS ?? "").split(",").map((e) => e.split("=", 2) as [string, string]));
    return new DynamoDBClient({
        region,
        endpoint: endpoints.get(region),
        // A hung call must not stall the drill; the SDK waits forever by default.
        requestHandler: { connectionTimeout: 5000, requestTimeout: 10_000 },
        credentials: credentialsFrom(env),
    });
}

/** The counter of `item` in `region`'s replica, or undefined while it has none (eventually consistent, as the backend reads). */
async function read(c: DynamoDBClient, table: string, item: string): Promise<number | undefined> {
    const out = await c.send(new GetItemCommand({ TableName: table, Key: { [DATA_TABLE.hashKey]: { S: item } } }));
    const n = out.Item?.[DATA_TABLE.counter]?.N;
    return n === undefined ? undefined : Number(n);
}

/** The table's name, the drill item's key and the two regions: what --dry-run prints and a run uses. */
export function replicationTarget(pair: Pair, at: number) {
    return {
        table: pair.table ?? "",
        item: `drill:${new Date(at).toISOString()}`,
        from: pair.primary.region,
        to: pair.standby.region,
    };
}

/** Writes through the active region (ADD, as the backend counts), then polls the standby's replica until it shows the write. */
export async function measureReplication(pair: Pair, io: Io, settings: ReplicationSettings): Promise<Replication> {
    const target = replicationTarget(pair, io.now());
    const { table, item, from, to } = target;
    const result = (outcome: Replication["outcome"], lagMs: number | null, message: string): Replication => ({
        ...target,
        outcome,
        lagMs,
        message,
    });
    if (pair.table === undefined) return result("no-table", null, "the fleet's stack files name no dataTable");
    const [active, standby] = [client(io.env, from), client(io.env, to)];
    try {
        const out = await active.send(
            new UpdateItemCommand({
                TableName: table,
                Key: { [DATA_TABLE.hashKey]: { S: item } },
                UpdateExpression: "ADD #c :one",
                ExpressionAttributeNames: { "#c": DATA_TABLE.counter },
                ExpressionAttributeValues: { ":one": { N: "1" } },
                ReturnValues: "UPDATED_NEW",
            }),
        );
        const written = io.now();
        const value = Number(out.Attributes?.[DATA_TABLE.counter]?.N);
        for (;;) {
            const seen = await read(standby, table, item);
            const lag = io.now() - written;
            if (seen !== undefined && seen >= value) return result("measured", lag, `${to}'s replica showed it after ${lag} ms`);
            if (lag >= settings.timeoutSeconds * 1000) {
                return result("timeout", null, `${to}'s replica did not show it within ${settings.timeoutSeconds} s`);
            }
            await io.sleep(settings.pollMs);
        }
    } catch (err) {
        const name = err instanceof Error ? err.name : "Error";
        const message = err instanceof Error ? err.message : String(err);
        if (name === "ResourceNotFoundException") return result("no-table", null, `table ${table} does not exist in ${from} or ${to}`);
        return result("error", null, `${name}: ${message}`);
    } finally {
        active.destroy();
        standby.destroy();
    }
}

/** The line the drill prints: the lag, or UNKNOWN and why. */
export function describeReplication(r: Replication): string {
    const where = `a write to ${r.table} through ${r.from}, read in ${r.to}`;
    return r.lagMs === null
        ? `replication lag UNKNOWN (${r.outcome}): ${r.message}; skipped`
        : `replication lag ${(r.lagMs / 1000).toFixed(1)} s: ${where} (item ${r.item})`;
}
