import { strict as assert } from "node:assert";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import {
    loadBalancedTimings,
    REGISTRATION_ALLOWANCE_SECONDS,
    TARGET_GROUP,
    TargetGroupTiming,
    TIMING_MARGIN_SECONDS,
} from "../services/loadBalancer";
import { rolloutTimeoutSeconds } from "../services/microservice";
import { listStacks } from "../tools/stacks";
import { nlbHostname } from "./support/mocks";
import { stackRun } from "./support/run";

const SERVICE = "kubernetes:core/v1:Service";
const A = "service.beta.kubernetes.io/aws-load-balancer-";
/**
 * The annotations Auto Mode's page lists as supported
 * (https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-nlb.html), plus `attributes`
 * and `target-group-attributes`, which its migration section uses to set attributes.
 */
const DOCUMENTED = new Set(
    [
        "type",
        "nlb-target-type",
        "scheme",
        "healthcheck-protocol",
        "healthcheck-path",
        "healthcheck-port",
        "subnets",
        "ssl-cert",
        "ssl-ports",
        "additional-resource-tags",
        "ip-address-type",
        "attributes",
        "target-group-attributes",
    ].map((a) => A + a),
);
/** Asked for although the page does not list it; never relied on (docs/services.md, the live checks). */
const REQUESTED_UNPROVEN = new Set([`${A}ssl-negotiation-policy`]);

/** The conditions the figures must meet, whatever the target group's settings. */
function assertRolloutCovers(tg: TargetGroupTiming, inFlight: number): void {
    const t = loadBalancedTimings(tg, inFlight);
    const label = JSON.stringify(tg);
    assert.ok(
        t.minReadySeconds >= REGISTRATION_ALLOWANCE_SECONDS + tg.healthyThresholdCount * tg.healthCheckIntervalSeconds,
        `minReadySeconds covers registration and the healthy threshold: ${label}`,
    );
    assert.ok(
        t.drainSeconds > tg.unhealthyThresholdCount * tg.healthCheckIntervalSeconds + tg.healthCheckTimeoutSeconds,
        `the drain outlasts the NLB marking the draining pod unhealthy: ${label}`,
    );
    assert.ok(t.drainSeconds > tg.deregistrationDelaySeconds, `the drain outlasts the deregistration delay: ${label}`);
    assert.ok(t.terminationGracePeriodSeconds > t.drainSeconds + inFlight, `the grace period covers both: ${label}`);
}

