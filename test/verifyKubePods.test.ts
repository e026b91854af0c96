/**
 * verify's NetworkPolicy, metrics-server, spread and image claims against the fake API server,
 * through the real Kubernetes client: each one passing, failing and unknown, for the prod stack
 * files. Every test ends by checking the tool wrote nothing.
 */
import { strict as assert } from "node:assert";
import type { Claim } from "../tools/verify/claim";
import { expectedOf } from "../tools/verify/kube";
import { fakeDigest, fakeKubeSession, KubeObject, stackExpectations, statusOf } from "./support/fakeKubeApi";
import { runProgram } from "./support/run";

const DENY = "k8s.netpol.sample-app-default-deny";
const SPREAD = "k8s.spread.sample-app-frontend";

const kube = fakeKubeSession();
afterEach(() => kube.end());

const claimsOf: (...args: Parameters<typeof kube.claimsOf>) => Promise<(id: string) => Claim> = async (...args) =>
    (await kube.claimsOf(...args)).claim;

const without = (objects: KubeObject[] | undefined, name: string) => (objects ?? []).filter((o) => !o.metadata.name.startsWith(name));

describe("verify, Kubernetes: NetworkPolicies enforced", () => {
    it("PASS names the PolicyEndpoint that enforces each policy", async () => {
        const claim = await claimsOf("prod-us");
        assert.deepEqual([claim(DENY).status, claim(DENY).observed], ["PASS", "exists; PolicyEndpoint sample-app-default-deny-q4w8z"]);
    });

    it("FAIL 'not enforced' when no PolicyEndpoint names the policy", async () => {
        const claim = await claimsOf("prod-eu", (o) => {
            o.policyendpoints = without(o.policyendpoints, "sample-app-default-deny");
        });
        assert.deepEqual(statusOf(claim(DENY)), ["FAIL", "not enforced: no PolicyEndpoint names it"]);
        assert.equal(claim("k8s.netpol.sample-app-dns-egress").status, "PASS");
    });

    it("FAIL when a policy the program creates is missing, or edited by hand", async () => {
        const claim = await claimsOf("prod-us", (o) => {
            o.networkpolicies = without(o.networkpolicies, "sample-app-default-deny");
            const dns = o.networkpolicies.find((p) => p.metadata.name === "sample-app-dns-egress")!;
            dns.spec = { podSelector: {}, policyTypes: ["Egress"], egress: [{}] };
        });
        assert.deepEqual(statusOf(claim(DENY)), ["FAIL", "not found: the program creates it"]);
        assert.deepEqual(statusOf(claim("k8s.netpol.sample-app-dns-egress")), ["FAIL", "its spec differs from the program's"]);
    });

    it("UNKNOWN 'no network policy controller' when the API serves no policyendpoints", async () => {
        const claim = await claimsOf("prod-us", () => kube.fake.unserved.add("policyendpoints"));
        assert.deepEqual(statusOf(claim(DENY)), [
            "UNKNOWN",
            "no network policy controller: the API serves no policyendpoints.networking.k8s.aws",
        ]);
    });

    it("UNKNOWN when the role may not list policyendpoints, as AmazonEKSViewPolicy may not", async () => {
        const claim = await claimsOf("prod-eu", () => kube.fake.forbidden.add("list policyendpoints"));
        assert.deepEqual(statusOf(claim(DENY)), ["UNKNOWN", "forbidden: list policyendpoints (HTTP 403)"]);
    });
});

