import { strict as assert } from "node:assert";
import { request, Running, spawnRefusal, spawnService, startBackend } from "./support/servers";

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
