/**
 * The visit counter (#19) on the real AWS SDK against dynalite on loopback, through the real
 * entry points: counting through the frontend, a deep check that counts nothing, the stateless
 * backend as before, and a store that is unreachable, throttled or slow.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { COUNTER, HASH_KEY, missingPodCredentials, PAGE } from "../services/backend/store.mjs";
import { BackendError, parseMessage } from "../services/frontend/backendClient.mjs";
import { BACKEND_SETTINGS, FRONTEND_SETTINGS } from "../services/shared/environment.mjs";
import { DATA_TABLE } from "../facts/workload";
import { LocalStore, shownVisits, silentStore, startDynalite, throttlingStore } from "./support/store";
import { Child, closedPort, fakeBackend, request, Running, sleep, spawnRefusal, spawnService, startFrontend } from "./support/servers";

const TABLE = "multiregion-test-data";
const WITHOUT_SDK = `--import=${path.join(__dirname, "support", "storeWithoutSdk.mjs")}`;
/** How much later than STORE_TIMEOUT_MS an answer may come: the HTTP round trips on loopback. */
const MARGIN_MS = 400;

/** The backend's entry point with a table, as the cluster runs it but with a local endpoint. */
function backendWith(endpoint: string, env: Record<string, string> = {}): Promise<Child> {
    return spawnService("backend", { REGION: "eu-west-1", DRAIN_MS: "0", TABLE_NAME: TABLE, DYNAMODB_ENDPOINT: endpoint, ...env });
}

const stop = async (child: Child) => {
    child.process.kill("SIGTERM");
    assert.equal(await child.exited, 0, "stops cleanly: it never crashed");
};

