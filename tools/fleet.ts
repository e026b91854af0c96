/** Rules that span every region's stack file: what no single stack can check alone. */
import { cidrsOverlap, StackConfig } from "../config";
import { stackConfig } from "./cli";
import { listStacks, ROOT } from "./stackConfig";

/** The parsed config of every `Pulumi.prod-*.yaml`. */
export function regionStacks(root = ROOT): StackConfig[] {
    return listStacks(root)
        .filter((s) => s.startsWith("prod-"))
        .map((s) => stackConfig(s, root));
}

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

/**
 * The order deploys go in: every standby first, as a canary, then the active region.
 * `npm run -s deploy-order` prints it as GitHub Actions step outputs.
 */
export function deployOrder(stacks: StackConfig[]): { standby: DeployTarget[]; active: DeployTarget } {
    const problems = crossStackProblems(stacks);
    if (problems.length > 0) throw new Error(`the stack files disagree: ${problems.join("; ")}`);
    const target = (s: StackConfig): DeployTarget => ({ stack: s.stack, region: s.region });
    return { standby: stacks.filter((s) => s.role === "standby").map(target), active: target(stacks.find((s) => s.role === "active")!) };
}

/** A stack to deploy and the region its credentials are for. */
export interface DeployTarget {
    readonly stack: string;
    readonly region: string;
}

if (require.main === module) {
    const { standby, active } = deployOrder(regionStacks());
    console.log(`standby=${JSON.stringify(standby)}`);
    console.log(`active=${JSON.stringify(active)}`);
}
