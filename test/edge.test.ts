/**
 * The edge of both apps, on real loopback sockets: request timeouts, the connection cap,
 * hostile HTTP, access logs, the HTTPS redirect listener and HSTS, and the entry points'
 * refusal of bad settings. Timeouts are configured short so the file stays fast.
 */
import { strict as assert } from "node:assert";
import * as net from "node:net";
import { clientErrorStatus, HSTS, pathOf, rateLimited, redirectTarget } from "../services/shared/edge.mjs";
import { serve } from "../services/shared/http.mjs";
import { dnsName } from "../services/shared/settings.mjs";
import {
    DEFAULT_LIMITS,
    recordingLogger,
    request,
    Running,
    spawnRefusal,
    spawnService,
    startBackend,
    startFrontend,
} from "./support/servers";

// Short, so that every timeout test takes about a second.
const FAST = { headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 };
// What "promptly" allows on top of a timeout: one checking interval plus scheduling slack.
const SLACK_MS = FAST.checkIntervalMs + 250;

/** A raw TCP client that records everything it receives and when the server closed it. */
interface Raw {
    readonly socket: net.Socket;
    received(): string;
    /** Resolves with the ms from connect to the server's close (FIN or RST). */
    readonly closed: Promise<number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("edge: limits, hostile HTTP, access logs and HTTPS redirect", function () {
    const sockets: net.Socket[] = [];
    const servers: { close(): Promise<void> }[] = [];
    const timers: NodeJS.Timeout[] = [];

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

    /** Writes `chunk` every `everyMs` until the socket closes. */
    function drip(socket: net.Socket, chunk: string, everyMs: number): { sent(): number } {
        let sent = 0;
        const timer = setInterval(() => {
            if (socket.destroyed || !socket.writable) return clearInterval(timer);
            socket.write(chunk);
            sent++;
        }, everyMs);
        timers.push(timer);
        return { sent: () => sent };
    }

    afterEach(async () => {
        for (const t of timers.splice(0)) clearInterval(t);
        for (const s of sockets.splice(0)) s.destroy();
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });

    describe("request timeouts", () => {
        it("cuts a slow-header client off within headersTimeout with a 408, however often it sends a byte", async () => {
            const backend = await track(startBackend({ limits: FAST }));
            const client = await connect(backend.url);
            client.socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            const dripping = drip(client.socket, "a", 100);
            const ms = await client.closed;
            assert.ok(ms >= FAST.headersTimeoutMs - 50 && ms < FAST.headersTimeoutMs + SLACK_MS, `closed after ${ms} ms`);
            assert.ok(dripping.sent() >= 3, "the client kept sending until it was cut off");
            assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout\r\nconnection: close\r\n/);
            const warning = backend.logger.lines.find((l) => l.msg === "client error");
            assert.deepEqual(
                { ...warning, time: undefined },
                {
                    time: undefined,
                    level: "warn",
                    service: "backend",
                    msg: "client error",
                    code: "ERR_HTTP_REQUEST_TIMEOUT",
                    status: 408,
                    remoteAddress: "127.0.0.1",
                },
            );
            assert.equal((await request(`${backend.url}/`)).status, 200, "the process serves on");
        });

        it("cuts a slow-body client off within requestTimeout, with a 408 while its request is unanswered", async () => {
            const logger = recordingLogger("test");
            // A handler that, unlike ours, waits for the whole body before answering.
            const s = await serve({
                name: "test",
                logger,
                port: 0,
                host: "127.0.0.1",
                limits: { ...DEFAULT_LIMITS, ...FAST },
                exit: () => {},
                createHandler: () => (req, res) => {
                    req.resume();
                    req.on("end", () => res.end("ok"));
                },
            });
            servers.push(s);
            const client = await connect(`http://127.0.0.1:${s.port}`);
            client.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
            const dripping = drip(client.socket, "b", 100);
            const ms = await client.closed;
            assert.ok(ms >= FAST.requestTimeoutMs - 50 && ms < FAST.requestTimeoutMs + SLACK_MS, `closed after ${ms} ms`);
            assert.ok(dripping.sent() >= 8);
            assert.match(client.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/);
        });

        it("closes a slow body our apps already answered within requestTimeout, without a second answer", async () => {
            const backend = await track(startBackend({ limits: FAST }));
            const client = await connect(backend.url);
            client.socket.write("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
            drip(client.socket, "b", 100);
            const ms = await client.closed;
            assert.ok(ms >= FAST.requestTimeoutMs - 50 && ms < FAST.requestTimeoutMs + SLACK_MS, `closed after ${ms} ms`);
            assert.match(client.received(), /^HTTP\/1\.1 200 OK\r\n/);
            assert.equal(client.received().match(/HTTP\/1\.1 /g)?.length, 1, client.received());
            const warning = backend.logger.lines.find((l) => l.msg === "client error");
            assert.deepEqual([warning?.code, warning?.answered, warning?.status], ["ERR_HTTP_REQUEST_TIMEOUT", false, undefined]);
        });

        it("lets an idle keep-alive connection outlive headersTimeout, then closes it after keepAliveTimeout", async () => {
            const backend = await track(startBackend({ limits: { ...FAST, keepAliveTimeoutMs: 500 } }));
            const client = await connect(backend.url);
            client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            await sleep(FAST.headersTimeoutMs + 200);
            client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            const second = performance.now();
            const closedAt = await client.closed;
            assert.equal(client.received().match(/HTTP\/1\.1 200 OK/g)?.length, 2, "the idle connection served a second request");
            // Recent Node versions (20.20 here) wait 1 s beyond keepAliveTimeout before closing.
            const idle = performance.now() - second;
            assert.ok(idle >= 500 && idle < 500 + 1000 + SLACK_MS, `closed ${idle} ms after the second request (${closedAt} ms in all)`);
            assert.doesNotMatch(client.received(), / 408 /);
        });

        it("holds 200 slow sockets below the cap while normal requests succeed, then closes every one within headersTimeout", async () => {
            const backend = await track(startBackend({ limits: { ...FAST, maxConnections: 250 } }));
            const slow = await Promise.all(Array.from({ length: 200 }, () => connect(backend.url)));
            for (const c of slow) c.socket.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a");
            const started = performance.now();
            for (let i = 0; i < 20; i++) {
                const res = await request(`${backend.url}/`);
                assert.equal(res.status, 200);
                assert.ok(res.ms < 200, `request ${i} took ${res.ms} ms`);
            }
            assert.ok(performance.now() - started < FAST.headersTimeoutMs, "the normal requests ran while the slow sockets were open");
            const closedAfter = await Promise.all(slow.map((c) => c.closed));
            assert.ok(
                Math.max(...closedAfter) < FAST.headersTimeoutMs + SLACK_MS + 200,
                `last closed after ${Math.max(...closedAfter)} ms`,
            );
            assert.ok(
                slow.every((c) => c.received().startsWith("HTTP/1.1 408 ")),
                "each got a 408",
            );
            // 200 client errors in well under a second: the log is rate-limited.
            assert.ok(backend.logger.lines.filter((l) => l.msg === "client error").length <= 11);
        });
    });

    describe("the connection cap", () => {
        it("answers connections over MAX_CONNECTIONS with a quick 503 and connection: close, and serves again once they go", async () => {
            const backend = await track(startBackend({ limits: { ...FAST, maxConnections: 5 } }));
            // Five keep-alive connections, each past one request, so the server surely holds them.
            const held = await Promise.all(Array.from({ length: 5 }, () => connect(backend.url)));
            for (const c of held) c.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
            for (let i = 0; i < 50 && !held.every((c) => c.received().includes("\r\n\r\n")); i++) await sleep(10);
            assert.ok(held.every((c) => c.received().startsWith("HTTP/1.1 200 OK")));

            const extra = await Promise.all(Array.from({ length: 3 }, () => request(`${backend.url}/`)));
            for (const res of extra) {
                assert.equal(res.status, 503);
                assert.equal(res.headers.connection, "close");
                assert.equal(res.headers["retry-after"], "5");
                assert.ok(res.ms < 300, `took ${res.ms} ms`);
            }
            const warnings = backend.logger.lines.filter((l) => l.msg === "connection limit reached; answered 503");
            assert.equal(warnings.length, 3);
            assert.deepEqual(
                { ...warnings[0], time: undefined, msg: undefined },
                {
                    time: undefined,
                    msg: undefined,
                    level: "warn",
                    service: "backend",
                    maxConnections: 5,
                    remoteAddress: "127.0.0.1",
                },
            );

            for (const c of held) c.socket.end();
            let res = await request(`${backend.url}/`);
            for (let i = 0; i < 50 && res.status === 503; i++) {
                await sleep(10);
                res = await request(`${backend.url}/`);
            }
            assert.equal(res.status, 200);
        });

        it("shares one budget between the app port and the redirect port", async () => {
            const frontend = await track(
                startFrontend("http://127.0.0.1:9", {
                    limits: { ...FAST, maxConnections: 2 },
                    publicHost: "app.example.com",
                    redirectPort: 0,
                }),
            );
            const a = await connect(frontend.url);
            const b = await connect(frontend.redirectUrl!);
            a.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
            b.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
            for (let i = 0; i < 50 && !(a.received() && b.received()); i++) await sleep(10);
            assert.equal((await request(`${frontend.url}/livez`)).status, 503);
            assert.equal((await request(`${frontend.redirectUrl!}/livez`)).status, 503);
        });
    });

    describe("hostile HTTP", () => {
        let backend: Running;
        beforeEach(async () => {
            backend = await track(startBackend({ limits: FAST }));
        });

        async function send(bytes: string): Promise<{ received: string; ms: number }> {
            const client = await connect(backend.url);
            client.socket.write(bytes);
            const ms = await client.closed;
            return { received: client.received(), ms };
        }

        it("answers a malformed request line with 400 at once, and serves on", async () => {
            const { received, ms } = await send("GARBAGE\r\n\r\n");
            assert.match(received, /^HTTP\/1\.1 400 Bad Request\r\nconnection: close\r\n/);
            assert.ok(ms < 200, `took ${ms} ms`);
            const warning = backend.logger.lines.find((l) => l.msg === "client error");
            assert.equal(warning?.status, 400);
            assert.match(String(warning?.code), /^HPE_/);
            assert.equal(warning?.remoteAddress, "127.0.0.1");
            assert.equal((await request(`${backend.url}/`)).status, 200);
        });

        it("answers a 64 KiB header with 431, readable by the client, and serves on", async () => {
            const { received, ms } = await send(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`);
            assert.match(received, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
            assert.ok(ms < 500, `took ${ms} ms`);
            assert.equal(backend.logger.lines.find((l) => l.msg === "client error")?.code, "HPE_HEADER_OVERFLOW");
            assert.equal((await request(`${backend.url}/`)).status, 200);
        });

        it("answers a bad second request on a keep-alive connection with 400 after the first one's 200", async () => {
            const { received } = await send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /\x01 HTTP/1.1\r\n\r\n");
            assert.match(received, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n[^]*HTTP\/1\.1 400 Bad Request\r\n/);
        });

        it("survives clients that reset mid-request, logging them only at debug", async () => {
            const client = await connect(backend.url);
            client.socket.write("GET / HTTP/1.1\r\nHost: x\r\n");
            await sleep(20);
            client.socket.resetAndDestroy();
            await sleep(20);
            assert.equal((await request(`${backend.url}/`)).status, 200);
            assert.ok(!backend.logger.lines.some((l) => l.msg === "client error" && l.level !== "debug"));
        });

        const statuses: [string | undefined, number | undefined][] = [
            ["HPE_HEADER_OVERFLOW", 431],
            ["ERR_HTTP_REQUEST_TIMEOUT", 408],
            ["HPE_CHUNK_EXTENSIONS_OVERFLOW", 413],
            ["HPE_INVALID_METHOD", 400],
            ["HPE_INVALID_URL", 400],
            ["ECONNRESET", undefined],
            ["EPIPE", undefined],
            [undefined, undefined],
        ];
        for (const [code, status] of statuses)
            it(`answers ${code} with ${status ?? "no answer"}`, () => assert.equal(clientErrorStatus(code), status));
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

        it("rate-limits a flood to a few lines per window plus one count of the rest", async () => {
            const logged: [string, object | undefined][] = [];
            const log = rateLimited((msg, fields) => logged.push([msg, fields]), "flood", { perWindow: 3, windowMs: 50 });
            for (let i = 0; i < 100; i++) log({ i });
            assert.equal(logged.length, 3);
            await sleep(80);
            assert.deepEqual(logged.at(-1), ["flood", { suppressed: 97, windowMs: 50 }]);
            log({ i: 100 });
            assert.deepEqual(logged.at(-1), ["flood", { i: 100 }], "a new window logs again");
        });
    });

    describe("HTTPS redirect listener and HSTS", () => {
        let frontend: Running;
        beforeEach(async () => {
            const backend = await track(startBackend());
            frontend = await track(startFrontend(backend.url, { publicHost: "app.example.com", redirectPort: 0 }));
        });

        for (const method of ["GET", "HEAD", "POST"]) {
            it(`redirects ${method} /a/b?c=d permanently to https://app.example.com/a/b?c=d, whatever Host the client sends`, async () => {
                const res = await request(`${frontend.redirectUrl!}/a/b?c=d`, method, { host: "evil.com" });
                assert.equal(res.status, 308);
                assert.equal(res.headers.location, "https://app.example.com/a/b?c=d");
                assert.equal(res.headers.connection, "close");
                assert.equal(res.headers["strict-transport-security"], undefined, "HSTS over plain HTTP means nothing");
                assert.equal(res.body, "");
            });
        }

        it("keeps only the path and query of an absolute-form request target", async () => {
            const client = await connect(frontend.redirectUrl!);
            client.socket.write("GET http://evil.com/x?y=1 HTTP/1.1\r\nHost: evil.com\r\n\r\n");
            await client.closed;
            assert.match(client.received(), /^HTTP\/1\.1 308 Permanent Redirect\r\n/);
            assert.match(client.received(), /\r\nlocation: https:\/\/app\.example\.com\/x\?y=1\r\n/i);
        });

        it("answers the probes itself, so the NLB can health-check the redirect port", async () => {
            const ready = await request(`${frontend.redirectUrl!}/readyz`);
            assert.equal(ready.status, 200);
            assert.deepEqual(JSON.parse(ready.body), { status: "ready" });
            assert.equal((await request(`${frontend.redirectUrl!}/livez`)).status, 200);
        });

        it("sends HSTS on every app-port response when PUBLIC_HOST is set", async () => {
            for (const path of ["/", "/livez", "/nope"]) {
                assert.equal((await request(`${frontend.url}${path}`)).headers["strict-transport-security"], HSTS, path);
            }
            assert.equal(HSTS, "max-age=63072000; includeSubDomains");
            const post = await request(`${frontend.url}/`, "POST");
            assert.equal(post.status, 405);
            assert.equal(post.headers["strict-transport-security"], HSTS);
        });

        it("sends no HSTS and starts no redirect listener in plain local development", async () => {
            const backend = await track(startBackend());
            const local = await track(startFrontend(backend.url));
            const res = await request(`${local.url}/`);
            assert.equal(res.status, 200);
            assert.equal(res.headers["strict-transport-security"], undefined);
            assert.equal(local.redirectUrl, undefined);
        });

        const targets: [string | undefined, string][] = [
            ["/a/b?c=d", "/a/b?c=d"],
            [undefined, "/"],
            ["//evil.com/x", "//evil.com/x"],
            ["http://evil.com/x?y", "/x?y"],
            ["https://evil.com", "/"],
            ["@evil.com", "/"],
            ["evil.com:443", "/"],
            ["*", "/"],
            ["/\u00e9 x", "/%E9%20x"],
        ];
        for (const [url, target] of targets) {
            it(`redirects a request for ${url} to https://app.example.com${target}`, () => {
                assert.equal(redirectTarget(url), target);
                assert.equal(new URL(`https://app.example.com${redirectTarget(url)}`).host, "app.example.com");
            });
        }
    });

    describe("entry points", () => {
        const refusals: ["backend" | "frontend", Record<string, string>, string][] = [
            ["backend", { LOG_LEVEL: "verbose" }, 'invalid LOG_LEVEL="verbose": expected one of debug, info, warn, error'],
            ["backend", { REGION: "EU West" }, 'invalid REGION="EU West": expected 1-32 lower-case letters, digits and hyphens'],
            ["backend", { DRAIN_MS: "180000" }, 'invalid DRAIN_MS="180000": expected an integer from 0 to 120000 (ms)'],
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
