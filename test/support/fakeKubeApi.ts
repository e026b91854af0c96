/**
 * A fake Kubernetes API server on loopback for verify's claims: it answers the get and list paths
 * a real API server serves, in its shapes (`<Kind>List` with `items` and `metadata`, a `Status`
 * object for 403 and 404), and records every request. Anything but a get or a list (another
 * method, or a watch) is recorded in `writes` and refused, so a test can prove verify wrote nothing.
 */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { StackConfig } from "../../config";
import type { Claim } from "../../tools/verify/claim";
import { expectedOf, KubeExpected, kubeClaims } from "../../tools/verify/kube";
import { stackRun } from "./run";
import { ZONE_KEY } from "../../tools/verify/kube/spread";

/** The resources verify reads: their group/version and kind, and whether they live in a namespace. */
export const RESOURCES: Record<string, { apiVersion: string; kind: string; cluster?: true }> = {
    deployments: { apiVersion: "apps/v1", kind: "Deployment" },
    horizontalpodautoscalers: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" },
    poddisruptionbudgets: { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
    networkpolicies: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" },
    policyendpoints: { apiVersion: "networking.k8s.aws/v1alpha1", kind: "PolicyEndpoint" },
    pods: { apiVersion: "v1", kind: "Pod" },
    nodes: { apiVersion: "v1", kind: "Node", cluster: true },
    endpointslices: { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" },
};

/** A Kubernetes object, loosely: the fake stores what tests give it. */
export type KubeObject = { metadata: { name: string; namespace?: string; labels?: Record<string, string> } } & Record<string, unknown>;

export interface FakeKube {
    readonly kubeconfig: string;
    /** Every request, as `GET /path?query`. */
    readonly requests: string[];
    /** Requests that were not a get or a list. */
    readonly writes: string[];
    /** Objects by resource plural; tests edit them between runs. */
    readonly objects: Record<string, KubeObject[]>;
    /** `verb plural` pairs the API answers 403 to, e.g. `get nodes`. */
    readonly forbidden: Set<string>;
    /** Plurals the API does not serve at all (no CRD): 404 on every path. */
    readonly unserved: Set<string>;
    close(): Promise<void>;
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

/** `/api/v1/...` or `/apis/<group>/<version>/...`, then `namespaces/<ns>/` for namespaced ones, then `<plural>[/<name>]`. */
const PATH = /^\/(?:api\/v1|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/;

/** Equality-based label selectors only (`a=b,c=d`), which is all verify sends. */
function selects(selector: string | null, labels: Record<string, string> = {}): boolean {
    return (selector ?? "")
        .split(",")
        .filter(Boolean)
        .every((term) => {
            const [key, value] = term.split("=");
            return labels[key!] === value;
        });
}

function answer(fake: FakeKube, req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    fake.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const m = PATH.exec(url.pathname);
    const plural = m?.[4] ?? "";
    const type = RESOURCES[plural];
    const verb = m?.[5] ? "get" : "list";
    if (req.method !== "GET" || url.searchParams.get("watch") === "true") {
        fake.writes.push(`${req.method} ${url.pathname}${url.search}`);
        return status(res, 405, "MethodNotAllowed", `the fake API serves get and list only, not ${req.method}`);
    }
    if (!m || !type || fake.unserved.has(plural)) return status(res, 404, "NotFound", "the server could not find the requested resource");
    if (fake.forbidden.has(`${verb} ${plural}`)) {
        const scope = m[3] ? ` in the namespace "${m[3]}"` : " at the cluster scope";
        return status(res, 403, "Forbidden", `${plural} is forbidden: User "verify" cannot ${verb} resource "${plural}"${scope}`);
    }
    const items = (fake.objects[plural] ?? []).filter((o) => !m[3] || o.metadata.namespace === m[3]);
    if (verb === "list") {
        const selected = items.filter((o) => selects(url.searchParams.get("labelSelector"), o.metadata.labels));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
            JSON.stringify({
                kind: `${type.kind}List`,
                apiVersion: type.apiVersion,
                metadata: { resourceVersion: "1000" },
                items: selected,
            }),
        );
        return;
    }
    const found = items.find((o) => o.metadata.name === m[5]);
    if (!found) return status(res, 404, "NotFound", `${plural} "${m[5]}" not found`);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: type.kind, apiVersion: type.apiVersion, ...found }));
}

