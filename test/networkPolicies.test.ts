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

            it("lets every pod resolve names on port 53 at the cluster DNS address only, so no pod reaches anything else on 53", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(spec(run, "dns-egress"), {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            // The tenth address of either service range EKS picks when none is named.
                            to: [{ ipBlock: { cidr: "10.100.0.10/32" } }, { ipBlock: { cidr: "172.20.0.10/32" } }],
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                    ],
                });
            });

            it("lets the world reach the frontend's two ports, only the NLB's public subnets (its health checks) its probe port, and the frontend reach only the backend", async () => {
                const run = await stackRun(stack);
                const subnets = run.resources.ofType("aws:ec2/subnet:Subnet");
                const cidrsOf = (kind: string) =>
                    subnets.filter((s) => s.name.startsWith(`${stack}-${kind}-`)).map((s) => s.inputs.cidrBlock as string);
                assert.equal(cidrsOf("public").length, run.settings.network.azCount);
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
                        {
                            // The subnets the NLB lands in (tagged kubernetes.io/role/elb); pods live in the private ones.
                            from: cidrsOf("public").map((cidr) => ({ ipBlock: { cidr } })),
                            ports: [{ protocol: "TCP", port: 9090 }],
                        },
                    ],
                });
                const lb = run.resources.get("kubernetes:core/v1:Service", `${stack}-frontend-service`).inputs.metadata.annotations;
                assert.equal(
                    lb["service.beta.kubernetes.io/aws-load-balancer-healthcheck-port"],
                    "9090",
                    "the NLB checks the port the policy opens to it",
                );
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
                // The probe port is the last; only the kubelet, on the node, probes the backend's.
                assert.deepEqual(
                    spec(run, "frontend-ingress").ingress.flatMap((rule: { ports: { port: number }[] }) => rule.ports.map((p) => p.port)),
                    ports("frontend"),
                );
                assert.deepEqual(
                    spec(run, "backend-ingress").ingress[0].ports.map((p: { port: number }) => p.port),
                    ports("backend").slice(0, -1),
                );
            });

            it("are created only after the ConfigMap that switches Auto Mode's enforcement on", async () => {
                const run = await stackRun(stack);
                const enforcement = run.resources.get("kubernetes:core/v1:ConfigMap", `${stack}-network-policy-controller`);
                assert.deepEqual(enforcement.inputs.data, { "enable-network-policy-controller": "true" });
                const policies = run.resources.ofType(POLICY);
                assert.equal(policies.length, 5);
                for (const p of policies) assert.ok(p.dependencies.includes(enforcement.urn), p.name);
            });
        });
    }
});
