/**
 * The namespace's traffic as a whitelist: everything is denied, then each path the app
 * needs is allowed by name.
 *
 * Probes keep working: the VPC CNI's network policy agent, which Auto Mode runs, always
 * allows a pod's traffic to and from its own node, and the kubelet probes from the node
 * (aws/aws-network-policy-agent #56 and #65). The NLB's health checks are ordinary ingress
 * to the frontend's ports, which the frontend allows from anywhere.
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
}

/** The instance metadata service: no pod here needs the node's credentials. */
export const METADATA_SERVICE = "169.254.169.254/32";

const tcp = (port: number) => ({ protocol: "TCP", port });

export function networkPolicies(name: string, parent: pulumi.Resource, t: PolicyTargets): k8s.networking.v1.NetworkPolicy[] {
    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(
            `${name}-${role}`,
            { metadata: { name: `sample-app-${role}`, namespace: t.namespace }, spec },
            { parent },
        );
    const frontend = { matchLabels: t.frontend };
    const backend = { matchLabels: t.backend };
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        // Port 53 to any address but the metadata service: Auto Mode runs CoreDNS on each node
        // as a system service, not as kube-dns pods, so a rule naming kube-dns pods would match
        // nothing and break every lookup (AWS's own Auto Mode samples allow port 53 the same way).
        policy("dns-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [METADATA_SERVICE] } }], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
            ],
        }),
        // From anywhere: with IP targets and client IPs preserved, traffic arrives from the clients.
        policy("frontend-ingress", { podSelector: frontend, policyTypes: ["Ingress"], ingress: [{ ports: t.frontendPorts.map(tcp) }] }),
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
    ];
}
