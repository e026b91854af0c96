/**
 * `k8s.netpol.<name>`: each NetworkPolicy the program creates exists with the program's spec,
 * and is enforced. On EKS the network policy controller (in the control plane; Auto Mode runs it
 * once `enable-network-policy-controller` is on) resolves every NetworkPolicy into PolicyEndpoint
 * objects of the `policyendpoints.networking.k8s.aws` CRD, which the node agent enforces
 * (https://docs.aws.amazon.com/eks/latest/userguide/network-policies-troubleshooting.html). Each
 * one sits in the policy's namespace and names it in `spec.policyRef`
 * (aws/amazon-network-policy-controller-k8s, pkg/policyendpoints/manager.go, newPolicyEndpoint).
 * A policy with none is written down but not enforced; no such CRD at all means no controller runs.
 */
import { Claim } from "../claim";
import type { KubeExpected } from "./expected";
import { canonical, judged, refused } from "./outcome";
import type { KubeReader, PolicyEndpoint, Read } from "./reader";

type ExpectedPolicy = KubeExpected["networkPolicies"][number];

const EXPECTED = "exists with the program's spec; enforced (a PolicyEndpoint names it)";
const NO_CONTROLLER = "no network policy controller: the API serves no policyendpoints.networking.k8s.aws";

type LivePolicy = { metadata?: { name?: string }; spec?: unknown };

function policyClaim(p: ExpectedPolicy, live: LivePolicy[], endpoints: Read<{ items?: PolicyEndpoint[] }>): Claim {
    const id = `k8s.netpol.${p.name}`;
    const what = `NetworkPolicy ${p.namespace}/${p.name} exists and is enforced`;
    const policy = live.find((l) => l.metadata?.name === p.name);
    if (!policy) return judged(id, what, EXPECTED, "absent", "not found: the program creates it");
    if (canonical(policy.spec) !== canonical(p.spec)) return judged(id, what, EXPECTED, "exists", "its spec differs from the program's");
    // The program turns the controller on, so a cluster without it has not answered.
    if (!endpoints.ok) return refused(id, what, EXPECTED, endpoints, { UNKNOWN: NO_CONTROLLER, unanswered: true });
    const names = (endpoints.value.items ?? [])
        .filter((e) => e.spec?.policyRef?.name === p.name && (e.spec.policyRef.namespace ?? p.namespace) === p.namespace)
        .map((e) => e.metadata?.name ?? "?");
    if (names.length === 0) return judged(id, what, EXPECTED, "exists; no PolicyEndpoint", "not enforced: no PolicyEndpoint names it");
    return judged(id, what, EXPECTED, `exists; PolicyEndpoint ${names.sort().join(", ")}`, "");
}

/** One claim per NetworkPolicy the program creates, from one list of each kind per namespace. */
export async function networkPolicyClaims(reader: KubeReader, expected: KubeExpected["networkPolicies"]): Promise<Claim[]> {
    const claims: Claim[] = [];
    for (const namespace of [...new Set(expected.map((p) => p.namespace))]) {
        const wanted = expected.filter((p) => p.namespace === namespace);
        const [live, endpoints] = await Promise.all([reader.networkPolicies(namespace), reader.policyEndpoints(namespace)]);
        for (const p of wanted) {
            claims.push(
                live.ok
                    ? policyClaim(p, live.value.items ?? [], endpoints)
                    : refused(`k8s.netpol.${p.name}`, `NetworkPolicy ${namespace}/${p.name} exists and is enforced`, EXPECTED, live),
            );
        }
    }
    return claims;
}
