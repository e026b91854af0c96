/**
 * `npm start` (services/local.mjs) and the apps' entry points as real processes: ports from
 * the environment, a clean stop on SIGINT, and a busy port explained in one line.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { ROOT } from "../tools/stackConfig";
import { closedPort, request, spawnRefusal } from "./support/servers";

interface Run {
    readonly process: ChildProcess;
    /** JSON log lines on stdout. */
    readonly logs: Record<string, unknown>[];
    stdout(): string;
    stderr(): string;
    readonly exited: Promise<number | null>;
}

function runLocal(env: Record<string, string>): Run {
    const child = spawn(process.execPath, [path.join(ROOT, "services", "local.mjs")], {
        env: { ...process.env, LOG_LEVEL: "info", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const logs: Record<string, unknown>[] = [];
    child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const lines = stdout.split("\n");
        logs.splice(0, logs.length, ...lines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>));
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    return { process: child, logs, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Something else listening on `port`, on every interface as the apps do. */
async function occupy(port: number): Promise<net.Server> {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(port, "0.0.0.0", () => resolve(undefined)));
    return server;
}

describe("npm start and the entry points, as processes", function () {
    const cleanup: (() => unknown)[] = [];
    afterEach(async () => {
        await Promise.all(cleanup.splice(0).map((f) => f()));
    });

    it("serves the page on PORT with the backend on BACKEND_PORT, and stops both with exit code 0 on SIGINT", async () => {
        const [port, backendPort] = [await closedPort(), await closedPort()];
        const run = runLocal({ PORT: String(port), BACKEND_PORT: String(backendPort) });
        cleanup.push(() => run.process.kill("SIGKILL"));
        for (let i = 0; i < 200 && run.logs.filter((l) => l.msg === "listening").length < 2; i++) {
            await new Promise((r) => setTimeout(r, 20));
        }
        const listening = run.logs.filter((l) => l.msg === "listening").map((l) => [l.service, l.port]);
        assert.deepEqual(listening.sort(), [
            ["backend", backendPort],
            ["frontend", port],
        ]);
        const page = await request(`http://127.0.0.1:${port}/`);
        assert.equal(page.status, 200);
        assert.match(page.body, /<h1>Hello from backend microservice<\/h1>/);
        assert.equal(JSON.parse((await request(`http://127.0.0.1:${backendPort}/`)).body).text, "backend microservice");

        run.process.kill("SIGINT");
        assert.equal(await run.exited, 0);
        assert.deepEqual(
            run.logs
                .filter((l) => l.msg === "stopped")
                .map((l) => l.service)
                .sort(),
            ["backend", "frontend"],
        );
        assert.equal(run.stderr(), "");
    });

    for (const [setting, service] of [
        ["PORT", "frontend"],
        ["BACKEND_PORT", "backend"],
    ] as const) {
        it(`explains a busy ${setting} in one line, starts nothing and exits 1`, async () => {
            const [port, backendPort] = [await closedPort(), await closedPort()];
            const busy = await occupy(setting === "PORT" ? port : backendPort);
            cleanup.push(() => new Promise((r) => busy.close(r)));
            const run = runLocal({ PORT: String(port), BACKEND_PORT: String(backendPort) });
            assert.equal(await run.exited, 1);
            const taken = setting === "PORT" ? port : backendPort;
            assert.equal(run.stderr(), `${service}: port ${taken} is already in use; set ${setting} to a free port\n`);
            assert.equal(run.stdout(), "");
        });
    }

    it("refuses a malformed or clashing port in one line with exit code 2", async () => {
        const bad = runLocal({ PORT: "http" });
        assert.equal(await bad.exited, 2);
        assert.equal(bad.stderr(), 'npm start: invalid PORT="http": expected an integer from 1 to 65535\n');
        const same = runLocal({ PORT: "8090", BACKEND_PORT: "8090" });
        assert.equal(await same.exited, 2);
        assert.equal(same.stderr(), "npm start: PORT=8090 and BACKEND_PORT=8090 must differ\n");
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
