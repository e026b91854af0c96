import { strict as assert } from "node:assert";
import * as http from "node:http";
import { Socket } from "node:net";
import { escapeHtml } from "../services/frontend/app.mjs";
import { BackendError, parseMessage, pooledIdleMs } from "../services/frontend/backendClient.mjs";
import { closedPort, Fake, fakeBackend, request, Running, spawnService, startBackend, startFrontend } from "./support/servers";

/** A fake backend that answers `body` with `status` after `delayMs`. */
function answering(body: string, status = 200, delayMs = 0): Promise<Fake> {
    return fakeBackend((_req, res) => {
        setTimeout(() => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(body);
        }, delayMs);
    });
}

describe("frontend app", () => {
    const open: { close(): Promise<void> }[] = [];
    async function track<T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> {
        const s = await server;
        open.push(s);
        return s;
    }
    afterEach(async () => {
        await Promise.all(open.splice(0).map((s) => s.close()));
    });

    describe("with the real backend behind it", () => {
        let backend: Running;
        let frontend: Running;
        beforeEach(async () => {
            backend = await track(startBackend({ region: "eu-west-1" }));
            frontend = await track(startFrontend(backend.url, { region: "us-east-2" }));
        });

        it("renders Hello from backend microservice, the region that served the page and the backend's region", async () => {
            const res = await request(`${frontend.url}/`);
            assert.equal(res.status, 200);
            assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
            assert.match(res.body, /<h1>Hello from backend microservice<\/h1>/);
            assert.match(res.body, /<strong id="frontend-region">us-east-2<\/strong>/);
            assert.match(res.body, /<strong id="backend-region">eu-west-1<\/strong>/);
        });

        it("forbids scripts and framing with a content security policy", async () => {
            const res = await request(`${frontend.url}/`);
            assert.match(
                String(res.headers["content-security-policy"]),
                /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; .*frame-ancestors 'none'$/,
            );
            assert.equal(res.headers["x-content-type-options"], "nosniff");
            assert.doesNotMatch(res.body, /<script/i);
        });

        it("passes the deep health check and the shallow probes", async () => {
            const health = await request(`${frontend.url}/health`);
            assert.equal(health.status, 200);
            assert.deepEqual(JSON.parse(health.body), { status: "ok", region: "us-east-2" });
            assert.equal((await request(`${frontend.url}/livez`)).status, 200);
            assert.equal((await request(`${frontend.url}/readyz`)).status, 200);
        });

        it("answers HEAD without a body, 404 for unknown paths and 405 for POST", async () => {
            const head = await request(`${frontend.url}/`, "HEAD");
            assert.equal(head.status, 200);
            assert.equal(head.body, "");
            assert.equal((await request(`${frontend.url}/missing`)).status, 404);
            assert.equal((await request(`${frontend.url}/`, "POST")).status, 405);
        });
    });

    describe("when the backend misbehaves", () => {
        it("answers a clear 503 page at once when the backend is down, and stays up", async () => {
            const frontend = await track(startFrontend(`http://127.0.0.1:${await closedPort()}`, { timeoutMs: 1000 }));
            const res = await request(`${frontend.url}/`);
            assert.equal(res.status, 503);
            assert.match(res.body, /<h1>Service temporarily unavailable<\/h1>/);
            assert.match(res.body, /\(unreachable\)/);
            assert.equal(res.headers["retry-after"], "5");
            assert.ok(res.ms < 500, `took ${res.ms} ms`);
            assert.equal((await request(`${frontend.url}/livez`)).status, 200, "liveness stays green: no restarts for a backend outage");
            assert.equal((await request(`${frontend.url}/readyz`)).status, 200);
            const warning = frontend.logger.lines.find((l) => l.msg === "backend call failed");
            assert.equal(warning?.reason, "unreachable");
        });

        it("honours the timeout when the backend is slow", async () => {
            const slow = await track(answering(JSON.stringify({ text: "late" }), 200, 3000));
            const frontend = await track(startFrontend(slow.url, { timeoutMs: 300 }));
            const res = await request(`${frontend.url}/`);
            assert.equal(res.status, 503);
            assert.match(res.body, /\(timeout\)/);
            assert.ok(res.ms >= 280 && res.ms < 800, `took ${res.ms} ms for a 300 ms timeout`);
        });

        it("answers 503 on invalid JSON", async () => {
            const garbage = await track(answering("<html>not json"));
            const frontend = await track(startFrontend(garbage.url));
            const res = await request(`${frontend.url}/`);
            assert.equal(res.status, 503);
            assert.match(res.body, /\(invalid\)/);
        });

        it("answers 503 on JSON of the wrong shape, an error status or an oversized body", async () => {
            for (const [body, status] of [
                [JSON.stringify({ message: "hi" }), 200],
                ["{}", 500],
                [JSON.stringify({ text: "x".repeat(100_000) }), 200],
            ] as const) {
                const fake = await track(answering(body, status));
                const frontend = await track(startFrontend(fake.url));
                assert.equal((await request(`${frontend.url}/`)).status, 503, `${status} ${body.slice(0, 20)}`);
            }
        });

        it("escapes everything the backend sends", async () => {
            const evil = await track(
                answering(JSON.stringify({ text: "<script>alert(1)</script>", region: '"><img src=x onerror=alert(2)>' })),
            );
            const frontend = await track(startFrontend(evil.url));
            const res = await request(`${frontend.url}/`);
            assert.equal(res.status, 200);
            assert.match(res.body, /Hello from &#60;script&#62;alert\(1\)&#60;\/script&#62;/);
            assert.match(res.body, /&#34;&#62;&#60;img src=x onerror=alert\(2\)&#62;/);
            assert.doesNotMatch(res.body, /<script|<img/);
        });

        it("fails the deep health check but not the shallow ones", async () => {
            const frontend = await track(startFrontend(`http://127.0.0.1:${await closedPort()}`));
            const health = await request(`${frontend.url}/health`);
            assert.equal(health.status, 503);
            assert.equal(JSON.parse(health.body).reason, "unreachable");
            assert.equal((await request(`${frontend.url}/livez`)).status, 200);
        });

        it("keeps the deep health check within its own, shorter timeout", async () => {
            const slow = await track(answering(JSON.stringify({ text: "late" }), 200, 3000));
            const frontend = await track(startFrontend(slow.url, { timeoutMs: 2000, healthTimeoutMs: 200 }));
            const health = await request(`${frontend.url}/health`);
            assert.equal(health.status, 503);
            assert.ok(health.ms < 600, `took ${health.ms} ms`);
        });
    });

    it("reuses backend connections across requests", async () => {
        const backend = await track(answering(JSON.stringify({ text: "backend microservice" })));
        const frontend = await track(startFrontend(backend.url));
        for (let i = 0; i < 20; i++) assert.equal((await request(`${frontend.url}/`)).status, 200);
        assert.equal(backend.connections(), 1);
    });

    it("retries once on a fresh connection when the backend closed a pooled one", async () => {
        let calls = 0;
        const flaky = await track(
            fakeBackend((req, res) => {
                calls++;
                // The second request arrives on the pooled socket; drop it as a restarting backend would.
                if (calls === 2) {
                    req.socket.destroy();
                } else {
                    res.writeHead(200, { "content-type": "application/json" });
                    res.end(JSON.stringify({ text: "backend microservice" }));
                }
            }),
        );
        const frontend = await track(startFrontend(flaky.url));
        assert.equal((await request(`${frontend.url}/`)).status, 200);
        assert.equal((await request(`${frontend.url}/`)).status, 200);
        assert.equal(calls, 3);
    });

    it("closes a pooled backend socket itself, before the backend's announced keep-alive timeout", async () => {
        const backend = await track(
            fakeBackend(
                (_req, res) => {
                    res.writeHead(200, { "content-type": "application/json" });
                    res.end(JSON.stringify({ text: "backend microservice" }));
                },
                { keepAliveTimeoutMs: 2000 },
            ),
        );
        // "end" on the backend's side is the frontend's FIN: the client closed first.
        let answered = 0;
        const clientClosedAfter: number[] = [];
        backend.server.on("request", (_req, res: http.ServerResponse) => res.on("finish", () => (answered = performance.now())));
        backend.server.on("connection", (socket: Socket) => socket.on("end", () => clientClosedAfter.push(performance.now() - answered)));
        const frontend = await track(startFrontend(backend.url));
        assert.equal((await request(`${frontend.url}/`)).status, 200);
        for (let i = 0; i < 100 && clientClosedAfter.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(clientClosedAfter.length, 1, "the frontend closed its idle pooled socket");
        // keep-alive: timeout=2 leaves the client 2 s - max(1 s, 10%) = 1 s.
        assert.ok(clientClosedAfter[0]! >= 950 && clientClosedAfter[0]! < 1500, `closed after ${clientClosedAfter[0]} ms`);
    });

    for (const [header, idleMs] of [
        [undefined, 4000],
        ["timeout=60", 54000],
        ["timeout=5", 4000],
        ["timeout=2", 1000],
        ["timeout=1", 0],
        ["timeout=0", 0],
        ["timeout=10, max=1000", 9000],
        ["max=5, timeout=10", 9000],
        ["Timeout=10", 9000],
    ] as const) {
        it(`keeps a pooled socket idle at most ${idleMs} ms after keep-alive: ${header}`, () => assert.equal(pooledIdleMs(header), idleMs));
    }

    it("finishes a request in flight during shutdown, refuses new ones after, and exits 0", async () => {
        const slow = await track(answering(JSON.stringify({ text: "backend microservice" }), 200, 400));
        const frontend = await startFrontend(slow.url, { drainMs: 100, timeoutMs: 2000 });
        open.push({ close: () => frontend.close().catch(() => undefined) });
        const inFlight = request(`${frontend.url}/`);
        await new Promise((r) => setTimeout(r, 50));
        const stopped = frontend.shutdown();
        assert.equal((await request(`${frontend.url}/readyz`)).status, 503, "readiness fails at once");
        const res = await inFlight;
        assert.equal(res.status, 200);
        assert.match(res.body, /Hello from backend microservice/);
        await stopped;
        assert.deepEqual(frontend.exits, [0]);
        await assert.rejects(request(`${frontend.url}/`), /ECONNREFUSED/);
        assert.deepEqual(
            frontend.logger.lines.filter((l) => l.msg === "draining" || l.msg === "stopped").map((l) => l.msg),
            ["draining", "stopped"],
        );
    });

    it("runs from its entry point with the real backend's entry point behind it", async () => {
        const backend = await spawnService("backend", { REGION: "eu-west-1", DRAIN_MS: "0" });
        const frontend = await spawnService("frontend", { REGION: "eu-west-1", DRAIN_MS: "0", BACKEND_URL: backend.url });
        try {
            const res = await request(`${frontend.url}/`);
            assert.match(res.body, /Hello from backend microservice/);
        } finally {
            frontend.process.kill("SIGTERM");
            backend.process.kill("SIGTERM");
        }
        assert.equal(await frontend.exited, 0);
        assert.equal(await backend.exited, 0);
    });

    describe("helpers", () => {
        const table: [string, string][] = [
            ["<b>", "&#60;b&#62;"],
            ["a & b", "a &#38; b"],
            [`"'`, "&#34;&#39;"],
            ["plain", "plain"],
        ];
        for (const [raw, escaped] of table) it(`escapes ${raw}`, () => assert.equal(escapeHtml(raw), escaped));

        it("accepts only a string text, and a region when it is a string", () => {
            assert.deepEqual(parseMessage('{"text":"t","region":"r"}'), { text: "t", region: "r" });
            assert.deepEqual(parseMessage('{"text":"t","region":5}'), { text: "t", region: undefined });
            for (const bad of ["", "null", "[]", '{"text":5}', "{"]) {
                assert.throws(
                    () => parseMessage(bad),
                    (err: unknown) => err instanceof BackendError && err.kind === "invalid",
                    bad,
                );
            }
        });
    });

    it("never leaves a request hanging when the backend accepts and says nothing", async () => {
        const silent = await track(fakeBackend(() => {}));
        const frontend = await track(startFrontend(silent.url, { timeoutMs: 200 }));
        const results = await Promise.all(Array.from({ length: 10 }, () => request(`${frontend.url}/`)));
        assert.deepEqual(
            results.map((r) => r.status),
            Array(10).fill(503),
        );
        assert.ok(Math.max(...results.map((r) => r.ms)) < 700);
    });
});
