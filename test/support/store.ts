/**
 * The backend's data store on loopback for tests: dynalite (an in-memory DynamoDB) reached with
 * the real AWS SDK, and stores that fail on purpose: throttling, silent, or not there at all.
 */
import * as http from "node:http";
import { createRequire } from "node:module";
import * as net from "node:net";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { localTableDefinition } from "../../services/backend/store.mjs";
import { DATA_TABLE } from "../../facts/workload";
import { Fake, fakeBackend } from "./servers";

// Node 20 runs the tests in some places; the SDK would warn once per process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** dynalite's factory (it ships no types): an http.Server that speaks DynamoDB's API. */
const dynalite = createRequire(__filename)("dynalite") as (options: { createTableMs?: number }) => http.Server;

const CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export interface LocalStore {
    readonly endpoint: string;
    readonly client: DynamoDBClient;
    /** A table keyed as the fleet's is (facts/workload.ts). */
    createTable(name: string): Promise<void>;
    /** The item's counter, or undefined when there is no such item. */
    visits(table: string, page: string): Promise<number | undefined>;
    /** Writes the item's counter, as replication would. */
    putVisits(table: string, page: string, visits: number): Promise<void>;
    close(): Promise<void>;
}

/** dynalite on a free loopback port, tables ready at once. */
export async function startDynalite(): Promise<LocalStore> {
    const server = dynalite({ createTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const client = new DynamoDBClient({ region: "local", endpoint, credentials: CREDENTIALS });
    const key = (page: string) => ({ [DATA_TABLE.hashKey]: { S: page } });
    return {
        endpoint,
        client,
        createTable: async (name) => {
            await client.send(new CreateTableCommand(localTableDefinition(name)));
        },
        visits: async (table, page) => {
            const out = await client.send(new GetItemCommand({ TableName: table, Key: key(page), ConsistentRead: true }));
            const n = out.Item?.[DATA_TABLE.counter]?.N;
            return n === undefined ? undefined : Number(n);
        },
        putVisits: async (table, page, visits) => {
            await client.send(
                new PutItemCommand({ TableName: table, Item: { ...key(page), [DATA_TABLE.counter]: { N: String(visits) } } }),
            );
        },
        close: async () => {
            client.destroy();
            await new Promise((resolve) => server.close(resolve));
        },
    };
}

/**
 * A store that throttles every call as DynamoDB does: HTTP 400 with the error's type in the JSON
 * body (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 */
export function throttlingStore(): Promise<Fake & { calls(): number }> {
    let calls = 0;
    return fakeBackend((req: http.IncomingMessage, res: http.ServerResponse) => {
        calls++;
        req.resume();
        req.on("end", () => {
            res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
            res.end(
                JSON.stringify({
                    __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    message: "The level of configured provisioned throughput for the table was exceeded.",
                }),
            );
        });
    }).then((fake) => Object.assign(fake, { calls: () => calls }));
}

/** A store that accepts connections and never answers. */
export function silentStore(): Promise<Fake> {
    return fakeBackend(() => {});
}

/** The count the page shows, or undefined when it shows none. */
export function shownVisits(html: string): number | undefined {
    const m = /<strong id="visits">(\d+)<\/strong>/.exec(html);
    return m ? Number(m[1]) : undefined;
}
