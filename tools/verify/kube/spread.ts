/**
 * `k8s.spread.<service>`: the ready pods sit in enough zones to lose one. Where each ready pod
 * runs is read from its Service's EndpointSlices: the EndpointSlice controller writes each
 * endpoint's `zone` from its node's `topology.kubernetes.io/zone` label and marks it `ready`
 * (https://kubernetes.io/docs/reference/kubernetes-api/service-resources/endpoint-slice-v1/).
 * EndpointSlices, unlike nodes, are in the preview role's AmazonEKSViewPolicy, so this claim
 * needs no more than the role has.
 */
import type { V1EndpointSlice } from "@kubernetes/client-node";
import { Claim, unknown } from "../claim";
import type { ExpectedService } from "./expected";
import { judged, refused } from "./outcome";
import type { KubeReader } from "./reader";

export const ZONE_KEY = "topology.kubernetes.io/zone";

/** Ready pods per zone, each pod once (a pod can appear in more than one slice). */
export function readyPodsByZone(slices: V1EndpointSlice[]): { byZone: Map<string, number>; unzoned: string[] } {
    const zoneOf = new Map<string, string>();
    for (const endpoint of slices.flatMap((s) => s.endpoints ?? [])) {
        if (endpoint.conditions?.ready !== true || endpoint.targetRef?.kind !== "Pod") continue;
        zoneOf.set(endpoint.targetRef.name ?? "", endpoint.zone ?? "");
    }
    const byZone = new Map<string, number>();
    const unzoned: string[] = [];
    for (const [pod, zone] of zoneOf) {
        if (!zone) unzoned.push(pod);
        else byZone.set(zone, (byZone.get(zone) ?? 0) + 1);
    }
    return { byZone, unzoned };
}

/**
 * The rule: at least min(ready pods, zones) zones hold a ready pod, and the skew is within
 * maxSkew. The program's zone constraint is `ScheduleAnyway` (soft), so a breach is reported as
 * UNKNOWN; it fails only if the code makes the constraint hard (`DoNotSchedule`).
 */
export async function spreadClaim(reader: KubeReader, s: ExpectedService, zoneCount: number): Promise<Claim> {
    const id = `k8s.spread.${s.name}`;
    const what = `${s.name}'s ready pods spread over zones`;
    const rule = s.spread.find((r) => r.topologyKey === ZONE_KEY);
    const hard = rule?.whenUnsatisfiable === "DoNotSchedule";
    const expected = `ready pods in min(ready, ${zoneCount}) zones${rule ? `, skew <= ${rule.maxSkew}${hard ? "" : " preferred"}` : ""}`;
    if (!s.serviceName) return unknown(id, what, expected, "no Service of the program selects its pods");
    const slices = await reader.endpointSlices(s.namespace, s.serviceName);
    if (!slices.ok) return refused(id, what, expected, slices);
    const { byZone, unzoned } = readyPodsByZone(slices.value.items);
    if (unzoned.length > 0) return unknown(id, what, expected, `no zone on the endpoint of ${unzoned.sort().join(", ")}`);
    const counts = [...byZone.values()];
    const ready = counts.reduce((a, b) => a + b, 0);
    if (ready === 0) return unknown(id, what, expected, "no ready pods to spread");
    // Zones with nodes but no pod count as 0 towards the skew, as the scheduler counts them.
    const padded = [...counts, ...Array<number>(Math.max(0, zoneCount - counts.length)).fill(0)];
    const skew = Math.max(...padded) - Math.min(...padded);
    const observed = `${[...byZone]
        .map(([z, n]) => `${z}:${n}`)
        .sort()
        .join(" ")} (skew ${skew})`;
    const want = Math.min(ready, zoneCount);
    const why =
        byZone.size < want
            ? `${ready} ready pods in ${byZone.size} zone(s), not ${want}`
            : hard && rule && skew > rule.maxSkew
              ? `skew ${skew} above maxSkew ${rule.maxSkew}`
              : "";
    // ScheduleAnyway only prefers spreading ("giving higher precedence to topologies that would
    // help reduce the skew", TopologySpreadConstraint): packed pods break no rule the code sets.
    if (why && !hard)
        return { id, what, expected, observed, status: "UNKNOWN", why: `${why}; the code only prefers spread (ScheduleAnyway)` };
    return judged(id, what, expected, observed, why);
}
