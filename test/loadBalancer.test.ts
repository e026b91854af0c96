import { strict as assert } from "node:assert";
import { COMMERCIAL_REGIONS } from "../regions/awsData";
import { listStacks } from "../tools/stacks";
import { nlbHostname } from "./support/mocks";
import { stackRun } from "./support/run";

const SERVICE = "kubernetes:core/v1:Service";
const A = "service.beta.kubernetes.io/aws-load-balancer-";

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

            it("checks the pods' readiness as target health, so evaluateTargetHealth means healthy pods", async () => {
                const run = await stackRun(stack);
                const annotations = run.resources.get(SERVICE, `${stack}-frontend-service`).inputs.metadata.annotations;
                assert.equal(annotations[`${A}healthcheck-protocol`], "HTTP");
                assert.equal(annotations[`${A}healthcheck-path`], "/readyz");
                assert.equal(annotations[`${A}healthcheck-port`], "8080");
                const container = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-frontend-deployment`).inputs.spec.template
                    .spec.containers[0];
                assert.equal(container.readinessProbe.httpGet.path, "/readyz");
                assert.deepEqual(container.ports[0], { name: "http", containerPort: 8080, protocol: "TCP" });
            });

            it("balances across zones, keeps client addresses, and lets a pod finish within its drain", async () => {
                const run = await stackRun(stack);
                const annotations = run.resources.get(SERVICE, `${stack}-frontend-service`).inputs.metadata.annotations;
                assert.equal(annotations[`${A}attributes`], "load_balancing.cross_zone.enabled=true");
                assert.equal(
                    annotations[`${A}target-group-attributes`],
                    "preserve_client_ip.enabled=true,deregistration_delay.timeout_seconds=30",
                );
                const pod = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-frontend-deployment`).inputs.spec.template.spec;
                const drainMs = Number(pod.containers[0].env.find((e: { name: string }) => e.name === "DRAIN_MS").value);
                // Two failed checks 10 s apart take the pod out of the NLB before it stops serving.
                assert.ok(drainMs >= 20_000, `${drainMs}`);
                assert.ok(
                    pod.terminationGracePeriodSeconds * 1000 > drainMs + 10_000,
                    "drain plus the in-flight limit fit in the grace period",
                );
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

    it("replaces a Service whose class changes, as Kubernetes will not patch it, freeing its fixed name first", async () => {
        const run = await stackRun("prod-us");
        for (const tier of ["backend", "frontend"]) {
            const svc = run.resources.get(SERVICE, `prod-us-${tier}-service`);
            assert.deepEqual(svc.replaceOnChanges, ["spec.loadBalancerClass"]);
            assert.equal(svc.deleteBeforeReplace, true);
        }
    });
});
