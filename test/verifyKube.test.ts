/**
 * verify's Kubernetes claims against a fake API server on loopback, read through the real
 * @kubernetes/client-node: the expectations come from each prod stack file's program run, a
 * healthy cluster passes every claim, and the autoscaler and budget claims fail and go unknown
 * when the cluster says so. Every test ends by checking the tool wrote nothing.
 */
import { strict as assert } from "node:assert";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { kubeconfigFor } from "../regions/cluster";
import { kubeClaims, KubeExpected } from "../tools/verify/kube";
import type { StackConfig } from "../config";
import { fakeKubeSession, healthyCluster, KubeObject, stackExpectations, statusOf } from "./support/fakeKubeApi";

const STACKS = ["prod-us", "prod-eu"];
const HPA_BACKEND = "k8s.hpa.sample-app-backend";
const PDB_FRONTEND = "k8s.pdb.sample-app-frontend";

const kube = fakeKubeSession();
const claimsOf = kube.claimsOf;
afterEach(() => kube.end());

/** The one object of a kind named `name`. */
function named(objects: Record<string, KubeObject[]>, plural: string, name: string): KubeObject & { spec: Record<string, unknown> } {
    const found = objects[plural]?.find((o) => o.metadata.name === name);
    if (!found) throw new Error(`no ${plural} ${name} in the fake cluster`);
    return found as KubeObject & { spec: Record<string, unknown> };
}

describe("verify, Kubernetes: what each stack's cluster should hold", () => {
    for (const stack of STACKS) {
        it(`${stack}: floors, ceilings and targets are the stack's config; policies, pool and zones the code's`, async () => {
            const { config, expected } = await stackExpectations(stack);
            const s = config.services;
            assert.deepEqual(
                expected.services.map((x) => [x.name, x.hpa?.spec.minReplicas, x.hpa?.spec.maxReplicas, x.serviceName]),
                [
                    ["sample-app-backend", s.minReplicas, s.maxReplicas, "sample-app-backend-service"],
                    ["sample-app-frontend", s.minReplicas, s.maxReplicas, "sample-app-frontend-service"],
                ],
            );
            const policies = expected.networkPolicies.map((p) => p.name);
            assert.equal(policies.includes("sample-app-backend-egress"), config.data.table !== undefined);
            assert.ok(policies.includes("sample-app-default-deny"), policies.join());
            assert.deepEqual(expected.metricsServer, { name: "metrics-server", namespace: "kube-system", pool: "system" });
            assert.equal(expected.zoneCount, config.network.azCount);
            assert.deepEqual(
                expected.services[0]!.spread.map((r) => r.topologyKey),
                ["topology.kubernetes.io/zone", "kubernetes.io/hostname"],
            );
        });
    }
});

describe("verify, Kubernetes: a healthy cluster", () => {
    for (const stack of STACKS) {
        it(`${stack}: every claim passes, with get and list calls only`, async () => {
            const { config, expected, zones } = await stackExpectations(stack);
            const fake = await kube.start(healthyCluster(expected, zones));
            // No expectations passed: kubeClaims runs the program for the stack itself, as the command will.
            const claims = await kubeClaims({ kubeconfig: fake.kubeconfig, config, stack });
            assert.deepEqual(
                claims.filter((c) => c.status !== "PASS").map((c) => `${c.id}: ${c.why}`),
                [],
            );
            const services = ["sample-app-backend", "sample-app-frontend"];
            const ids = [
                ...services.flatMap((s) => ["hpa", "pdb", "spread"].map((k) => `k8s.${k}.${s}`)),
                ...expected.networkPolicies.map((p) => `k8s.netpol.${p.name}`),
                ...["k8s.metrics-server", "k8s.metrics-server.pool", "k8s.images"],
            ];
            assert.deepEqual(claims.map((c) => c.id).sort(), ids.sort());
            assert.ok(fake.requests.length > 10 && fake.requests.every((r) => r.startsWith("GET ")), fake.requests.join("\n"));
            const hpa = claims.find((c) => c.id === HPA_BACKEND)!;
            assert.equal(
                hpa.observed,
                `min ${config.services.minReplicas}, max ${config.services.maxReplicas}, cpu Utilization ${config.services.cpuTargetPercent}`,
            );
        });
    }

    it("the fake catches a write: a create through the same kubeconfig is refused and recorded", async () => {
        const fake = await kube.start();
        const config = new KubeConfig();
        config.loadFromString(fake.kubeconfig);
        await assert.rejects(config.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "x" } } }), /405/);
        assert.deepEqual(fake.writes, ["POST /api/v1/namespaces"]);
        fake.writes.length = 0;
    });
});

