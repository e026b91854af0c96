/**
 * The apps' entry points as real processes: a busy port explained in one line.
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { closedPort, spawnRefusal } from "./support/servers";

/** Something else listening on `port`, on every interface as the apps do. */
async function occupy(port: number): Promise<net.Server> {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(port, "0.0.0.0", () => resolve(undefined)));
    return server;
}

describe("the entry points, as processes", function () {
    const cleanup: (() => unknown)[] = [];
    afterEach(async () => {
        await Promise.all(cleanup.splice(0).map((f) => f()));
    });

    for (const [app, setting] of [
        ["backend", "PORT"],
        ["frontend", "PORT"],
        ["frontend", "REDIRECT_PORT"],
    ] as const) {
        it(`${app}'s entry point explains a busy ${setting} in one line and exits 1`, async () => {
            const port = await closedPort();
            const busy = await occupy(port);
            cleanup.push(() => new Promise((r) => busy.close(r)));
            const env: Record<string, string> =
                setting === "PORT" ? { PORT: String(port) } : { PUBLIC_HOST: "app.example.com", REDIRECT_PORT: String(port) };
            assert.deepEqual(await spawnRefusal(app, env), {
                code: 1,
                stderr: `${app}: port ${port} is already in use; set ${setting} to a free port\n`,
            });
        });
    }
});
