/**
 * `npm start` (services/local.mjs) and the apps' entry points as real processes: ports from
 * the environment, a clean stop on SIGINT and SIGTERM (to npm too), and a busy port explained in one line.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import { HSTS } from "../services/shared/edge.mjs";
import { dnsName } from "../services/shared/settings.mjs";
import { shownVisits } from "./support/store";
import { closedPort, rawClients, request, sleep, spawnRefusal, spawnService } from "./support/servers";

interface Run {
    readonly process: ChildProcess;
    /** JSON log lines on stdout. */
    readonly logs: Record<string, unknown>[];
    stdout(): string;
    stderr(): string;
    readonly exited: Promise<number | null>;
}

function runLocal(env: Record<string, string>): Run {
    const child = spawn(process.execPath, [path.join(__dirname, "..", "services", "local.mjs")], {
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
    const { connect, cleanup: closeClients } = rawClients();
    afterEach(async () => {
        closeClients();
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
        assert.equal(shownVisits(page.body), 1, "the count, from the store npm start runs");
        const json = JSON.parse((await request(`http://127.0.0.1:${backendPort}/`)).body);
        assert.deepEqual(json, { text: "backend microservice", region: "local", visits: 2 });

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

    /** True while something accepts connections on `port`. */
    function listening(port: number): Promise<boolean> {
        return new Promise((resolve) => {
            const socket = net.connect(port, "127.0.0.1");
            socket.once("connect", () => {
                socket.destroy();
                resolve(true);
            });
            socket.once("error", () => resolve(false));
        });
    }

    /** Polls until both ports are `open` (or not), for at most `ms`; resolves with whether they got there. */
    async function portsBecome(ports: number[], open: boolean, ms: number): Promise<boolean> {
        for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
            const states = await Promise.all(ports.map(listening));
            if (states.every((s) => s === open)) return true;
        }
        return false;
    }

    for (const target of ["npm start", "services/local.mjs"] as const) {
        it(`closes both ports when ${target}'s own process gets SIGTERM`, async function () {
            this.timeout(30_000);
            const ports = [await closedPort(), await closedPort()];
            const env = { ...process.env, PORT: String(ports[0]), BACKEND_PORT: String(ports[1]), LOG_LEVEL: "warn" };
            // Its own process group, so that whatever happens, cleanup can stop every process in it.
            const child =
                target === "npm start"
                    ? spawn("npm", ["start"], { cwd: path.join(__dirname, ".."), env, stdio: "ignore", detached: true })
                    : spawn(process.execPath, [path.join(__dirname, "..", "services", "local.mjs")], {
                          env,
                          stdio: "ignore",
                          detached: true,
                      });
            cleanup.push(() => {
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // already gone
                }
            });
            assert.ok(await portsBecome(ports, true, 15_000), "both apps listen");
            child.kill("SIGTERM");
            assert.ok(await portsBecome(ports, false, 5_000), `both ports closed after SIGTERM to ${target}`);
        });
    }

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
        const late = runLocal({ STORE_TIMEOUT_MS: "1200", HEALTH_TIMEOUT_MS: "1200" });
        assert.equal(await late.exited, 2);
        assert.match(
            late.stderr(),
            /^npm start: STORE_TIMEOUT_MS=1200 must be under HEALTH_TIMEOUT_MS=1200: the deep check would time out/,
        );
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

    describe("entry points", () => {
        const refusals: ["backend" | "frontend", Record<string, string>, string][] = [
            ["backend", { LOG_LEVEL: "verbose" }, 'invalid LOG_LEVEL="verbose": expected one of debug, info, warn, error'],
            ["backend", { REGION: "EU West" }, 'invalid REGION="EU West": expected 1-32 lower-case letters, digits and hyphens'],
            ["backend", { DRAIN_MS: "700000" }, 'invalid DRAIN_MS="700000": expected an integer from 0 to 600000 (ms)'],
            ["frontend", { BACKEND_URL: "ftp://backend" }, 'invalid BACKEND_URL="ftp://backend": expected an http:// or https:// URL'],
            ["frontend", { HEALTH_TIMEOUT_MS: "2000" }, 'invalid HEALTH_TIMEOUT_MS="2000": expected an integer from 1 to 1900 (ms)'],
            ["backend", { HEADERS_TIMEOUT_S: "0" }, 'invalid HEADERS_TIMEOUT_S="0": expected an integer from 1 to 60 (seconds)'],
            ["backend", { REQUEST_TIMEOUT_S: "30s" }, 'invalid REQUEST_TIMEOUT_S="30s": expected an integer from 1 to 300 (seconds)'],
            ["frontend", { KEEPALIVE_TIMEOUT_S: "350" }, 'invalid KEEPALIVE_TIMEOUT_S="350": expected an integer from 1 to 300 (seconds)'],
            ["frontend", { MAX_CONNECTIONS: "-1" }, 'invalid MAX_CONNECTIONS="-1": expected an integer from 1 to 65536'],
            [
                "backend",
                { HEADERS_TIMEOUT_S: "40", REQUEST_TIMEOUT_S: "30" },
                "HEADERS_TIMEOUT_S=40 must not exceed REQUEST_TIMEOUT_S=30: the headers are part of the request",
            ],
            [
                "frontend",
                { PUBLIC_HOST: "https://app.example.com" },
                'invalid PUBLIC_HOST="https://app.example.com": expected a DNS name such as app.example.com',
            ],
            ["frontend", { REDIRECT_PORT: "8081" }, "REDIRECT_PORT=8081 needs PUBLIC_HOST, the only host it may redirect to"],
            [
                "frontend",
                { REDIRECT_PORT: "8080", PORT: "8080", PUBLIC_HOST: "app.example.com" },
                "REDIRECT_PORT=8080 must differ from PORT=8080",
            ],
        ];
        for (const [app, env, message] of refusals) {
            it(`${app} refuses ${Object.entries(env)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")} in one line, exit code 2, no stack trace`, async () => {
                assert.deepEqual(await spawnRefusal(app, env), { code: 2, stderr: `${app}: ${message}\n` });
            });
        }

        it("starts with the environment the Kubernetes side gives each app", async () => {
            // services/sampleApp.ts: the frontend drains 20 s for the NLB; ports 0 here, 8080 and 8081 there.
            const env = {
                backend: { PORT: "0", DRAIN_MS: "5000", REGION: "us-east-2" },
                frontend: {
                    PORT: "0",
                    DRAIN_MS: "20000",
                    REGION: "us-east-2",
                    BACKEND_URL: "http://sample-app-backend-service",
                    REDIRECT_PORT: "0",
                    PUBLIC_HOST: "app.example.com",
                },
            };
            for (const app of ["backend", "frontend"] as const) {
                const child = await spawnService(app, env[app]);
                child.process.kill("SIGKILL");
                assert.equal(child.logs.find((l) => l.msg === "listening")?.service, app);
            }
        });

        it("takes its limits, PUBLIC_HOST and REDIRECT_PORT from the environment", async () => {
            const frontend = await spawnService("frontend", {
                DRAIN_MS: "0",
                BACKEND_URL: "http://127.0.0.1:9",
                HEADERS_TIMEOUT_S: "2",
                REQUEST_TIMEOUT_S: "3",
                KEEPALIVE_TIMEOUT_S: "4",
                MAX_CONNECTIONS: "1",
                PUBLIC_HOST: "App.Example.com",
                REDIRECT_PORT: "0",
            });
            try {
                const listening = frontend.logs.find((l) => l.msg === "listening")!;
                assert.deepEqual(
                    [listening.headersTimeoutMs, listening.requestTimeoutMs, listening.keepAliveTimeoutMs, listening.maxConnections],
                    [2000, 3000, 4000, 1],
                );
                const hold = await connect(frontend.url);
                hold.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
                for (let i = 0; i < 50 && !hold.received(); i++) await sleep(10);
                assert.equal(hold.received().match(/^HTTP\/1\.1 200 OK[^]*\r\nstrict-transport-security: ([^\r]+)\r\n/i)?.[1], HSTS);
                assert.equal((await request(`${frontend.redirectUrl!}/x`)).status, 503, "MAX_CONNECTIONS=1 is held, for both ports");
                hold.socket.end();
                await hold.closed;
                let redirect = await request(`${frontend.redirectUrl!}/x`);
                for (let i = 0; i < 50 && redirect.status === 503; i++) {
                    await sleep(10);
                    redirect = await request(`${frontend.redirectUrl!}/x`);
                }
                assert.equal(redirect.status, 308);
                assert.equal(redirect.headers.location, "https://app.example.com/x", "PUBLIC_HOST is lower-cased");
            } finally {
                frontend.process.kill("SIGTERM");
            }
            assert.equal(await frontend.exited, 0);
        });

        const names: [string, string | undefined][] = [
            ["app.example.com", "app.example.com"],
            ["App.Example.COM", "app.example.com"],
            ["a-b.c.example", "a-b.c.example"],
            ["localhost", undefined],
            ["app.example.com.", "app.example.com"],
            ["app.example.com..", undefined],
            ["app.example.com:443", undefined],
            ["-app.example.com", undefined],
            ["app_1.example.com", undefined],
            ["10.0.0.1", undefined],
            [`${"a".repeat(64)}.com`, undefined],
            ["evil.com/x", undefined],
        ];
        for (const [raw, name] of names) it(`reads PUBLIC_HOST=${raw.slice(0, 30)} as ${name}`, () => assert.equal(dnsName(raw), name));
    });
});
