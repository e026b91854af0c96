/**
 * The probe port, on real loopback sockets: `/livez` and `/readyz` outside the app's connection
 * cap, so a flood that fills the app's ports fails neither the kubelet's probes nor the NLB's
 * target checks (issue 17, item 7), with a small cap of its own.
 */
import { strict as assert } from "node:assert";
import { PROBE_MAX_CONNECTIONS } from "../services/shared/http.mjs";
import { request, serverHarness, sleep, startBackend, startFrontend } from "./support/servers";

const FAST = { headersTimeoutMs: 500, requestTimeoutMs: 1000, checkIntervalMs: 100 };

describe("the probe port", function () {
    const { connect, track } = serverHarness();

    it("keeps answering /livez and /readyz on the probe port while the app port's cap is full", async () => {
        const frontend = await track(
            startFrontend("http://127.0.0.1:9", {
                limits: { ...FAST, maxConnections: 3 },
                publicHost: "app.example.com",
                redirectPort: 0,
                probePort: 0,
            }),
        );
        // The flood: every slot of the shared cap held by a keep-alive connection past one request.
        const held = await Promise.all(Array.from({ length: 3 }, () => connect(frontend.url)));
        for (const c of held) c.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
        for (let i = 0; i < 50 && !held.every((c) => c.received().includes("\r\n\r\n")); i++) await sleep(10);
        assert.ok(held.every((c) => c.received().startsWith("HTTP/1.1 200 OK")));
        for (const path of ["/livez", "/readyz", "/health"]) {
            assert.equal((await request(`${frontend.url}${path}`)).status, 503, `the app port is full: ${path}`);
        }
        assert.equal((await request(`${frontend.redirectUrl!}/readyz`)).status, 503, "and so is the redirect port");

        const live = await request(`${frontend.probeUrl!}/livez`);
        const ready = await request(`${frontend.probeUrl!}/readyz`);
        assert.deepEqual([live.status, JSON.parse(live.body)], [200, { status: "ok" }]);
        assert.deepEqual([ready.status, JSON.parse(ready.body)], [200, { status: "ready" }]);
        assert.equal((await request(`${frontend.probeUrl!}/`)).status, 404, "the probe port serves nothing else");
        assert.ok(
            held.every((c) => !c.socket.destroyed),
            "the flood still holds the app port",
        );
    });

    it("fails readiness on the probe port as soon as the drain begins, and caps the probe port on its own", async () => {
        const backend = await track(startBackend({ limits: { ...FAST, maxConnections: 100 }, probePort: 0, drainMs: 5000 }));
        const held = await Promise.all(Array.from({ length: PROBE_MAX_CONNECTIONS }, () => connect(backend.probeUrl!)));
        for (const c of held) c.socket.write("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
        for (let i = 0; i < 100 && !held.every((c) => c.received().includes("\r\n\r\n")); i++) await sleep(10);
        assert.equal((await request(`${backend.probeUrl!}/livez`)).status, 503, "the probe port's own cap");
        assert.equal((await request(`${backend.url}/`)).status, 200, "the app's budget is untouched");
        for (const c of held) c.socket.destroy();
        let free = await request(`${backend.probeUrl!}/readyz`);
        for (let i = 0; i < 50 && free.status !== 200; i++) {
            await sleep(10);
            free = await request(`${backend.probeUrl!}/readyz`);
        }
        assert.equal(free.status, 200, "the cap frees as the connections go");
        void backend.shutdown();
        let ready = await request(`${backend.probeUrl!}/readyz`);
        for (let i = 0; i < 50 && ready.status !== 503; i++) {
            await sleep(10);
            ready = await request(`${backend.probeUrl!}/readyz`);
        }
        assert.deepEqual([ready.status, JSON.parse(ready.body)], [503, { status: "draining" }]);
        assert.equal((await request(`${backend.probeUrl!}/livez`)).status, 200, "alive while draining");
    });
});
