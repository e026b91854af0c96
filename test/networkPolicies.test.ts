import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { ProgramRun, runProgram, stackRun } from "./support/run";

/** Whether an IPv4 address lies in a CIDR block. */
function inCidr(address: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/") as [string, string];
    const value = (a: string) => a.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    return Math.floor(value(address) / size) === Math.floor(value(base) / size);
}

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
                assert.equal(run.resources.ofType(POLICY).length, 6, "nothing but the paths below");
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

            it("lets the backend reach the Pod Identity agent on 80 and HTTPS outside the VPC, never the metadata service", async () => {
                const run = await stackRun(stack);
                const backendEgress = spec(run, "backend-egress");
                assert.deepEqual(backendEgress, {
                    podSelector: BACKEND,
                    policyTypes: ["Egress"],
                    egress: [
                        // https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html
                        { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
                        {
                            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [run.settings.network.vpcCidr, "169.254.0.0/16"] } }],
                            ports: [{ protocol: "TCP", port: 443 }],
                        },
                    ],
                });
                const reaches = (address: string, port: number) =>
                    backendEgress.egress.some(
                        (rule: { to: { ipBlock: { cidr: string; except?: string[] } }[]; ports: { port: number }[] }) =>
                            rule.ports.some((p) => p.port === port) &&
                            rule.to.some(
                                (t) => inCidr(address, t.ipBlock.cidr) && !(t.ipBlock.except ?? []).some((e) => inCidr(address, e)),
                            ),
                    );
                assert.ok(reaches("169.254.170.23", 80) && reaches("52.94.0.10", 443), "the agent, and DynamoDB's public range");
                for (const [address, port] of [
                    ["169.254.169.254", 80],
                    ["169.254.169.254", 443],
                    ["169.254.170.23", 443],
                    [run.settings.network.vpcCidr.replace(/0\/\d+$/, "10"), 443],
                    ["52.94.0.10", 80],
                ] as const) {
                    assert.ok(!reaches(address, port), `${address}:${port}`);
                }
            });

            it("gives the backend no egress, and no service account of its own, without a table", async () => {
                const run = await runProgram(stack, { overrides: { dataTable: "" } });
                assert.deepEqual(
                    run.resources
                        .ofType(POLICY)
                        .map((p) => p.name.slice(stack.length + 1))
                        .sort(),
                    ["backend-ingress", "default-deny", "dns-egress", "frontend-egress", "frontend-ingress"],
                );
                assert.deepEqual(run.resources.ofType("kubernetes:core/v1:ServiceAccount"), []);
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
                assert.equal(policies.length, 6);
                for (const p of policies) assert.ok(p.dependencies.includes(enforcement.urn), p.name);
            });
        });
    }
});
