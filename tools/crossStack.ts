/** Rules that span every region's stack file: what no single stack can check alone. */
import { StackConfig } from "../config";
import { cidrsOverlap } from "../regions/cidr";

function zoneKey(config: StackConfig): string {
    const zone = config.failover.hostedZone;
    return "id" in zone ? `id ${zone.id}` : `name ${zone.name}`;
}

/** Every way the stacks disagree with an active/standby pair; empty when they agree. */
export function crossStackProblems(stacks: StackConfig[]): string[] {
    const problems: string[] = [];
    const active = stacks.filter((s) => s.role === "active").map((s) => s.stack);
    if (active.length !== 1) {
        problems.push(`exactly one stack must be active; active: ${active.length ? active.join(", ") : "none"}`);
    }
    // A failover set holds one PRIMARY and one SECONDARY; further regions stay out of DNS.
    const secondaries = stacks.filter((s) => s.role === "standby" && s.failover.publishRecord).map((s) => s.stack);
    if (secondaries.length > 1) {
        problems.push(
            `Route 53 allows one SECONDARY per failover name; set failoverRecord: false on all but one of ${secondaries.join(", ")}`,
        );
    }
    const distinct = (f: (s: StackConfig) => string) => [...new Set(stacks.map(f))];
    const zones = distinct(zoneKey);
    if (zones.length > 1) problems.push(`every stack must use the same hosted zone; got ${zones.join(" / ")}`);
    const names = distinct((s) => s.failover.recordName);
    if (names.length > 1) problems.push(`every stack must publish the same record name; got ${names.join(" / ")}`);
    // The set identifier of a stack's record is its stack name.
    const ids = stacks.map((s) => s.stack);
    const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (dupes.length > 0) problems.push(`set identifiers must differ; repeated: ${dupes.join(", ")}`);
    const regions = stacks.map((s) => s.region);
    const sameRegion = regions.filter((r, i) => regions.indexOf(r) !== i);
    if (sameRegion.length > 0) problems.push(`each stack must be its own region; repeated: ${sameRegion.join(", ")}`);
    for (const [i, a] of stacks.entries()) {
        for (const b of stacks.slice(i + 1)) {
            if (cidrsOverlap(a.network.vpcCidr, b.network.vpcCidr)) {
                problems.push(`VPC CIDRs overlap: ${a.stack} ${a.network.vpcCidr} and ${b.stack} ${b.network.vpcCidr}`);
            }
        }
    }
    return problems;
}
