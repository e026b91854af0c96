import { strict as assert } from "node:assert";
import { clientErrorStatus, pathOf, rateLimited } from "../services/shared/edge.mjs";
import { serverHarness, request, Running, sleep, spawnRefusal, spawnService, startBackend, startFrontend } from "./support/servers";

describe("backend app", () => {
    let backend: Running;
    before(async () => {
        backend = await startBackend({ region: "eu-west-1" });
    });
    after(() => backend.close());

    it("answers GET / with the contract JSON and its region", async () => {
        const res = await request(`${backend.url}/`);
        assert.equal(res.status, 200);
        assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
        assert.deepEqual(JSON.parse(res.body), { text: "backend microservice", region: "eu-west-1" });
    });

    it("ignores query strings on /", async () => {
        assert.equal((await request(`${backend.url}/?x=1`)).status, 200);
    });

    it("answers the liveness and readiness probes", async () => {
        assert.deepEqual(JSON.parse((await request(`${backend.url}/livez`)).body), { status: "ok" });
        assert.deepEqual(JSON.parse((await request(`${backend.url}/readyz`)).body), { status: "ready" });
    });

    it("answers 404 for unknown paths and 405 for other methods", async () => {
        assert.equal((await request(`${backend.url}/nope`)).status, 404);
        const post = await request(`${backend.url}/`, "POST");
        assert.equal(post.status, 405);
        assert.equal(post.headers.allow, "GET, HEAD");
    });

    it("logs structured JSON lines, one access-log line per request at info", async () => {
        await request(`${backend.url}/`);
        const entry = backend.logger.lines.find((l) => l.msg === "request");
        assert.ok(entry);
        assert.equal(entry.service, "backend");
        assert.equal(entry.level, "info");
        assert.equal(entry.status, 200);
        assert.equal(entry.method, "GET");
        assert.equal(entry.path, "/");
        assert.ok(!Number.isNaN(Date.parse(String(entry.time))));
    });

    it("fails readiness and closes keep-alive connections while draining, then exits 0", async () => {
        const draining = await startBackend({ drainMs: 300 });
        try {
            const stopped = draining.shutdown();
            const ready = await request(`${draining.url}/readyz`);
            assert.equal(ready.status, 503);
            const page = await request(`${draining.url}/`);
            assert.equal(page.status, 200, "still serves during the drain");
            assert.equal(page.headers.connection, "close");
            await stopped;
            assert.deepEqual(draining.exits, [0]);
            await assert.rejects(request(`${draining.url}/`), /ECONNREFUSED/);
        } finally {
            await draining.close().catch(() => undefined);
        }
    });

    it("runs from its entry point, configured by the environment, and exits 0 on SIGTERM", async () => {
        const child = await spawnService("backend", { REGION: "us-east-2", DRAIN_MS: "100" });
        const res = await request(`${child.url}/`);
        assert.deepEqual(JSON.parse(res.body), { text: "backend microservice", region: "us-east-2" });
        child.process.kill("SIGTERM");
        assert.equal(await child.exited, 0);
        assert.deepEqual(
            child.logs.map((l) => l.msg),
            ["listening", "request", "draining", "stopped"],
        );
    });

    it("refuses to start on a malformed setting, in one line naming it, with exit code 2", async () => {
        assert.deepEqual(await spawnRefusal("backend", { PORT: "eighty" }), {
            code: 2,
            stderr: 'backend: invalid PORT="eighty": expected an integer from 0 to 65535\n',
        });
    });
});

describe("serve(), as the backend runs it: access logs and client-error answers", () => {
    const { connect, track } = serverHarness();

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
