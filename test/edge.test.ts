/**
 * The edge of both apps, on real loopback sockets: request timeouts, the connection cap,
 * hostile HTTP, the HTTPS redirect listener and HSTS. Timeouts are configured short so the
 * file stays fast. Access logs are tested with the backend, settings with the entry points.
 */
import { strict as assert } from "node:assert";
import { HSTS, redirectTarget } from "../services/shared/edge.mjs";
import { serve } from "../services/shared/http.mjs";
import { DEFAULT_LIMITS, serverHarness, recordingLogger, request, Running, sleep, startBackend, startFrontend } from "./support/servers";

// Short, so that every timeout test takes about a second.
const FAST = { headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 };
// What "promptly" allows on top of a timeout: one checking interval plus scheduling slack.
const SLACK_MS = FAST.checkIntervalMs + 250;

describe("edge: limits, hostile HTTP and the HTTPS redirect", function () {
    const { connect, drip, track } = serverHarness();

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
            const w = backend.logger.lines.find((l) => l.msg === "client error");
            assert.deepEqual(
                [w?.level, w?.service, w?.code, w?.status, w?.remoteAddress],
                ["warn", "backend", "ERR_HTTP_REQUEST_TIMEOUT", 408, "127.0.0.1"],
            );
            assert.equal((await request(`${backend.url}/`)).status, 200, "the process serves on");
        });

        it("cuts a slow-body client off within requestTimeout, with a 408 while its request is unanswered", async () => {
            const logger = recordingLogger("test");
            // A handler that, unlike ours, waits for the whole body before answering.
            const s = await track(
                serve({
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
                }),
            );
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
            const w = warnings[0];
            assert.deepEqual([w?.level, w?.service, w?.maxConnections, w?.remoteAddress], ["warn", "backend", 5, "127.0.0.1"]);

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

        it("answers the probes itself, as the app's port does", async () => {
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
});
