import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { ProgramRun, stackRun } from "./support/run";

const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const FRONTEND = { matchLabels: { app: "sample-app", tier: "frontend" } };
const BACKEND = { matchLabels: { app: "sample-app", tier: "backend" } };

function spec(run: ProgramRun, role: string) {
    const policy = run.resources.get(POLICY, `${run.stack}-${role}`);
    assert.equal(policy.inputs.metadata.name, `sample-app-${role}`);
    assert.equal(policy.inputs.metadata.namespace, "sample-app");
    return policy.inputs.spec;
}

describe("NetworkPolicies as a whitelist", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("denies all ingress and egress in the namespace by default", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(spec(run, "default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
                assert.equal(run.resources.ofType(POLICY).length, 5, "nothing but the paths below");
            });

            it("lets every pod resolve names on port 53, and none reach the instance metadata service", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(spec(run, "dns-egress"), {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }],
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                    ],
                });
            });

            it("lets the world reach the frontend's two ports, and the frontend reach only the backend", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(spec(run, "frontend-ingress"), {
                    podSelector: FRONTEND,
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            ports: [
                                { protocol: "TCP", port: 8080 },
                                { protocol: "TCP", port: 8081 },
                            ],
                        },
                    ],
                });
                assert.deepEqual(spec(run, "frontend-egress"), {
                    podSelector: FRONTEND,
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ podSelector: BACKEND }], ports: [{ protocol: "TCP", port: 8080 }] }],
                });
            });

            it("lets only the frontend reach the backend", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(spec(run, "backend-ingress"), {
                    podSelector: BACKEND,
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [{ podSelector: FRONTEND }], ports: [{ protocol: "TCP", port: 8080 }] }],
                });
            });

            it("opens exactly the ports the pods listen on", async () => {
                const run = await stackRun(stack);
                const ports = (tier: string) =>
                    run.resources
                        .get("kubernetes:apps/v1:Deployment", `${stack}-${tier}-deployment`)
                        .inputs.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => p.containerPort);
                assert.deepEqual(
                    spec(run, "frontend-ingress").ingress[0].ports.map((p: { port: number }) => p.port),
                    ports("frontend"),
                );
                assert.deepEqual(
                    spec(run, "backend-ingress").ingress[0].ports.map((p: { port: number }) => p.port),
                    ports("backend"),
                );
            });
        });
    }
});