describe("verify, Kubernetes: autoscalers", () => {
    it("FAIL when someone patched the floor, naming both floors", async () => {
        const { claim, config } = await claimsOf("prod-us", (o) => {
            named(o, "horizontalpodautoscalers", "sample-app-backend").spec.minReplicas = 1;
        });
        const c = claim(HPA_BACKEND);
        assert.equal(c.status, "FAIL");
        assert.match(c.expected, new RegExp(`^min ${config.services.minReplicas}, `));
        assert.match(c.observed, /^min 1, /);
        assert.equal(claim("k8s.hpa.sample-app-frontend").status, "PASS");
    });

    it("FAIL when the target metric is not the code's", async () => {
        const { claim } = await claimsOf("prod-eu", (o) => {
            const spec = named(o, "horizontalpodautoscalers", "sample-app-backend").spec;
            spec.metrics = [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }];
        });
        assert.equal(claim(HPA_BACKEND).status, "FAIL");
        assert.match(claim(HPA_BACKEND).observed, /memory Utilization 80$/);
    });

    it("FAIL when the autoscaler is gone: the up that made the kubeconfig made it too", async () => {
        const { claim } = await claimsOf("prod-us", (o) => {
            o.horizontalpodautoscalers = o.horizontalpodautoscalers!.filter((h) => h.metadata.name !== "sample-app-backend");
        });
        assert.deepEqual([claim(HPA_BACKEND).status, claim(HPA_BACKEND).observed], ["FAIL", "absent"]);
    });

    it("UNKNOWN, saying so, when the role may not get autoscalers", async () => {
        const { claim } = await claimsOf("prod-us", () => kube.fake.forbidden.add("get horizontalpodautoscalers"));
        assert.deepEqual(statusOf(claim(HPA_BACKEND)), ["UNKNOWN", "forbidden: get horizontalpodautoscalers (HTTP 403)"]);
    });
});

describe("verify, Kubernetes: disruption budgets", () => {
    it("FAIL with the controller's reason when no disruption is allowed", async () => {
        const { claim } = await claimsOf("prod-us", (o) => {
            const pdb = named(o, "poddisruptionbudgets", "sample-app-frontend");
            pdb.status = {
                disruptionsAllowed: 0,
                currentHealthy: 3,
                desiredHealthy: 3,
                expectedPods: 3,
                conditions: [{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "1 pod not ready" }],
            };
        });
        const c = claim(PDB_FRONTEND);
        assert.deepEqual(statusOf(c), ["FAIL", "no disruption allowed: InsufficientPods: 1 pod not ready"]);
        assert.match(c.observed, /disruptions allowed 0$/);
    });

    it("UNKNOWN while pods are still becoming healthy (a rollout, a scale-up)", async () => {
        const { claim } = await claimsOf("prod-us", (o) => {
            const pdb = named(o, "poddisruptionbudgets", "sample-app-frontend");
            pdb.status = { disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 };
        });
        assert.deepEqual(statusOf(claim(PDB_FRONTEND)), [
            "UNKNOWN",
            "no disruption allowed: 2 healthy of 3 pods, 2 must stay; pods still becoming healthy",
        ]);
    });

    it("FAIL when the budget is not the code's", async () => {
        const { claim } = await claimsOf("prod-eu", (o) => {
            named(o, "poddisruptionbudgets", "sample-app-frontend").spec = { minAvailable: 2, selector: {} };
        });
        assert.deepEqual(statusOf(claim(PDB_FRONTEND)), ["FAIL", "the budget differs from the program's"]);
        assert.match(claim(PDB_FRONTEND).expected, /^maxUnavailable 1, unhealthyPodEvictionPolicy AlwaysAllow; /);
    });

    it("UNKNOWN when the role may not get budgets", async () => {
        const { claim } = await claimsOf("prod-us", () => kube.fake.forbidden.add("get poddisruptionbudgets"));
        assert.deepEqual(statusOf(claim(PDB_FRONTEND)), ["UNKNOWN", "forbidden: get poddisruptionbudgets (HTTP 403)"]);
    });
});

describe("verify, Kubernetes: a kubeconfig that cannot be used", () => {
    async function allUnknown(kubeconfig: string, config: StackConfig, expected: KubeExpected) {
        const claims = await kubeClaims({ kubeconfig, config, stack: config.stack, expected });
        assert.ok(claims.length > 10);
        return claims.map((c) => [c.status, c.why]);
    }

    it("UNKNOWN, never a throw, when the program cannot run for the stack", async () => {
        const { config } = await stackExpectations("prod-us");
        const claims = await kubeClaims({ kubeconfig: "{}", config, stack: "nope" });
        assert.deepEqual(
            claims.map((c) => [c.id, c.status]),
            [["k8s", "UNKNOWN"]],
        );
        assert.match(claims[0]!.why, /^cannot run the program offline for nope: unknown stack "nope"/);
    });

    it("UNKNOWN for every claim, never a throw, when the kubeconfig is not one", async () => {
        const { config, expected } = await stackExpectations("prod-us");
        const results = await allUnknown("clusters: [", config, expected);
        assert.ok(
            results.every(([s, why]) => s === "UNKNOWN" && why!.startsWith("kubeconfig unusable: ")),
            JSON.stringify(results[0]),
        );
    });

    it("UNKNOWN for every claim when the stack's `aws eks get-token` cannot run", async () => {
        const { config, expected } = await stackExpectations("prod-eu");
        const real = JSON.parse(kubeconfigFor("c", "https://127.0.0.1:1", "", config.region)) as {
            users: { user: { exec: { command: string } } }[];
        };
        real.users[0]!.user.exec.command = "aws-cli-not-installed-here";
        const results = await allUnknown(JSON.stringify(real), config, expected);
        assert.ok(
            results.every(([s, why]) => s === "UNKNOWN" && /^cannot ask the cluster \(.*\): .*aws-cli-not-installed-here/.test(why!)),
            JSON.stringify(results[0]),
        );
    });
});
