/** Rules that span a fleet's stack files: what no single stack can check alone. */
import { StackConfig } from "../config";
import { cidrsOverlap } from "../facts/cidr";
import { fleetOf, fleetStacks, loadStacks, ROOT } from "./stacks";

function zoneKey(config: StackConfig): string {
    const zone = config.failover.hostedZone;
    return "id" in zone ? `id ${zone.id}` : `name ${zone.name}`;
}

/** "prod-us uses A, prod-eu uses B" when the stacks disagree on `f`; undefined when they agree. */
function disagreement(stacks: StackConfig[], f: (s: StackConfig) => string): string | undefined {
    if (new Set(stacks.map(f)).size <= 1) return undefined;
    return stacks.map((s) => `${s.stack} uses ${f(s)}`).join(", ");
}

/** Pairs of stacks that share a value of `f`. */
function clashes(stacks: StackConfig[], f: (s: StackConfig) => string): [StackConfig, StackConfig][] {
    return stacks.flatMap((a, i) => stacks.slice(i + 1).flatMap((b) => (f(a) === f(b) ? [[a, b] as [StackConfig, StackConfig]] : [])));
}

/** Every way a fleet's stacks disagree with an active/standby pair, each naming the stacks; empty when they agree. */
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
    // The switchover withdraws one record at a time; with none published, users reach nothing.
    if (stacks.length > 0 && stacks.every((s) => !s.failover.publishRecord)) {
        const active = stacks.find((s) => s.role === "active")?.stack ?? stacks[0]!.stack;
        problems.push(
            `no stack publishes the failover record, so ${stacks[0]!.failover.recordName} serves nobody; set failoverRecord: true on ${active}`,
        );
    }
    const zones = disagreement(stacks, zoneKey);
    if (zones) problems.push(`every stack must use the same hosted zone; ${zones}`);
    // One global table per fleet: its replicas carry the same name in every region.
    const tables = disagreement(stacks, (s) => s.data.table ?? '""');
    if (tables) problems.push(`every stack must name the same dataTable, the fleet's global table; ${tables}`);
    const names = disagreement(stacks, (s) => s.failover.recordName);
    if (names) problems.push(`every stack must publish the same record name; ${names}`);
    // A name holds either A records or one CNAME; a withdrawn record holds nothing, which is
    // how the record type changes on a live fleet (docs/alarms.md).
    const types = disagreement(
        stacks.filter((s) => s.failover.publishRecord),
        (s) => s.failover.recordType,
    );
    if (types) problems.push(`every stack that publishes its record must use the same recordType; ${types}`);
    // The set identifier of a stack's record is its stack name.
    for (const [a] of clashes(stacks, (s) => s.stack)) problems.push(`set identifiers must differ; repeated: ${a.stack}`);
    for (const [a, b] of clashes(stacks, (s) => s.region))
        problems.push(`each stack must be its own region; ${a.stack} and ${b.stack} are both in ${a.region}`);
    for (const [i, a] of stacks.entries()) {
        for (const b of stacks.slice(i + 1)) {
            if (cidrsOverlap(a.network.vpcCidr, b.network.vpcCidr)) {
                problems.push(`VPC CIDRs overlap: ${a.stack} ${a.network.vpcCidr} and ${b.stack} ${b.network.vpcCidr}`);
            }
        }
    }
    return problems;
}

/** The stack files of a fleet disagree: every problem, naming the stacks. */
export class CrossStackError extends Error {
    override readonly name = "CrossStackError";
    constructor(fleet: string, problems: string[]) {
        super(`the ${fleet}-* stack files disagree:\n  - ${problems.join("\n  - ")}`);
    }
}

/**
 * Loads every stack of the fleets `stacks` belong to and applies the cross-stack rules,
 * so checking one stack still checks it against the others. Returns one line per fleet
 * saying what was checked; throws every stack file's problems, or every rule broken.
 */
export function checkFleets(stacks: string[], root = ROOT): string[] {
    const fleets = [...new Set(stacks.map(fleetOf))];
    const members = fleets.map((fleet) => fleetStacks(`${fleet}-`, root));
    const configs = loadStacks(members.flat(), root);
    return fleets.map((fleet, i) => {
        const mine = configs.filter((c) => members[i]!.includes(c.stack));
        const problems = crossStackProblems(mine);
        if (problems.length > 0) throw new CrossStackError(fleet, problems);
        return `Cross-stack rules hold for ${mine.map((c) => `${c.stack} (${c.role}, ${c.region})`).join(", ")}.`;
    });
}
