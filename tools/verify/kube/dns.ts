/**
 * The cluster's DNS address. The NetworkPolicies open DNS only to the two addresses EKS gives the
 * DNS Service in its default service ranges (CLUSTER_DNS, services/networkPolicies.ts); no Auto
 * Mode page names the address, so this claim reads it: the `kube-dns` Service in kube-system,
 * which the cluster's DNS answers behind (docs/services.md).
 */
import { CLUSTER_DNS } from "../../../services/networkPolicies";
import { Claim } from "../claim";
import { judged, refused } from "./outcome";
import { KubeReader } from "./reader";

const ID = "k8s.dns";
const WHAT = "the cluster DNS Service's address is one the NetworkPolicies open";

export async function dnsClaim(reader: KubeReader): Promise<Claim> {
    const allowed = CLUSTER_DNS.map((cidr) => cidr.replace(/\/32$/, ""));
    const expected = `one of ${allowed.join(", ")}`;
    const service = await reader.service("kube-system", "kube-dns");
    if (!service.ok) return refused(ID, WHAT, expected, service);
    const ip = service.value.spec?.clusterIP ?? "none";
    return judged(ID, WHAT, expected, ip, allowed.includes(ip) ? "" : `the pods' DNS egress allows only ${allowed.join(" and ")}`);
}