describe("the frontend's load balancer", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("is an internet-facing NLB from EKS Auto Mode, with IP targets, never the legacy in-tree controller", async () => {
                const run = await stackRun(stack);
                const svc = run.resources.get(SERVICE, `${stack}-frontend-service`);
                assert.equal(svc.inputs.spec.type, "LoadBalancer");
                assert.equal(svc.inputs.spec.loadBalancerClass, "eks.amazonaws.com/nlb");
                const annotations = svc.inputs.metadata.annotations as Record<string, string>;
                assert.equal(annotations[`${A}scheme`], "internet-facing");
                assert.equal(annotations[`${A}nlb-target-type`], "ip");
                assert.equal(annotations[`${A}type`], undefined, "no legacy aws-load-balancer-type");
                assert.equal(annotations[`${A}internal`], undefined);
            });

            it("checks the pods' readiness as target health on their probe port, so evaluateTargetHealth means healthy pods", async () => {
                const run = await stackRun(stack);
                const annotations = run.resources.get(SERVICE, `${stack}-frontend-service`).inputs.metadata.annotations;
                assert.equal(annotations[`${A}healthcheck-protocol`], "HTTP");
                assert.equal(annotations[`${A}healthcheck-path`], "/readyz");
                assert.equal(annotations[`${A}healthcheck-port`], "9090");
                const container = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-frontend-deployment`).inputs.spec.template
                    .spec.containers[0];
                assert.equal(container.readinessProbe.httpGet.path, "/readyz");
                assert.deepEqual(
                    container.ports.find((p: { name: string }) => p.name === container.readinessProbe.httpGet.port),
                    { name: "probes", containerPort: 9090, protocol: "TCP" },
                    "the NLB checks the port the kubelet probes",
                );
            });

            it("relies only on annotations Auto Mode documents, and sets the target group attributes the timings assume", async () => {
                const run = await stackRun(stack);
                const annotations = run.resources.get(SERVICE, `${stack}-frontend-service`).inputs.metadata.annotations;
                for (const key of Object.keys(annotations)) {
                    assert.ok(DOCUMENTED.has(key) || REQUESTED_UNPROVEN.has(key), `${key} is not on Auto Mode's list`);
                }
                assert.equal(annotations[`${A}attributes`], "load_balancing.cross_zone.enabled=true");
                // The delay the drain is derived from, and the NLB's own addresses as the pods' peers.
                assert.equal(
                    annotations[`${A}target-group-attributes`],
                    "deregistration_delay.timeout_seconds=60,preserve_client_ip.enabled=false",
                );
            });

            it("counts a new frontend pod available only once the NLB can have found it healthy, and drains an old one past deregistration", async () => {
                const run = await stackRun(stack);
                const deployment = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-frontend-deployment`).inputs.spec;
                const pod = deployment.template.spec;
                const env = (name: string) => Number(pod.containers[0].env.find((e: { name: string }) => e.name === name).value);
                const expected = loadBalancedTimings(TARGET_GROUP, env("SHUTDOWN_TIMEOUT_MS") / 1000);
                // 180 s registration + 5 checks 30 s apart + 10; 3 failed checks 30 s apart + a 10 s timeout + 10
                // (past the 60 s deregistration delay); + 10 s in flight + 10.
                assert.deepEqual(expected, { minReadySeconds: 340, drainSeconds: 110, terminationGracePeriodSeconds: 130 });
                assert.equal(deployment.minReadySeconds, expected.minReadySeconds);
                assert.equal(env("DRAIN_MS"), expected.drainSeconds * 1000);
                assert.equal(pod.terminationGracePeriodSeconds, expected.terminationGracePeriodSeconds);
                assertRolloutCovers(TARGET_GROUP, env("SHUTDOWN_TIMEOUT_MS") / 1000);
                const backend = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-backend-deployment`).inputs.spec;
                assert.equal(backend.minReadySeconds, 0, "the ClusterIP backend is reachable once ready");
            });

            it("is what the Route 53 alias points at, with the canonical zone id of an NLB in this region", async () => {
                const run = await stackRun(stack);
                const record = run.resources.get("aws:route53/record:Record", `${stack}-record`).inputs;
                assert.deepEqual(record.aliases, [
                    {
                        name: nlbHostname("sample-app-frontend-service", run.settings.region),
                        zoneId: COMMERCIAL_REGIONS[run.settings.region]!.nlb,
                        evaluateTargetHealth: true,
                    },
                ]);
            });
        });
    }

    describe("the rollout and shutdown figures follow the target group's", () => {
        const variants: [string, Partial<TargetGroupTiming>][] = [
            ["the upper bounds the program assumes", {}],
            [
                "the Load Balancer Controller's defaults",
                { healthCheckIntervalSeconds: 10, healthyThresholdCount: 3, unhealthyThresholdCount: 3 },
            ],
            ["a 10 s interval", { healthCheckIntervalSeconds: 10 }],
            ["ten checks to turn healthy", { healthyThresholdCount: 10 }],
            ["ten to turn unhealthy, a minute apart", { unhealthyThresholdCount: 10, healthCheckIntervalSeconds: 60 }],
            ["a short deregistration delay", { deregistrationDelaySeconds: 5 }],
            ["an hour's deregistration delay", { deregistrationDelaySeconds: 3600 }],
        ];
        for (const [label, change] of variants) {
            it(`with ${label}`, () => assertRolloutCovers({ ...TARGET_GROUP, ...change }, 10));
        }

        it("moves each figure with the setting it comes from", () => {
            const base = loadBalancedTimings(TARGET_GROUP, 10);
            const slower = loadBalancedTimings({ ...TARGET_GROUP, healthCheckIntervalSeconds: 60 }, 10);
            assert.equal(slower.minReadySeconds - base.minReadySeconds, TARGET_GROUP.healthyThresholdCount * 30);
            const longer = loadBalancedTimings({ ...TARGET_GROUP, deregistrationDelaySeconds: 600 }, 10);
            assert.equal(longer.drainSeconds, 600 + TIMING_MARGIN_SECONDS);
            assert.equal(
                longer.terminationGracePeriodSeconds - base.terminationGracePeriodSeconds,
                longer.drainSeconds - base.drainSeconds,
            );
        });

        it("gives Pulumi room to wait for a rollout of four rounds of minReadySeconds", () => {
            const minReady = loadBalancedTimings(TARGET_GROUP, 10).minReadySeconds;
            assert.ok(rolloutTimeoutSeconds(minReady) >= 4 * minReady);
            assert.ok(rolloutTimeoutSeconds(minReady) > 600, "longer than Pulumi's 10-minute default");
        });
    });

    it("replaces a Service whose class changes, as Kubernetes will not patch it, freeing its fixed name first", async () => {
        const run = await stackRun("prod-us");
        for (const tier of ["backend", "frontend"]) {
            const svc = run.resources.get(SERVICE, `prod-us-${tier}-service`);
            assert.deepEqual(svc.replaceOnChanges, ["spec.loadBalancerClass"]);
            assert.equal(svc.deleteBeforeReplace, true);
        }
    });
});
