import { strict as assert } from "node:assert";
import { BACKEND_SERVICE, NAMESPACE } from "../services";
import { validateK8sObject } from "./support/k8sSchema";
import { imageOf } from "./support/fixtures";
import { ACCOUNT_ID } from "./support/mocks";
import { ProgramRun, runProgram, stackRun } from "./support/run";
import { listStacks } from "../tools/stacks";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const TIERS = ["backend", "frontend"] as const;

function deployment(run: ProgramRun, tier: string) {
    return run.resources.get(DEPLOYMENT, `${run.stack}-${tier}-deployment`).inputs;
}
function container(run: ProgramRun, tier: string) {
    const containers = deployment(run, tier).spec.template.spec.containers;
    assert.equal(containers.length, 1);
    return containers[0];
}

describe("services on Kubernetes", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("validates every Kubernetes object against the Kubernetes schema", async () => {
                const run = await stackRun(stack);
                const objects = run.resources.resources.filter((r) => r.type.startsWith("kubernetes:"));
                assert.deepEqual(objects.map((o) => o.type).sort(), [
                    "kubernetes:apps/v1:Deployment",
                    "kubernetes:apps/v1:Deployment",
                    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                    "kubernetes:core/v1:ConfigMap",
                    "kubernetes:core/v1:Namespace",
                    "kubernetes:core/v1:Service",
                    "kubernetes:core/v1:Service",
                    "kubernetes:core/v1:ServiceAccount",
                    ...Array(6).fill("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
                    "kubernetes:policy/v1:PodDisruptionBudget",
                    "kubernetes:policy/v1:PodDisruptionBudget",
                    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
                ]);
                for (const o of objects) assert.doesNotThrow(() => validateK8sObject(o.type, o.inputs), `${o.type} ${o.name}`);
            });

            it("sends every Kubernetes object through the cluster's provider, into the sample-app namespace", async () => {
                const run = await stackRun(stack);
                const provider = run.resources.get("pulumi:providers:kubernetes", `${stack}-k8s`);
                const ns = run.resources.get("kubernetes:core/v1:Namespace", `${stack}-namespace`);
                assert.equal(ns.inputs.metadata.name, NAMESPACE);
                assert.equal(ns.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
                const app = run.resources.get("multiregion:services:SampleApp", stack);
                const inApp = (r: { parent: string }): boolean => {
                    for (let p = run.resources.byUrn(r.parent); p; p = run.resources.byUrn(p.parent)) if (p.urn === app.urn) return true;
                    return false;
                };
                for (const o of run.resources.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                    assert.equal(o.provider, run.resources.providerRef(provider), `${o.type} ${o.name}`);
                    if (o !== ns && inApp(o)) assert.equal(o.inputs.metadata.namespace, NAMESPACE, `${o.type} ${o.name}`);
                }
            });

            it("exposes the backend as ClusterIP sample-app-backend-service, port 80 to 8080", async () => {
                const run = await stackRun(stack);
                const svc = run.resources.get(SERVICE, `${stack}-backend-service`).inputs;
                assert.equal(svc.metadata.name, BACKEND_SERVICE);
                assert.equal(svc.spec.type, "ClusterIP");
                assert.deepEqual(svc.spec.ports, [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
                assert.deepEqual(svc.spec.selector, { app: "sample-app", tier: "backend" });
                assert.deepEqual(container(run, "backend").ports, [
                    { name: "http", containerPort: 8080, protocol: "TCP" },
                    { name: "probes", containerPort: 9090, protocol: "TCP" },
                ]);
            });

            it("points the frontend at the backend by its Kubernetes DNS name, and tells both their region", async () => {
                const run = await stackRun(stack);
                const env = (tier: string) =>
                    Object.fromEntries(container(run, tier).env.map((e: { name: string; value: string }) => [e.name, e.value]));
                assert.deepEqual(env("frontend"), {
                    PORT: "8080",
                    PROBE_PORT: "9090",
                    DRAIN_MS: "110000",
                    SHUTDOWN_TIMEOUT_MS: "10000",
                    REGION: run.settings.region,
                    BACKEND_URL: "http://sample-app-backend-service",
                    REDIRECT_PORT: "8081",
                    PUBLIC_HOST: run.settings.failover.recordName,
                });
                assert.deepEqual(env("backend"), {
                    PORT: "8080",
                    PROBE_PORT: "9090",
                    DRAIN_MS: "5000",
                    SHUTDOWN_TIMEOUT_MS: "10000",
                    REGION: run.settings.region,
                    TABLE_NAME: run.settings.data.table,
                });
            });

            it("probes readiness and liveness on the shallow endpoints, on a probe port of their own that no Service exposes", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const c = container(run, tier);
                    assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "probes" });
                    assert.deepEqual(c.livenessProbe.httpGet, { path: "/livez", port: "probes" });
                    assert.ok(c.livenessProbe.failureThreshold * c.livenessProbe.periodSeconds >= 10);
                    const probes = c.ports.find((p: { name: string }) => p.name === "probes");
                    assert.deepEqual(probes, { name: "probes", containerPort: 9090, protocol: "TCP" });
                    const env = c.env.find((e: { name: string }) => e.name === "PROBE_PORT");
                    assert.equal(env.value, "9090", "the app listens for probes where the kubelet sends them");
                    assert.notEqual(c.env.find((e: { name: string }) => e.name === "PORT").value, env.value, "not the app's capped port");
                }
                for (const svc of run.resources.ofType(SERVICE)) {
                    for (const p of svc.inputs.spec.ports) assert.notEqual(p.targetPort, "probes", `${svc.name} exposes the probe port`);
                }
            });

            it("sets CPU and memory requests and limits", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const { requests, limits } = container(run, tier).resources;
                    for (const k of ["cpu", "memory"]) {
                        assert.ok(requests[k] && limits[k], `${tier} ${k}`);
                    }
                }
            });

            it("locks the pods down: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const pod = deployment(run, tier).spec.template.spec;
                    assert.equal(pod.securityContext.runAsNonRoot, true);
                    assert.equal(pod.securityContext.runAsUser, 1000);
                    assert.deepEqual(pod.securityContext.seccompProfile, { type: "RuntimeDefault" });
                    assert.equal(pod.automountServiceAccountToken, false);
                    assert.deepEqual(container(run, tier).securityContext, {
                        runAsNonRoot: true,
                        readOnlyRootFilesystem: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    });
                }
            });

            it("spreads each service's pods across zones", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const spread = deployment(run, tier).spec.template.spec.topologySpreadConstraints;
                    const zone = spread.find((c: { topologyKey: string }) => c.topologyKey === "topology.kubernetes.io/zone");
                    assert.deepEqual(zone, {
                        maxSkew: 1,
                        topologyKey: "topology.kubernetes.io/zone",
                        whenUnsatisfiable: "ScheduleAnyway",
                        labelSelector: { matchLabels: { app: "sample-app", tier } },
                    });
                }
            });

            it("pulls pinned images only from this region's own ECR repositories", async () => {
                const run = await stackRun(stack);
                const region = run.settings.region;
                for (const tier of TIERS) {
                    const pinned = imageOf(run, tier);
                    assert.equal(container(run, tier).image, `${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${pinned}`);
                    assert.equal(container(run, tier).imagePullPolicy, "IfNotPresent");
                }
                const repos = run.resources.ofType("aws:ecr/repository:Repository");
                assert.deepEqual(repos.map((r) => r.inputs.name).sort(), ["sample-app-backend", "sample-app-frontend"]);
                for (const repo of repos) {
                    assert.equal(repo.importId, repo.inputs.name, "adopted from npm run images by name");
                    assert.equal(repo.retainOnDelete, true);
                    assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
                    assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
                    assert.equal(repo.inputs.forceDelete, false);
                    const lifecycle = run.resources.get("aws:ecr/lifecyclePolicy:LifecyclePolicy", repo.name);
                    assert.equal(JSON.parse(lifecycle.inputs.policy).rules[0].selection.tagStatus, "untagged");
                }
            });

            it("exports the load balancer's hostname and the image repositories", async () => {
                const run = await stackRun(stack);
                const region = run.settings.region;
                assert.equal(run.outputs.loadBalancerHostname, `sample-app-frontend--0123456789abcdef.elb.${region}.amazonaws.com`);
                assert.deepEqual(run.outputs.imageRepositories, {
                    "sample-app-backend": `${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/sample-app-backend`,
                    "sample-app-frontend": `${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/sample-app-frontend`,
                });
            });
        });
    }

    it("a digest-pinned image is used as given", async () => {
        const digest = `sha256:${"ab".repeat(32)}`;
        const run = await runProgram("prod-us", { overrides: { backendImage: `sample-app-backend@${digest}` } });
        assert.equal(
            container(run, "backend").image,
            `${ACCOUNT_ID}.dkr.ecr.${run.settings.region}.amazonaws.com/sample-app-backend@${digest}`,
        );
    });
});