/** A kubeconfig for the fake: plain HTTP on loopback (the client needs skip-TLS-verify for http) and a bearer token. */
export function fakeKubeconfig(port: number): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fake", cluster: { server: `http://127.0.0.1:${port}`, "insecure-skip-tls-verify": true } }],
        users: [{ name: "verify", user: { token: "fake-token" } }],
        contexts: [{ name: "fake", context: { cluster: "fake", user: "verify" } }],
        "current-context": "fake",
    });
}

export async function startFakeKube(objects: Record<string, KubeObject[]> = {}): Promise<FakeKube> {
    const fake = {
        kubeconfig: "",
        requests: [] as string[],
        writes: [] as string[],
        objects,
        forbidden: new Set<string>(),
        unserved: new Set<string>(),
        close: async () => {},
    };
    const server = http.createServer((req, res) => answer(fake, req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    fake.kubeconfig = fakeKubeconfig((server.address() as AddressInfo).port);
    fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
    return fake;
}

/** A digest for a made-up image: 64 hex characters, stable per name. */
export function fakeDigest(name: string): string {
    return `sha256:${createHash("sha256").update(name).digest("hex")}`;
}

/** Pods per app Deployment in a healthy cluster, placed round-robin over the zones as the spread rule would. */
const PODS_PER_SERVICE = 3;

/** The app's objects as the program applied them, its pods ready and running, their endpoints zoned. */
function appObjects(expected: KubeExpected, zones: string[]): Record<string, KubeObject[]> {
    const w: Record<string, KubeObject[]> = { horizontalpodautoscalers: [], poddisruptionbudgets: [], pods: [], endpointslices: [] };
    for (const s of expected.services) {
        const at = (name: string) => ({ name, namespace: s.namespace });
        if (s.hpa) w.horizontalpodautoscalers!.push({ metadata: at(s.hpa.name), spec: s.hpa.spec });
        const budget = { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 };
        const allowed = [{ type: "DisruptionAllowed", status: "True", reason: "SufficientPods", message: "" }];
        if (s.pdb) w.poddisruptionbudgets!.push({ metadata: at(s.pdb.name), spec: s.pdb.spec, status: { ...budget, conditions: allowed } });
        const pods = Array.from({ length: PODS_PER_SERVICE }, (_, i) => ({ name: `${s.name}-5d8f9-${i}`, zone: zones[i % zones.length]! }));
        for (const p of pods) {
            const containerStatuses = Object.entries(s.images).map(([name, image]) => ({
                name,
                ready: true,
                restartCount: 0,
                image,
                imageID: `123456789012.dkr.ecr.us-east-2.amazonaws.com/${name}@${fakeDigest(name)}`,
            }));
            w.pods!.push({
                metadata: { ...at(p.name), labels: s.selector },
                spec: { nodeName: `node-${p.zone}`, containers: [] },
                status: { phase: "Running", containerStatuses },
            });
        }
        const endpoints = pods.map((p, i) => ({
            addresses: [`10.10.${i}.7`],
            conditions: { ready: true, serving: true, terminating: false },
            targetRef: { kind: "Pod", name: p.name, namespace: s.namespace },
            nodeName: `node-${p.zone}`,
            zone: p.zone,
        }));
        const labels = {
            "kubernetes.io/service-name": s.serviceName ?? "",
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        };
        w.endpointslices!.push({ metadata: { ...at(`${s.serviceName}-x7k2p`), labels }, addressType: "IPv4", endpoints, ports: [] });
    }
    return w;
}

/** metrics-server's Deployment, its two pods and the nodes they run on, in the pool the code says. */
function metricsObjects(expected: KubeExpected, zones: string[]): Record<string, KubeObject[]> {
    const m = expected.metricsServer;
    const appNodes = zones.map((z) => ({
        metadata: { name: `node-${z}`, labels: { "karpenter.sh/nodepool": "general-purpose", [ZONE_KEY]: z } },
    }));
    if (!m) return { nodes: appNodes };
    const labels = { "k8s-app": "metrics-server" };
    const pods = [0, 1].map((i) => ({
        metadata: { name: `metrics-server-6c7b8-${i}`, namespace: m.namespace, labels },
        spec: { nodeName: `system-${i}` },
        status: { phase: "Running" },
    }));
    const systemNodes = [0, 1].map((i) => ({
        metadata: { name: `system-${i}`, labels: { "karpenter.sh/nodepool": m.pool ?? "system", [ZONE_KEY]: zones[i % zones.length]! } },
    }));
    const deployment = {
        metadata: { name: m.name, namespace: m.namespace, labels },
        spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels } } },
        status: { replicas: 2, readyReplicas: 2, availableReplicas: 2 },
    };
    return { deployments: [deployment], pods, nodes: [...appNodes, ...systemNodes] };
}

