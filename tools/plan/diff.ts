/** How two plans differ, resource by resource and property by property. */
import { flatten, Plan } from "./build";
import { show } from "./render";

export interface Difference {
    readonly type: string;
    /** Resource name with the zones, stack and region written as <zone1>…, <stack> and <region>. */
    readonly name: string;
    /** Input path, or "" when the whole resource is on one side only. */
    readonly path: string;
    readonly a?: unknown;
    readonly b?: unknown;
}

/** Each plan's own names and what the diff writes for them: zones, stack, region, then the table's other regions. */
export function placeholders(plan: Plan): [string, string][] {
    return [
        ...plan.zones.map((z, i) => [z, `<zone${i + 1}>`] as [string, string]),
        [plan.stack, "<stack>"],
        [plan.region, "<region>"],
        ...plan.peers.map((p, i) => [p, `<peer${i + 1}>`] as [string, string]),
    ];
}

/**
 * Writes each plan's zones, stack, region and peer regions as <zone1>…, <stack>, <region> and
 * <peer1>…, so two regions' plans line up even where their zone letters differ (ca-central-1 has
 * a, b, d) and each alarms on its writes reaching the other.
 */
export function normalizer(plan: Plan): (value: unknown) => unknown {
    const names = placeholders(plan);
    const replace = (s: string) => names.reduce((text, [from, to]) => text.split(from).join(to), s);
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") return replace(v);
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
    };
    return walk;
}

/** How plan `b` differs from plan `a`, resource by resource and property by property. */
export function diffPlans(a: Plan, b: Plan): Difference[] {
    const index = (plan: Plan) => {
        const norm = normalizer(plan);
        return new Map(
            plan.resources.map((r) => [
                `${r.type} ${String(norm(r.name))}`,
                { r, props: flatten(norm({ ...r.inputs, options: r.options })), made: new Set(r.placeholders) },
            ]),
        );
    };
    const left = index(a);
    const right = index(b);
    const out: Difference[] = [];
    for (const [id, { r, props, made }] of left) {
        const other = right.get(id);
        const name = id.slice(r.type.length + 1);
        if (!other) {
            out.push({ type: r.type, name, path: "", a: "present", b: "absent" });
            continue;
        }
        for (const p of new Set([...Object.keys(props), ...Object.keys(other.props)])) {
            // Two made-up values say nothing about either region.
            const invented = made.has(p) && other.made.has(p);
            if (!invented && JSON.stringify(props[p]) !== JSON.stringify(other.props[p])) {
                out.push({ type: r.type, name, path: p, a: props[p], b: other.props[p] });
            }
        }
    }
    for (const [id, { r }] of right) {
        if (!left.has(id)) out.push({ type: r.type, name: id.slice(r.type.length + 1), path: "", a: "absent", b: "present" });
    }
    return out;
}

export function renderDiff(a: Plan, b: Plan, diffs: Difference[]): string {
    const lines = [
        `Differences from ${a.stack} (${a.region}) to ${b.stack} (${b.region}); <stack>, <region>, <zone1>… and <peer1>… (the table's other regions) stand for each one's own, and made-up values are not compared:`,
    ];
    if (diffs.length === 0) lines.push("  none");
    let current = "";
    for (const d of diffs) {
        if (!d.path) {
            lines.push(`${d.a === "absent" ? "+" : "-"} ${d.type} ${d.name}: only in ${d.a === "absent" ? b.stack : a.stack}`);
            continue;
        }
        const head = `~ ${d.type} ${d.name}`;
        if (head !== current) lines.push(head);
        current = head;
        lines.push(`    ${d.path}: ${d.a === undefined ? "(unset)" : show(d.a)} → ${d.b === undefined ? "(unset)" : show(d.b)}`);
    }
    return lines.join("\n");
}

