/** The autoscalers and disruption budgets the program puts on each app Deployment. */
import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import { Claim, compared, unknown } from "../claim";
import type { ExpectedService } from "./expected";
import { judged, refused } from "./outcome";
import type { KubeReader } from "./reader";

type HpaSpec = {
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: { type?: string; resource?: { name?: string; target?: Record<string, unknown> } }[];
};

/** An autoscaler's floor, ceiling and targets, in one line; the program's spec and the live one read the same way. */
export function hpaText(spec: HpaSpec): string {
    const metrics = (spec.metrics ?? []).map((m) => {
        if (m.type !== "Resource" || !m.resource) return String(m.type);
        const t = m.resource.target ?? {};
        return `${m.resource.name} ${String(t.type)} ${String(t.averageUtilization ?? t.averageValue ?? t.value)}`;
    });
    return `min ${spec.minReplicas}, max ${spec.maxReplicas}, ${metrics.join(" + ") || "no metrics"}`;
}

/** `k8s.hpa.<service>`: the floor and ceiling the stack's config sets, and the CPU target the code sets. */
export async function hpaClaim(reader: KubeReader, s: ExpectedService): Promise<Claim> {
    const id = `k8s.hpa.${s.name}`;
    const what = `${s.name}'s autoscaler: floor, ceiling, target`;
    if (!s.hpa) return unknown(id, what, "", "the program makes no autoscaler for it");
    const expected = hpaText(s.hpa.spec);
    const live = await reader.hpa(s.namespace, s.hpa.name);
    if (!live.ok) return refused(id, what, expected, live);
    return compared(id, what, expected, hpaText(live.value.spec as HpaSpec));
}

type PdbSpec = { minAvailable?: number | string; maxUnavailable?: number | string; unhealthyPodEvictionPolicy?: string };

/** A budget's limits, in one line. */
export function pdbText(spec: PdbSpec): string {
    return [
        ...(spec.minAvailable !== undefined ? [`minAvailable ${spec.minAvailable}`] : []),
        ...(spec.maxUnavailable !== undefined ? [`maxUnavailable ${spec.maxUnavailable}`] : []),
        `unhealthyPodEvictionPolicy ${spec.unhealthyPodEvictionPolicy ?? "IfHealthyBudget"}`,
    ].join(", ");
}

/**
 * Why a budget allows no eviction now: the DisruptionAllowed condition's message when the
 * disruption controller wrote one, else its counts
 * (https://kubernetes.io/docs/tasks/run-application/configure-pdb/#check-the-status-of-the-pdb).
 */
function blocked(pdb: V1PodDisruptionBudget): string {
    const st = pdb.status;
    const condition = st?.conditions?.find((c) => c.type === "DisruptionAllowed");
    const counts = `${st?.currentHealthy ?? 0} healthy of ${st?.expectedPods ?? 0} pods, ${st?.desiredHealthy ?? 0} must stay`;
    return `no disruption allowed: ${condition?.reason ? `${condition.reason}: ${condition.message || counts}` : counts}`;
}

/** `k8s.pdb.<service>`: the code's budget exists, and it lets a node drain take a pod now. */
export async function pdbClaim(reader: KubeReader, s: ExpectedService): Promise<Claim> {
    const id = `k8s.pdb.${s.name}`;
    const what = `${s.name}'s disruption budget, and a disruption allowed`;
    if (!s.pdb) return unknown(id, what, "", "the program makes no disruption budget for it");
    const expected = `${pdbText(s.pdb.spec)}; disruptions allowed >= 1`;
    const live = await reader.pdb(s.namespace, s.pdb.name);
    if (!live.ok) return refused(id, what, expected, live);
    const pdb = live.value;
    const allowed = pdb.status?.disruptionsAllowed ?? 0;
    const spec = pdbText(pdb.spec ?? {});
    const observed = `${spec}; disruptions allowed ${allowed}`;
    const why = spec !== pdbText(s.pdb.spec) ? "the budget differs from the program's" : allowed < 1 ? blocked(pdb) : "";
    // While pods are still coming up (a rollout, a scale-up) none may go: not yet a verdict.
    const settling = (pdb.status?.currentHealthy ?? 0) < (pdb.status?.expectedPods ?? 0);
    if (why && spec === pdbText(s.pdb.spec) && settling)
        return { id, what, expected, observed, status: "UNKNOWN", why: `${why}; pods still becoming healthy` };
    return judged(id, what, expected, observed, why);
}