describe("the visit counter in DynamoDB (dynalite, the real SDK)", function () {
    this.timeout(20_000);
    let store: LocalStore;
    let backend: Child;
    let frontend: Running;

    before(async () => {
        store = await startDynalite();
        await store.createTable(TABLE);
        backend = await backendWith(store.endpoint);
        frontend = await startFrontend(backend.url, { region: "eu-west-1" });
    });
    after(async () => {
        await frontend?.close();
        if (backend) await stop(backend);
        await store?.close();
    });

    it("names the table's attributes as facts/workload.ts does", () => {
        assert.deepEqual({ hashKey: HASH_KEY, counter: COUNTER }, DATA_TABLE);
    });

    it("counts each page load through the frontend: n, then n + 1, as the table holds it", async () => {
        const first = await request(`${frontend.url}/`);
        const second = await request(`${frontend.url}/`);
        assert.equal(first.status, 200);
        const n = shownVisits(first.body);
        assert.ok(n !== undefined && n >= 1, first.body);
        assert.equal(shownVisits(second.body), n + 1);
        assert.equal(await store.visits(TABLE, PAGE), n + 1);
        assert.match(second.body, /<h1>Hello from backend microservice<\/h1>/);
    });

    it("answers the contract JSON with the count, and adds atomically under concurrent visits", async () => {
        const before = (await store.visits(TABLE, PAGE)) ?? 0;
        const answers = await Promise.all(Array.from({ length: 20 }, () => request(`${backend.url}/`)));
        const bodies = answers.map((a) => JSON.parse(a.body) as { text: string; region: string; visits: number });
        assert.deepEqual(
            bodies.map((b) => b.visits).sort((a, b) => a - b),
            Array.from({ length: 20 }, (_, i) => before + i + 1),
        );
        assert.deepEqual(bodies[0], { text: "backend microservice", region: "eu-west-1", visits: bodies[0]!.visits });
    });

    it("passes the deep health check, the frontend's and the backend's, without counting a visit", async () => {
        const before = await store.visits(TABLE, PAGE);
        const health = await request(`${frontend.url}/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(JSON.parse(health.body), { status: "ok", region: "eu-west-1" });
        assert.deepEqual(JSON.parse((await request(`${backend.url}/health`)).body), { status: "ok", region: "eu-west-1" });
        assert.equal(await store.visits(TABLE, PAGE), before);
    });

    it("says in its log which table it counts in", () => {
        const line = backend.logs.find((l) => l.msg === "counting visits");
        assert.deepEqual([line?.table, line?.region, line?.endpoint], [TABLE, "eu-west-1", store.endpoint]);
    });
});

describe("the backend without TABLE_NAME", () => {
    it("answers exactly the old JSON, and its /health 200, with the AWS SDK unloadable", async () => {
        const backend = await spawnService("backend", { REGION: "us-east-2", DRAIN_MS: "0", NODE_OPTIONS: WITHOUT_SDK });
        try {
            assert.deepEqual(JSON.parse((await request(`${backend.url}/`)).body), { text: "backend microservice", region: "us-east-2" });
            const health = await request(`${backend.url}/health`);
            assert.deepEqual([health.status, JSON.parse(health.body)], [200, { status: "ok", region: "us-east-2" }]);
            const frontend = await startFrontend(backend.url);
            const page = await request(`${frontend.url}/`);
            await frontend.close();
            assert.equal(page.status, 200);
            assert.equal(shownVisits(page.body), undefined);
            assert.doesNotMatch(page.body, /Visits/);
        } finally {
            await stop(backend);
        }
    });

    it("with TABLE_NAME but no SDK to load (a misbuilt image), refuses in one line, exit 1", async () => {
        const refusal = await spawnRefusal("backend", {
            TABLE_NAME: TABLE,
            DYNAMODB_ENDPOINT: "http://127.0.0.1:9",
            NODE_OPTIONS: WITHOUT_SDK,
        });
        assert.equal(refusal.code, 1);
        assert.match(refusal.stderr, /^backend: TABLE_NAME is set but @aws-sdk\/client-dynamodb cannot be loaded: .*\n$/);
    });

    it("in a pod that EKS admitted without Pod Identity's credentials, refuses in one line that says how to fix it, exit 1", async () => {
        const noKeys = { AWS_CONTAINER_CREDENTIALS_FULL_URI: "", AWS_WEB_IDENTITY_TOKEN_FILE: "", AWS_ACCESS_KEY_ID: "" };
        const refusal = await spawnRefusal("backend", {
            ...noKeys,
            TABLE_NAME: TABLE,
            REGION: "us-east-2",
            KUBERNETES_SERVICE_HOST: "10.100.0.1",
        });
        assert.equal(refusal.code, 1);
        assert.match(
            refusal.stderr,
            /^backend: TABLE_NAME is set but this pod has no AWS credentials: .* kubectl -n sample-app rollout restart deployment\/sample-app-backend\n$/,
        );
        const podIdentity = { AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://169.254.170.23/v1/credentials" };
        const pod = { KUBERNETES_SERVICE_HOST: "10.100.0.1" };
        assert.equal(missingPodCredentials({ ...pod, ...podIdentity }, undefined), undefined);
        assert.equal(missingPodCredentials({ ...pod, AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" }, undefined), undefined);
        assert.equal(missingPodCredentials({}, undefined), undefined, "outside a cluster the SDK's chain decides");
        assert.equal(missingPodCredentials(pod, "http://127.0.0.1:8000"), undefined, "a local endpoint needs no AWS credentials");
        assert.match(missingPodCredentials(pod, undefined) ?? "", /no AWS credentials/);
    });
});

describe("a store that is down, throttled or slow: 503 within the deadline, a clear page, a failed check, no crash", function () {
    this.timeout(20_000);
    const STORE_TIMEOUT_MS = 300;
    const faults: [string, () => Promise<{ url: string; close(): Promise<void> }>][] = [
        ["unreachable", async () => ({ url: `http://127.0.0.1:${await closedPort()}`, close: async () => {} })],
        ["throttled", throttlingStore],
        ["timeout", silentStore],
    ];
    for (const [reason, makeStore] of faults) {
        it(`${reason}`, async () => {
            const fault = await makeStore();
            const backend = await backendWith(fault.url, { STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS) });
            const frontend = await startFrontend(backend.url, { timeoutMs: 2000, healthTimeoutMs: 1000 });
            try {
                const direct = await request(`${backend.url}/`);
                assert.equal(direct.status, 503);
                assert.deepEqual(JSON.parse(direct.body), { error: "data store unavailable", reason, region: "eu-west-1" });
                assert.ok(direct.ms < STORE_TIMEOUT_MS + MARGIN_MS, `took ${direct.ms} ms`);

                const page = await request(`${frontend.url}/`);
                assert.equal(page.status, 503);
                assert.match(page.body, /<h1>Data temporarily unavailable<\/h1>/);
                assert.match(page.body, new RegExp(`The data store is unavailable \\(${reason}\\).*Please retry in a few seconds`));
                assert.equal(page.headers["retry-after"], "5");
                assert.ok(page.ms < STORE_TIMEOUT_MS + MARGIN_MS, `took ${page.ms} ms`);

                const health = await request(`${frontend.url}/health`);
                assert.deepEqual(
                    [health.status, JSON.parse(health.body)],
                    [503, { status: "unavailable", region: "test-region-1", reason: "store", store: reason }],
                );
                assert.equal((await request(`${backend.url}/health`)).status, 503);

                assert.equal((await request(`${backend.url}/livez`)).status, 200, "the process still serves");
                await sleep(50);
                const failures = backend.logs.filter((l) => l.msg === "store call failed");
                assert.deepEqual(
                    failures.map((l) => [l.level, l.call, l.reason]),
                    [
                        ["warn", "count", reason],
                        ["warn", "count", reason],
                        ["warn", "check", reason],
                        ["warn", "check", reason],
                    ],
                    "one line per failed call, with its reason",
                );
            } finally {
                await frontend.close();
                await stop(backend);
                await fault.close();
            }
        });
    }

    it("retries a throttled call once, then gives up", async () => {
        const fault = await throttlingStore();
        const backend = await backendWith(fault.url);
        try {
            assert.equal((await request(`${backend.url}/`)).status, 503);
            assert.equal(fault.calls(), 2);
        } finally {
            await stop(backend);
            await fault.close();
        }
    });
});

describe("the frontend's side of the counter", () => {
    const open: { close(): Promise<void> }[] = [];
    afterEach(async () => void (await Promise.all(open.splice(0).map((s) => s.close()))));
    /** A backend that answers each path as `answers` says, recording the paths asked. */
    async function backendAnswering(answers: Record<string, [number, string]>) {
        const asked: string[] = [];
        const fake = await fakeBackend((req, res) => {
            asked.push(req.url ?? "");
            const [status, body] = answers[req.url ?? ""] ?? [404, '{"error":"not found"}'];
            res.writeHead(status, { "content-type": "application/json" }).end(body);
        });
        const frontend = await startFrontend(fake.url);
        open.push(frontend, fake);
        return { frontend, asked };
    }

    it("takes visits only as a non-negative integer", () => {
        assert.equal(parseMessage('{"text":"t","visits":0}').visits, 0);
        assert.equal(parseMessage('{"text":"t","visits":41}').visits, 41);
        for (const bad of ["-1", "1.5", '"3"', "null", "1e300", String(2 ** 53)]) {
            assert.throws(
                () => parseMessage(`{"text":"t","visits":${bad}}`),
                (err: unknown) => err instanceof BackendError && err.kind === "invalid",
                bad,
            );
        }
    });

    it("tells a data-store 503 from any other 503", async () => {
        const store = await backendAnswering({ "/": [503, '{"error":"data store unavailable","reason":"throttled","region":"r"}'] });
        const page = await request(`${store.frontend.url}/`);
        assert.deepEqual([page.status, /<h1>(.*)<\/h1>/.exec(page.body)?.[1]], [503, "Data temporarily unavailable"]);
        const other = await backendAnswering({ "/": [503, "<html>busy</html>"] });
        const plain = await request(`${other.frontend.url}/`);
        assert.deepEqual([plain.status, /<h1>(.*)<\/h1>/.exec(plain.body)?.[1]], [503, "Service temporarily unavailable"]);
        assert.match(plain.body, /\(status\)/);
    });

    it("asks the backend's /health for its deep check, never its counting /", async () => {
        const backend = await backendAnswering({ "/health": [200, '{"status":"ok","region":"r"}'], "/": [200, '{"text":"t"}'] });
        assert.equal((await request(`${backend.frontend.url}/health`)).status, 200);
        assert.deepEqual(backend.asked, ["/health"]);
    });

    it("falls back to / when the backend predates /health (404), as during a rollout", async () => {
        const old = await backendAnswering({ "/": [200, '{"text":"backend microservice"}'] });
        assert.equal((await request(`${old.frontend.url}/health`)).status, 200);
        assert.deepEqual(old.asked, ["/health", "/"]);
    });
});

describe("the store's settings", () => {
    it("keeps the backend's store deadline under the frontend's deep-check deadline, and that under Route 53's 2 s", () => {
        assert.ok(BACKEND_SETTINGS.STORE_TIMEOUT_MS.fallback < FRONTEND_SETTINGS.HEALTH_TIMEOUT_MS.fallback);
        assert.equal(BACKEND_SETTINGS.STORE_TIMEOUT_MS.parse(String(FRONTEND_SETTINGS.HEALTH_TIMEOUT_MS.fallback)), undefined);
        assert.ok(FRONTEND_SETTINGS.HEALTH_TIMEOUT_MS.fallback < 2000);
    });

    const refusals: [Record<string, string>, string][] = [
        [
            { TABLE_NAME: "my table" },
            'invalid TABLE_NAME="my table": expected unset, or a DynamoDB table name: 3-255 letters, digits, _ . and -',
        ],
        [{ STORE_TIMEOUT_MS: "1500" }, 'invalid STORE_TIMEOUT_MS="1500": expected an integer from 1 to 1400 (ms)'],
        [
            { DYNAMODB_ENDPOINT: "localhost:8000" },
            'invalid DYNAMODB_ENDPOINT="localhost:8000": expected unset, or an http:// or https:// URL',
        ],
        [
            { TABLE_NAME: TABLE, REGION: "local" },
            `TABLE_NAME=${TABLE} needs REGION to be the AWS region of its replica (such as us-east-2), got local`,
        ],
    ];
    for (const [env, message] of refusals) {
        it(`refuses ${Object.entries(env)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")} in one line, exit code 2`, async () => {
            assert.deepEqual(await spawnRefusal("backend", env), { code: 2, stderr: `backend: ${message}\n` });
        });
    }
});
