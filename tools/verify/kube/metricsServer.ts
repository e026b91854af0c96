/**
 * metrics-server, the autoscalers' CPU source: `k8s.metrics-server` (its Deployment ready) and
 * `k8s.metrics-server.pool` (its pods on the node pool the code says). Auto Mode labels each node
 * with its pool as `karpenter.sh/nodepool`, the label its own guide selects the `system` pool by
 * (https://docs.aws.amazon.com/eks/latest/userguide/critical-workload.html). That guide also
 * says a pod lands there only with a CriticalAddonsOnly toleration and that node selector, which
 * is why where the add-on's pods land is a live reading, not an offline one.
 */
import { Claim, unknown } from "../claim";
import type { KubeExpected } from "./expected";
import { judged, refused } from "./outcome";
import type { KubeReader } from "./reader";

/** The label Auto Mode (Karpenter) puts on every node it launches, naming the node's pool. */
export const NODE_POOL_LABEL = "karpenter.sh/nodepool";

const READY = "metrics-server ready: ready replicas = replicas";
const poolWhat = "metrics-server's pods run on the pool the code says";

/** Both claims, from one read of the Deployment. */
export async function metricsServerClaims(reader: KubeReader, expected: KubeExpected["metricsServer"]): Promise<Claim[]> {
    if (!expected) return [unknown("k8s.metrics-server", READY, "", "the program installs no metrics-server add-on")];
    const { name, namespace, pool } = expected;
    const poolExpected = pool ? `every pod on a node labelled ${NODE_POOL_LABEL}=${pool}` : "";
    const live = await reader.deployment(namespace, name);
    if (!live.ok) {
        return [refused("k8s.metrics-server", READY, "ready", live), refused("k8s.metrics-server.pool", poolWhat, poolExpected, live)];
    }
    const replicas = live.value.spec?.replicas ?? 0;
    const ready = live.value.status?.readyReplicas ?? 0;
    const readiness = judged(
        "k8s.metrics-server",
        READY,
        "ready",
        `${ready}/${replicas} ready`,
        replicas > 0 && ready === replicas ? "" : "not every replica is ready",
    );
    if (!pool) return [readiness, unknown("k8s.metrics-server.pool", poolWhat, "", "the cluster enables no pool the code names for it")];
    return [readiness, await poolClaim(reader, namespace, live.value.spec?.selector?.matchLabels ?? {}, pool, poolExpected)];
}

/** Each pod's node, and each node's pool label; a node that cannot be read leaves the claim UNKNOWN. */
async function poolClaim(
    reader: KubeReader,
    namespace: string,
    selector: Record<string, string>,
    pool: string,
    expected: string,
): Promise<Claim> {
    const id = "k8s.metrics-server.pool";
    const pods = await reader.pods(namespace, selector);
    if (!pods.ok) return refused(id, poolWhat, expected, pods);
    const placed = pods.value.items.filter((p) => p.spec?.nodeName);
    if (placed.length === 0) return unknown(id, poolWhat, expected, "no metrics-server pod is scheduled on a node");
    const where: string[] = [];
    for (const pod of placed) {
        const node = await reader.node(pod.spec?.nodeName ?? "");
        if (!node.ok) return refused(id, poolWhat, expected, node, { UNKNOWN: `${node.why}: ${pod.spec?.nodeName} went away` });
        where.push(`${pod.metadata?.name} on ${node.value.metadata?.labels?.[NODE_POOL_LABEL] ?? "no pool"}`);
    }
    const elsewhere = where.filter((w) => !w.endsWith(` on ${pool}`));
    // The add-on sets no CriticalAddonsOnly toleration or system-pool selector, which a pod needs
    // to land there (critical-workload.html): off the pool is a finding to report, not a FAIL.
    if (elsewhere.length > 0)
        return {
            id,
            what: poolWhat,
            expected,
            observed: where.sort().join(", "),
            status: "UNKNOWN",
            why: `${elsewhere.length} pod(s) off the ${pool} pool: the add-on does not ask for it yet`,
        };
    return judged(id, poolWhat, expected, where.sort().join(", "), "");
}
