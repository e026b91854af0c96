/** The human-readable plan: the tree, counts by type, outputs and failover times. */
import type { Capacity } from "../../services/sizing";
import type { Plan, PlannedResource } from "./build";

export function show(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** True when the input at `path`, or anything inside it, was made up offline. */
function invented(r: PlannedResource, path: string): boolean {
    return r.placeholders.some((p) => p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`));
}

/** The resource tree, each resource with its key properties; made-up values end in `*`. */
export function renderTree(plan: Plan): string[] {
    const lines: string[] = [];
    const children = new Map<string, PlannedResource[]>();
    for (const r of plan.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (r: PlannedResource, prefix: string, last: boolean, root: boolean) => {
        const key = Object.entries(r.key)
            .map(([k, v]) => `${k}=${show(v)}${invented(r, k) ? "*" : ""}`)
            .join("  ");
        const flags = [r.options.protect ? "protected" : "", r.options.import ? `adopts ${r.options.import}` : ""]
            .filter(Boolean)
            .join(", ");
        lines.push(`${prefix}${root ? "" : last ? "└─ " : "├─ "}${r.type}  ${r.name}${key ? `  ${key}` : ""}${flags ? `  (${flags})` : ""}`);
        const kids = children.get(r.urn) ?? [];
        kids.forEach((kid, i) => walk(kid, root ? "" : prefix + (last ? "   " : "│  "), i === kids.length - 1, false));
    };
    for (const root of plan.resources.filter((r) => !r.parent)) walk(root, "", true, true);
    return lines;
}

/** Each service's autoscaling range, and what the region serves the moment a failover sends it traffic. */
export function renderCapacity(plan: Plan): string[] {
    const c = plan.outputs.capacity?.value as Capacity | undefined;
    if (!c) return [];
    const rps = (n: number) => `${n.toLocaleString("en-US")} req/s`;
    return [
        "",
        `Capacity: ${c.minReplicas}-${c.maxReplicas} pods per service, scaled to keep CPU at ${c.cpuTargetPercent}% of requests.`,
        `  When all traffic lands here, it serves ${rps(c.floorRequestsPerSecond)} at once (its floor), growing to ${rps(c.maxRequestsPerSecond)} at ${c.maxReplicas} pods.`,
    ];
}

export function renderText(plan: Plan): string {
    const lines: string[] = [];
    lines.push(`Plan for ${plan.stack}: ${plan.region}, ${plan.role} (offline, under the Pulumi mock runtime)`);
    lines.push("");
    lines.push(`Resources (${plan.resources.length}; * marks a value AWS assigns, made up here):`);
    lines.push(...renderTree(plan));
    lines.push("");
    lines.push("Count by type:");
    for (const [type, n] of Object.entries(plan.counts)) lines.push(`  ${String(n).padStart(3)}  ${type}`);
    lines.push("");
    lines.push("Outputs (* = placeholder for a value AWS assigns):");
    for (const [name, o] of Object.entries(plan.outputs)) lines.push(`  ${name}: ${show(o.value)}${o.placeholder ? "  *" : ""}`);
    if (plan.warnings.length > 0) {
        lines.push("");
        lines.push("Warnings:");
        for (const w of plan.warnings) lines.push(`  ${w}`);
    }
    lines.push(...renderCapacity(plan));
    lines.push(...renderFailover(plan));
    return lines.join("\n");
}

/** The failover output: the record, and the worst case for the record type chosen. */
export function renderFailover(plan: Plan): string[] {
    const f = plan.outputs.failover?.value as Record<string, number | string | boolean> | undefined;
    if (!f) return [];
    const record = f.recordType === "cname" ? "CNAME" : "alias A";
    const ttl = f.recordType === "cname" ? "CNAME TTL" : "alias TTL";
    return [
        "",
        `Failover: ${f.type} ${record} record${f.recordPublished ? "" : " (withdrawn)"}; detection ${f.detectionSeconds} s, worst-case switch ${f.worstCaseSwitchSeconds} s (detection + ${f.dnsTtlSeconds} s ${ttl})`,
    ];
}