describe("verify, Kubernetes: metrics-server", () => {
    it("PASS: ready, and both pods on the system pool", async () => {
        const claim = await claimsOf("prod-us");
        assert.deepEqual([claim("k8s.metrics-server").status, claim("k8s.metrics-server").observed], ["PASS", "2/2 ready"]);
        const pool = claim("k8s.metrics-server.pool");
        assert.deepEqual([pool.status, pool.observed], ["PASS", "metrics-server-6c7b8-0 on system, metrics-server-6c7b8-1 on system"]);
        assert.equal(pool.expected, "every pod on a node labelled karpenter.sh/nodepool=system");
    });

    it("FAIL when a replica is not ready; UNKNOWN when a pod runs on the general-purpose pool", async () => {
        const claim = await claimsOf("prod-eu", (o) => {
            const d = o.deployments!.find((x) => x.metadata.name === "metrics-server")!;
            d.status = { replicas: 2, readyReplicas: 1 };
            const pod = o.pods!.find((p) => p.metadata.name === "metrics-server-6c7b8-1")!;
            pod.spec = {
                nodeName: o.nodes!.find((n) => n.metadata.labels?.["karpenter.sh/nodepool"] === "general-purpose")!.metadata.name,
            };
        });
        assert.deepEqual(statusOf(claim("k8s.metrics-server")), ["FAIL", "not every replica is ready"]);
        assert.equal(claim("k8s.metrics-server").observed, "1/2 ready");
        // The add-on asks for no pool yet: a finding, not a FAIL.
        assert.deepEqual(statusOf(claim("k8s.metrics-server.pool")), [
            "UNKNOWN",
            "1 pod(s) off the system pool: the add-on does not ask for it yet",
        ]);
    });

    it("FAIL for both when the add-on's Deployment is absent", async () => {
        const claim = await claimsOf("prod-us", (o) => {
            o.deployments = [];
        });
        assert.deepEqual(statusOf(claim("k8s.metrics-server")), ["FAIL", "not found: get deployments"]);
        assert.equal(claim("k8s.metrics-server.pool").status, "FAIL");
    });

    it("UNKNOWN pool when the role may not get nodes (AmazonEKSViewPolicy has no nodes); readiness still judged", async () => {
        const claim = await claimsOf("prod-us", () => kube.fake.forbidden.add("get nodes"));
        assert.equal(claim("k8s.metrics-server").status, "PASS");
        assert.deepEqual(statusOf(claim("k8s.metrics-server.pool")), ["UNKNOWN", "forbidden: get nodes (HTTP 403)"]);
    });

    it("UNKNOWN for both when the role may not get deployments", async () => {
        const claim = await claimsOf("prod-eu", () => kube.fake.forbidden.add("get deployments"));
        assert.deepEqual(statusOf(claim("k8s.metrics-server")), ["UNKNOWN", "forbidden: get deployments (HTTP 403)"]);
        assert.equal(claim("k8s.metrics-server.pool").status, "UNKNOWN");
    });
});

describe("verify, Kubernetes: pods spread over zones", () => {
    it("PASS with one ready pod per zone, each zone counted", async () => {
        const { zones } = await stackExpectations("prod-us");
        const claim = await claimsOf("prod-us");
        assert.equal(claim(SPREAD).status, "PASS");
        assert.equal(claim(SPREAD).observed, `${zones.map((z) => `${z}:1`).join(" ")} (skew 0)`);
    });

    it("UNKNOWN when every ready pod is in one zone, as the code only prefers spread; FAIL were the rule hard", async () => {
        const claim = await claimsOf("prod-eu", (o) => {
            const slice = o.endpointslices!.find(
                (s) => s.metadata.labels?.["kubernetes.io/service-name"] === "sample-app-frontend-service",
            )!;
            const endpoints = slice.endpoints as { zone: string }[];
            for (const e of endpoints) e.zone = endpoints[0]!.zone;
        });
        // The code only prefers spread (ScheduleAnyway): packed pods are reported, not failed.
        assert.deepEqual(statusOf(claim(SPREAD)), [
            "UNKNOWN",
            "3 ready pods in 1 zone(s), not 3; the code only prefers spread (ScheduleAnyway)",
        ]);
        assert.equal(claim("k8s.spread.sample-app-backend").status, "PASS");
        const hard = await claimsOf("prod-eu", (o, expected) => {
            for (const r of expected.services.flatMap((x) => x.spread)) Object.assign(r, { whenUnsatisfiable: "DoNotSchedule" });
            const slice = o.endpointslices!.find(
                (x) => x.metadata.labels?.["kubernetes.io/service-name"] === "sample-app-frontend-service",
            )!;
            const endpoints = slice.endpoints as { zone: string }[];
            for (const e of endpoints) e.zone = endpoints[0]!.zone;
        });
        assert.deepEqual(statusOf(hard(SPREAD)), ["FAIL", "3 ready pods in 1 zone(s), not 3"]);
    });

    it("PASS with two ready pods in two zones of three: min(ready, zones); not-ready pods do not count", async () => {
        const claim = await claimsOf("prod-us", (o) => {
            const slice = o.endpointslices!.find(
                (s) => s.metadata.labels?.["kubernetes.io/service-name"] === "sample-app-frontend-service",
            )!;
            (slice.endpoints as { conditions: { ready: boolean } }[])[2]!.conditions.ready = false;
        });
        assert.equal(claim(SPREAD).status, "PASS");
        assert.match(claim(SPREAD).observed, /^\S+:1 \S+:1 \(skew 1\)$/);
    });

    it("UNKNOWN with no ready pod, and when the role may not list endpointslices", async () => {
        let claim = await claimsOf("prod-us", (o) => {
            o.endpointslices = o.endpointslices!.map((s) => ({ ...s, endpoints: [] }));
        });
        assert.deepEqual(statusOf(claim(SPREAD)), ["UNKNOWN", "no ready pods to spread"]);
        claim = await claimsOf("prod-eu", () => kube.fake.forbidden.add("list endpointslices"));
        assert.deepEqual(statusOf(claim(SPREAD)), ["UNKNOWN", "forbidden: list endpointslices (HTTP 403)"]);
    });
});

