// `npm start`: the backend and the frontend wired together as in the cluster, the frontend on
// PORT (8080) and the backend on BACKEND_PORT (8081), the backend counting visits in a DynamoDB
// table that dynalite (a devDependency) serves in this process, on a free loopback port. Open
// http://localhost:8080. Ctrl-C, or SIGTERM to npm or to this process, stops both, gracefully,
// then the store; the exit code is 0 only if both stopped cleanly.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { localTableDefinition } from "./backend/store.mjs";
import { BACKEND_SETTINGS, FRONTEND_SETTINGS } from "./shared/environment.mjs";
import { integer, ListenError, main, readSettings, StartupError } from "./shared/settings.mjs";

const LOCAL_SETTINGS = {
    PORT: integer("The frontend's port.", 8080, 1, 65535),
    BACKEND_PORT: integer("The backend's port.", 8081, 1, 65535),
    STORE_TIMEOUT_MS: BACKEND_SETTINGS.STORE_TIMEOUT_MS,
    HEALTH_TIMEOUT_MS: FRONTEND_SETTINGS.HEALTH_TIMEOUT_MS,
};

/** The local table; the store lives and dies with this process. */
const LOCAL_TABLE = "sample-app-local-data";

/** @type {import("./shared/settings.mjs").Check<typeof LOCAL_SETTINGS>[]} */
const LOCAL_CHECKS = [
    function portsDiffer(s) {
        return s.PORT === s.BACKEND_PORT ? `PORT=${s.PORT} and BACKEND_PORT=${s.BACKEND_PORT} must differ` : undefined;
    },
    // Here both apps' settings meet: the backend must give up on its store before the frontend gives up on the backend.
    function storeWithinHealth(s) {
        return s.STORE_TIMEOUT_MS >= s.HEALTH_TIMEOUT_MS
            ? `STORE_TIMEOUT_MS=${s.STORE_TIMEOUT_MS} must be under HEALTH_TIMEOUT_MS=${s.HEALTH_TIMEOUT_MS}: the deep check would time out before the backend reports its store`
            : undefined;
    },
];

/**
 * dynalite on a free loopback port, in memory, with the table the backend counts in (key
 * `page`, on-demand, as in the cluster); resolves with its endpoint and how to close it.
 */
async function startStore() {
    /** @type {(options: { createTableMs: number }) => import("node:http").Server} */
    let dynalite;
    try {
        /** @type {unknown} */
        const loaded = createRequire(import.meta.url)("dynalite");
        dynalite = /** @type {typeof dynalite} */ (loaded);
    } catch {
        throw new StartupError("the local data store, dynalite, is not installed; run npm ci (it is a devDependency)", 1);
    }
    const server = dynalite({ createTableMs: 0 });
    await new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve(undefined));
    });
    const endpoint = `http://127.0.0.1:${/** @type {import("node:net").AddressInfo} */ (server.address()).port}`;
    const { CreateTableCommand, DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const client = new DynamoDBClient({ region: "local", endpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    await client.send(new CreateTableCommand(localTableDefinition(LOCAL_TABLE)));
    client.destroy();
    return { endpoint, close: () => new Promise((resolve) => server.close(() => resolve(undefined))) };
}

/**
 * Fails with a one-line explanation, naming our variable for it, if `port` is taken; the
 * child's own message would name PORT, which for the backend is not what to change here.
 * @param {string} service
 * @param {number} port
 * @param {string} setting
 */
async function ensureFree(service, port, setting) {
    const probe = createServer();
    await new Promise((resolve, reject) => {
        probe.once("error", (/** @type {NodeJS.ErrnoException} */ err) => reject(new ListenError(setting, port, err.code, service)));
        probe.listen(port, "0.0.0.0", () => resolve(undefined));
    });
    await new Promise((resolve) => probe.close(() => resolve(undefined)));
}

/** How often the parent is checked; a stop after npm was killed takes at most this long to begin. */
const ORPHAN_CHECK_MS = 250;

const here = (/** @type {string} */ file) => fileURLToPath(new URL(file, import.meta.url));

await main("npm start", async () => {
    const { PORT, BACKEND_PORT } = readSettings(process.env, LOCAL_SETTINGS, LOCAL_CHECKS);
    await ensureFree("backend", BACKEND_PORT, "BACKEND_PORT");
    await ensureFree("frontend", PORT, "PORT");
    const store = await startStore();

    const common = { REGION: process.env.REGION ?? "local", DRAIN_MS: "0" };
    const children = [
        spawn(process.execPath, [here("./backend/server.mjs")], {
            env: { ...process.env, ...common, PORT: String(BACKEND_PORT), TABLE_NAME: LOCAL_TABLE, DYNAMODB_ENDPOINT: store.endpoint },
            stdio: "inherit",
        }),
        spawn(process.execPath, [here("./frontend/server.mjs")], {
            env: { ...process.env, ...common, PORT: String(PORT), BACKEND_URL: `http://127.0.0.1:${BACKEND_PORT}` },
            stdio: "inherit",
        }),
    ];

    let stopping = false;
    let died = false;
    const stop = () => {
        stopping = true;
        for (const child of children) child.kill("SIGTERM");
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    // `npm start` runs this under `sh -c`, and a SIGTERM to npm ends npm and the shell without
    // reaching this process (seen with npm 11), which the init process then adopts. A new parent
    // means whoever started us is gone: stop as for SIGTERM, rather than serve on unowned.
    const parent = process.ppid;
    const orphaned = setInterval(() => {
        if (process.ppid !== parent) {
            clearInterval(orphaned);
            stop();
        }
    }, ORPHAN_CHECK_MS);
    const codes = await Promise.all(
        children.map(
            (child) =>
                new Promise((resolve) =>
                    child.on("exit", (code) => {
                        // One app dying takes the other down, so the page never half-works.
                        if (!stopping) {
                            console.error(`${child.spawnargs[1]} exited with ${code}; stopping`);
                            died = true;
                            stop();
                        }
                        resolve(code);
                    }),
                ),
        ),
    );
    clearInterval(orphaned);
    await store.close();
    process.exitCode = !died && codes.every((code) => code === 0) ? 0 : 1;
});
