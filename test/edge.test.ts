/**
 * The edge of both apps, on real loopback sockets: access logs, and the entry points'
 * refusal of bad settings.
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { pathOf } from "../services/shared/edge.mjs";
import { request, Running, spawnRefusal, startBackend, startFrontend } from "./support/servers";

/** A raw TCP client that records everything it receives and when the server closed it. */
interface Raw {
    readonly socket: net.Socket;
    received(): string;
    /** Resolves with the ms from connect to the server's close (FIN or RST). */
    readonly closed: Promise<number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("edge: access logs and settings", function () {
    const sockets: net.Socket[] = [];
    const servers: { close(): Promise<void> }[] = [];

    async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
        const s = await server;
        servers.push(s);
        return s;
    }

    function connect(url: string): Promise<Raw> {
        const { port } = new URL(url);
        return new Promise((resolve, reject) => {
            const socket = net.connect(Number(port), "127.0.0.1");
            sockets.push(socket);
            let data = "";
            const opened = performance.now();
            const closed = new Promise<number>((done) => {
                socket.on("end", () => done(performance.now() - opened));
                socket.on("close", () => done(performance.now() - opened));
            });
            socket.setEncoding("latin1");
            socket.on("data", (chunk: string) => (data += chunk));
            socket.on("error", () => {});
            socket.once("connect", () => resolve({ socket, received: () => data, closed }));
            socket.once("error", reject);
        });
    }

    afterEach(async () => {
        for (const s of sockets.splice(0)) s.destroy();
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    describe("access logs", () => {
        const requests = (r: Running) => r.logger.lines.filter((l) => l.msg === "request");

        it("logs one line per request at info: method, path without query, status, duration, bytes sent, client address", async () => {
            const backend = await track(startBackend({ logLevel: "info" }));
            const client = await connect(backend.url);
            client.socket.write("GET /?token=secret HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            await client.closed;
            await request(`${backend.url}/nope`, "HEAD");
            await sleep(10);
            const lines = requests(backend);
            assert.equal(lines.length, 2);
            const [get, head] = lines;
            assert.equal(typeof get!.durationMs, "number");
            assert.ok(Number(get!.durationMs) >= 0 && Number(get!.durationMs) < 100);
            assert.deepEqual(
                { ...get, time: undefined, durationMs: undefined },
                {
                    time: undefined,
                    level: "info",
                    service: "backend",
                    msg: "request",
                    method: "GET",
                    path: "/",
                    status: 200,
                    durationMs: undefined,
                    bytesSent: Buffer.byteLength(client.received(), "latin1"),
                    remoteAddress: "127.0.0.1",
                },
            );
            assert.deepEqual([head!.method, head!.path, head!.status], ["HEAD", "/nope", 404]);
            assert.doesNotMatch(JSON.stringify(backend.logger.lines), /secret/);
        });

        it("logs probes at debug when they succeed, at info when they fail", async () => {
            const backend = await track(startBackend({ drainMs: 100 }));
            await request(`${backend.url}/livez`);
            await request(`${backend.url}/readyz`);
            const stopped = backend.shutdown();
            await request(`${backend.url}/readyz`);
            await sleep(10);
            assert.deepEqual(
                requests(backend).map((l) => [l.path, l.status, l.level]),
                [
                    ["/livez", 200, "debug"],
                    ["/readyz", 200, "debug"],
                    ["/readyz", 503, "info"],
                ],
            );
            await stopped;
        });

        it("logs the frontend's deep health check like a probe", async () => {
            const backend = await track(startBackend());
            const frontend = await track(startFrontend(backend.url));
            await request(`${frontend.url}/health`);
            await request(`${frontend.url}/`);
            await sleep(10);
            assert.deepEqual(
                requests(frontend).map((l) => [l.path, l.level]),
                [
                    ["/health", "debug"],
                    ["/", "info"],
                ],
            );
        });

        it("logs no requests at LOG_LEVEL=warn, and serves the same", async () => {
            const backend = await track(startBackend({ logLevel: "warn" }));
            for (const path of ["/", "/livez", "/nope"]) await request(`${backend.url}${path}`);
            assert.equal((await request(`${backend.url}/`)).status, 200);
            await sleep(10);
            assert.deepEqual(backend.logger.lines, []);
        });

        const paths: [string | undefined, string][] = [
            ["/a/b?token=x", "/a/b"],
            ["/", "/"],
            [undefined, "/"],
            ["/x?", "/x"],
            [`/${"a".repeat(300)}`, `/${"a".repeat(255)}…`],
        ];
        for (const [url, path] of paths) it(`logs ${url?.slice(0, 20)} as ${path.slice(0, 20)}`, () => assert.equal(pathOf(url), path));
    });

    describe("entry points", () => {
        const refusals: ["backend" | "frontend", Record<string, string>, string][] = [
            ["backend", { LOG_LEVEL: "verbose" }, 'invalid LOG_LEVEL="verbose": expected one of debug, info, warn, error'],
            ["backend", { REGION: "EU West" }, 'invalid REGION="EU West": expected 1-32 lower-case letters, digits and hyphens'],
            [
                "backend",
                { DRAIN_MS: "20000", SHUTDOWN_TIMEOUT_MS: "10000" },
                "DRAIN_MS=20000 plus SHUTDOWN_TIMEOUT_MS=10000 must not exceed 25000, or Kubernetes kills the pod mid-shutdown",
            ],
            ["frontend", { BACKEND_URL: "ftp://backend" }, 'invalid BACKEND_URL="ftp://backend": expected an http:// or https:// URL'],
            ["frontend", { HEALTH_TIMEOUT_MS: "2000" }, 'invalid HEALTH_TIMEOUT_MS="2000": expected an integer from 1 to 1900 (ms)'],
        ];
        for (const [app, env, message] of refusals) {
            it(`${app} refuses ${Object.entries(env)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")} in one line, exit code 2, no stack trace`, async () => {
                assert.deepEqual(await spawnRefusal(app, env), { code: 2, stderr: `${app}: ${message}\n` });
            });
        }
    });
});