describe("verify, Kubernetes: image digests", () => {
    it("PASS records each Deployment's digest, which live parity compares between regions", async () => {
        const { config, expected, zones } = await stackExpectations("prod-us");
        const claim = await claimsOf("prod-us", () => {}, { config, expected, zones });
        assert.equal(claim("k8s.images").status, "PASS");
        const [backend, frontend] = [fakeDigest("sample-app-backend"), fakeDigest("sample-app-frontend")];
        assert.equal(claim("k8s.images").observed, `sample-app-backend=${backend}; sample-app-frontend=${frontend}`);
    });

    it("FAIL when a Deployment's pods run two digests", async () => {
        const claim = await claimsOf("prod-eu", (o) => {
            const pod = o.pods!.find((p) => p.metadata.name === "sample-app-backend-5d8f9-0")!;
            (pod.status as { containerStatuses: { imageID: string }[] }).containerStatuses[0]!.imageID =
                `x/sample-app-backend@${fakeDigest("old")}`;
        });
        assert.deepEqual(statusOf(claim("k8s.images")), [
            "FAIL",
            "sample-app-backend/sample-app-backend: 2 digests (a rollout under way, or drift)",
        ]);
        // The same old pod terminating, as after a rollout (its phase stays Running): left out.
        const draining = await claimsOf("prod-eu", (o) => {
            const pod = o.pods!.find((p) => p.metadata.name === "sample-app-backend-5d8f9-0")!;
            (pod.metadata as { deletionTimestamp?: string }).deletionTimestamp = "2026-05-01T09:00:00Z";
            (pod.status as { containerStatuses: { imageID: string }[] }).containerStatuses[0]!.imageID =
                `x/sample-app-backend@${fakeDigest("old")}`;
        });
        assert.equal(draining("k8s.images").status, "PASS");
    });

    it("FAIL when the stack pins a digest the pods do not run", async () => {
        const pin = fakeDigest("pinned");
        const run = await runProgram("prod-us", { hostedZones: "assume", overrides: { backendImage: `sample-app-backend@${pin}` } });
        const given = { config: run.settings, expected: expectedOf(run.resources.resources, run.settings), zones: run.zones.slice(0, 3) };
        const claim = await claimsOf(
            "prod-us",
            (o) => {
                for (const p of o.pods!.filter((x) => x.metadata.name.startsWith("sample-app-backend"))) {
                    (p.status as { containerStatuses: { imageID: string }[] }).containerStatuses[0]!.imageID =
                        `x/sample-app-backend@${fakeDigest("other")}`;
                }
            },
            given,
        );
        assert.match(claim("k8s.images").expected, new RegExp(`pinned ${pin}$`));
        assert.deepEqual(statusOf(claim("k8s.images")), [
            "FAIL",
            `sample-app-backend/sample-app-backend: runs ${fakeDigest("other")}, the stack pins ${pin}`,
        ]);
    });

    it("UNKNOWN with no running pod, and when the role may not list pods", async () => {
        let claim = await claimsOf("prod-us", (o) => {
            o.pods = o.pods!.filter((p) => !p.metadata.name.startsWith("sample-app-frontend"));
        });
        assert.deepEqual(statusOf(claim("k8s.images")), ["UNKNOWN", "sample-app-frontend/sample-app-frontend: no running pod"]);
        claim = await claimsOf("prod-eu", () => kube.fake.forbidden.add("list pods"));
        assert.equal(claim("k8s.images").status, "UNKNOWN");
        assert.match(claim("k8s.images").why, /^forbidden: list pods \(HTTP 403\); forbidden: list pods/);
    });
});
