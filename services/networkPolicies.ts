/**
 * The namespace's traffic as a whitelist: everything is denied, then each path the app
 * needs is allowed by name.
 *
 * Probes keep working: the VPC CNI's network policy agent, which Auto Mode runs, always
 * allows a pod's traffic to and from its own node, and the kubelet probes from the node
 * (aws/aws-network-policy-agent #56 and #65). The NLB's health checks come from the NLB's own
 * addresses in the public subnets to the frontend's probe port, which nothing else may reach.
 *
 * Auto Mode enforces none of this until its policy controller is switched on, so every policy
 * is created after the switch (https://docs.aws.amazon.com/eks/latest/userguide/auto-net-pol.html).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface PolicyTargets {
    readonly namespace: pulumi.Input<string>;
    /** Labels of the frontend's and the backend's pods. */
    readonly frontend: Record<string, string>;
    readonly backend: Record<string, string>;
    /** The frontend's ports the load balancer sends to. */
    readonly frontendPorts: number[];
    /** The backend's port. */
    readonly backendPort: number;
    /** The frontend's probe port, which the NLB's health checks reach from its addresses in the VPC. */
    readonly healthCheckPort: number;
    /**
     * Where the NLB's health checks come from: the public subnets its nodes sit in. Pods take
     * addresses in the private subnets only, so no pod can fill the probe port's connection cap.
     */
    readonly healthCheckSources: string[];
    /** When the backend keeps state in DynamoDB: the VPC's CIDR, which its HTTPS egress leaves out. */
    readonly backendToAws?: { readonly vpcCidr: string };
}

/**
 * Where the EKS Pod Identity agent serves credentials on every node, on port 80
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-how-it-works.html). The instance
 * metadata service, 169.254.169.254, stays out of reach: the pods' only AWS identity is their own.
 */
export const POD_IDENTITY_AGENT = "169.254.170.23/32";

/**
 * Where pods' DNS queries go: the cluster DNS Service's address, the tenth of the service range,
 * which the kubelet writes into every pod's resolv.conf and which Auto Mode answers on the node
 * itself (CoreDNS runs there as a system service, with no kube-dns pods a podSelector could match:
 * aws/containers-roadmap#2552). EKS takes the range from 10.100.0.0/16 or 172.20.0.0/16 when the
 * cluster names none, as this program's does not
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html),
 * so both candidates are allowed; `npm run verify` (eks.dns) checks the cluster's range gives one of them.
 */
export const CLUSTER_DNS = ["10.100.0.10/32", "172.20.0.10/32"];

const tcp = (port: number) => ({ protocol: "TCP", port });

/**
 * The backend's way to its table: credentials from the Pod Identity agent, then HTTPS to
 * DynamoDB's public addresses, which the VPC's gateway endpoint routes privately. Nothing else in
 * the VPC and nothing link-local but the agent.
 */
function backendEgress(
    policy: (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => k8s.networking.v1.NetworkPolicy,
    backend: { matchLabels: Record<string, string> },
    vpcCidr: string,
): k8s.networking.v1.NetworkPolicy {
    return policy("backend-egress", {
        podSelector: backend,
        policyTypes: ["Egress"],
        egress: [
            { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT } }], ports: [tcp(80)] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [vpcCidr, "169.254.0.0/16"] } }], ports: [tcp(443)] },
        ],
    });
}

export function networkPolicies(
    name: string,
    parent: pulumi.Resource,
    enforcement: pulumi.Resource,
    t: PolicyTargets,
): k8s.networking.v1.NetworkPolicy[] {
    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(
            `${name}-${role}`,
            { metadata: { name: `sample-app-${role}`, namespace: t.namespace }, spec },
            { parent, dependsOn: [enforcement] },
        );
    const frontend = { matchLabels: t.frontend };
    const backend = { matchLabels: t.backend };
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("dns-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: CLUSTER_DNS.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "UDP", port: 53 }, tcp(53)] }],
        }),
        // The traffic ports from anywhere: the NLB's own addresses by default, or clients' if a
        // live target group preserves them. The probe port only from the NLB's subnets.
        policy("frontend-ingress", {
            podSelector: frontend,
            policyTypes: ["Ingress"],
            ingress: [
                { ports: t.frontendPorts.map(tcp) },
                { from: t.healthCheckSources.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(t.healthCheckPort)] },
            ],
        }),
        policy("frontend-egress", {
            podSelector: frontend,
            policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: backend }], ports: [tcp(t.backendPort)] }],
        }),
        policy("backend-ingress", {
            podSelector: backend,
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: frontend }], ports: [tcp(t.backendPort)] }],
        }),
        ...(t.backendToAws ? [backendEgress(policy, backend, t.backendToAws.vpcCidr)] : []),
    ];
}