/**
 * The cluster after a good `up` of `expected`'s stack: every object the program makes, enforced,
 * ready, spread and running one digest per image. Tests break one thing at a time.
 */
export function healthyCluster(expected: KubeExpected, zones: string[]): Record<string, KubeObject[]> {
    // A copy: tests edit the cluster, never the expectations it was made from.
    expected = structuredClone(expected);
    const app = appObjects(expected, zones);
    const metrics = metricsObjects(expected, zones);
    const networkpolicies = expected.networkPolicies.map((p) => ({ metadata: { name: p.name, namespace: p.namespace }, spec: p.spec }));
    const policyendpoints = expected.networkPolicies.map((p) => ({
        metadata: { name: `${p.name}-q4w8z`, namespace: p.namespace },
        spec: { policyRef: { name: p.name, namespace: p.namespace }, podSelector: p.spec.podSelector, priority: 1001, isGlobal: false },
    }));
    return { ...app, ...metrics, pods: [...app.pods!, ...(metrics.pods ?? [])], networkpolicies, policyendpoints };
}

/** A stack's expectations from the shared offline run of its stack file, and the zones its nodes span. */
export async function stackExpectations(stack: string): Promise<{ config: StackConfig; expected: KubeExpected; zones: string[] }> {
    const run = await stackRun(stack);
    const config = run.settings;
    return { config, expected: expectedOf(run.resources.resources, config), zones: run.zones.slice(0, config.network.azCount) };
}

/** Each claim by id; a test naming an id the tool did not produce fails on it. */
export function claimsById(claims: Claim[]): (id: string) => Claim {
    const map = new Map(claims.map((c) => [c.id, c]));
    return (id) => {
        const claim = map.get(id);
        if (!claim) throw new Error(`no claim ${id}; claims: ${[...map.keys()].join(", ")}`);
        return claim;
    };
}

type Edit = (objects: Record<string, KubeObject[]>, expected: KubeExpected) => void;
type Given = { config: StackConfig; expected: KubeExpected; zones: string[] };

/**
 * The fakes of one test file: `claimsOf` runs the claims against a healthy cluster of the stack,
 * edited; `end` (an afterEach) closes every fake started and fails the test if any saw a write.
 */
export function fakeKubeSession() {
    const started: FakeKube[] = [];
    const session = {
        /** The fake the test started last. */
        get fake(): FakeKube {
            const last = started[started.length - 1];
            if (!last) throw new Error("no fake API server started yet");
            return last;
        },
        start: async (objects: Record<string, KubeObject[]> = {}): Promise<FakeKube> => {
            started.push(await startFakeKube(objects));
            return session.fake;
        },
        claimsOf: async (stack: string, edit: Edit = () => {}, given?: Given) => {
            const { config, expected, zones } = given ?? (await stackExpectations(stack));
            const fake = await session.start(healthyCluster(expected, zones));
            edit(fake.objects, expected);
            return { claim: claimsById(await kubeClaims({ kubeconfig: fake.kubeconfig, config, stack, expected })), config };
        },
        end: async (): Promise<void> => {
            const fakes = started.splice(0);
            await Promise.all(fakes.map((f) => f.close()));
            assert.deepEqual(
                fakes.flatMap((f) => f.writes),
                [],
                "verify must only get and list",
            );
        },
    };
    return session;
}

/** A claim's verdict and reason, to assert both at once. */
export const statusOf = (c: Claim) => [c.status, c.why];
