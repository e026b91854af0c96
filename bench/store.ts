/**
 * The page with the table (#19) for `npm run bench`: dynalite, the store `npm start` runs, in a
 * process of its own on loopback (as DynamoDB would be a service of its own), with the table made
 * as the fleet's is keyed; the backend counts a visit in it on every page.
 */
import { spawn } from "node:child_process";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localTableDefinition } from "../services/backend/store.mjs";

const TABLE = "bench-data";

/** Creates the table once dynalite answers; it takes a moment to listen. */
async function createTable(endpoint: string): Promise<void> {
    const client = new DynamoDBClient({ region: "local", endpoint, credentials: { accessKeyId: "bench", secretAccessKey: "bench" } });
    try {
        for (let attempt = 1; ; attempt++) {
            try {
                await client.send(new CreateTableCommand(localTableDefinition(TABLE)));
                return;
            } catch (err) {
                if (attempt >= 50) throw err;
                await new Promise((r) => setTimeout(r, 100));
            }
        }
    } finally {
        client.destroy();
    }
}

/** Runs `measure` with the backend's environment for the table on dynalite at `port`; stops dynalite after. */
export async function withLocalTable<T>(port: number, measure: (env: Record<string, string>) => Promise<T>): Promise<T> {
    const cli = require.resolve("dynalite/cli.js");
    const store = spawn(process.execPath, [cli, "--host", "127.0.0.1", "--port", String(port), "--createTableMs", "0"], {
        stdio: "ignore",
    });
    const endpoint = `http://127.0.0.1:${port}`;
    try {
        await createTable(endpoint);
        return await measure({ TABLE_NAME: TABLE, DYNAMODB_ENDPOINT: endpoint });
    } finally {
        store.kill("SIGKILL");
    }
}
