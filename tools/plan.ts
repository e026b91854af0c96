/**
 * `npm run plan -- [--stack prod-us ...] [--format json] [--out DIR]`
 * `npm run plan -- --diff prod-us prod-eu`
 *
 * What each region's stack would create, with no credentials, Pulumi CLI or network:
 * the real `index.ts` with the stack file's config, under the Pulumi mock runtime.
 * Values AWS would assign (ids, ARNs, hostnames, the account) are placeholders, marked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import YAML from "yaml";
import { isPlaceholder, isSecretValue } from "./offline/mocks";
import { ProgramRun, runProgram } from "./offline/run";
import { requireStack, runMain, UsageError } from "./cli";
import { listStacks, ROOT } from "./stackConfig";

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN; absent for the stack itself. */
    readonly parent?: string;
    readonly custom: boolean;
    /** Name of the provider resource, for resources with an explicit one. */
    readonly provider?: string;
    /** Every input, secrets shown as "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** The few inputs a reviewer looks at first. */
    readonly key: Record<string, unknown>;
    readonly options: { protect?: true; ignoreChanges?: string[]; dependsOn?: string[]; import?: string; retainOnDelete?: true };
}

export interface PlannedOutput {
    readonly value: unknown;
    readonly secret: boolean;
    /** Made up by the mocks: AWS assigns the real value. */
    readonly placeholder: boolean;
}

export interface Plan {
    readonly stack: string;
    readonly project: string;
    readonly region: string;
    readonly role: string;
    readonly resources: PlannedResource[];
    readonly counts: Record<string, number>;
    readonly outputs: Record<string, PlannedOutput>;
    /** What the program warned about, as `pulumi up` would show it. */
    readonly warnings: string[];
}

/** What each type's reviewer wants to see first: CIDRs, zones, versions, sizes, images, Service types, DNS. */
const KEY_PROPERTIES: Record<string, string[]> = {
    "pulumi:providers:aws": ["region"],
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone"],
    "aws:eks/cluster:Cluster": ["version", "accessConfig.authenticationMode", "vpcConfig.publicAccessCidrs", "encryptionConfig.resources"],
    "aws:eks/nodeGroup:NodeGroup": ["amiType", "instanceTypes", "scalingConfig"],
    "aws:eks/addon:Addon": ["addonName", "addonVersion", "configurationValues"],
    "aws:eks/accessEntry:AccessEntry": ["principalArn"],
    "aws:ecr/repository:Repository": ["name", "imageTagMutability"],
    "aws:route53/healthCheck:HealthCheck": ["fqdn", "resourcePath", "requestInterval", "failureThreshold", "regions"],
    "aws:route53/record:Record": ["name", "type", "setIdentifier", "failoverRoutingPolicies"],
    "kubernetes:core/v1:Namespace": ["metadata.name"],
    "kubernetes:apps/v1:Deployment": ["metadata.name", "spec.replicas", "spec.template.spec.containers[0].image"],
    "kubernetes:core/v1:Service": ["metadata.name", "spec.type", "spec.ports"],
    "kubernetes:policy/v1:PodDisruptionBudget": ["metadata.name", "spec.maxUnavailable"],
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": ["metadata.name", "spec.podSelector.matchLabels"],
};

/** Reads `a.b[0].c` from an object. */
export function getPath(object: unknown, dotted: string): unknown {
    return dotted
        .split(/\.|\[(\d+)\]/)
        .filter((part) => part !== undefined && part !== "")
        .reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], object);
}

function redact(value: unknown): unknown {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
    return value;
}

export function buildPlan(run: ProgramRun): Plan {
    const byUrn = new Map(run.resources.resources.map((r) => [r.urn, r]));
    const nameOf = (ref: string) => byUrn.get(ref.split("::").slice(0, -1).join("::"))?.name ?? ref;
    const resources = run.resources.resources.map((r): PlannedResource => {
        const inputs = redact(r.inputs) as Record<string, unknown>;
        const key = Object.fromEntries(
            (KEY_PROPERTIES[r.type] ?? []).map((p) => [p, getPath(inputs, p)] as const).filter(([, v]) => v !== undefined),
        );
        const dependsOn = r.dependencies.map((urn) => byUrn.get(urn)?.name ?? urn);
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(r.parent ? { parent: r.parent } : {}),
            custom: r.custom,
            ...(r.provider ? { provider: nameOf(r.provider) } : {}),
            inputs,
            key,
            options: {
                ...(r.protect ? { protect: true as const } : {}),
                ...(r.ignoreChanges.length ? { ignoreChanges: r.ignoreChanges } : {}),
                ...(dependsOn.length ? { dependsOn } : {}),
                ...(r.importId ? { import: r.importId } : {}),
                ...(r.retainOnDelete ? { retainOnDelete: true as const } : {}),
            },
        };
    });
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const registered = run.resources.registeredOutputs.get(stackUrn) ?? {};
    const outputs = Object.fromEntries(
        Object.entries(run.outputs)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => {
                const secret = isSecretValue(registered[name]);
                return [name, { value: secret ? "[secret]" : value, secret, placeholder: isPlaceholder(value) }];
            }),
    );
    return {
        stack: run.stack,
        project: run.project,
        region: run.config[`${run.project}:region`] ?? "",
        role: run.config[`${run.project}:role`] ?? "",
        resources,
        counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
        outputs,
        warnings: run.warnings,
    };
}

/** Plans a stack. Invalid config fails with the messages `pulumi up` would give. */
export async function planStack(stack: string, root?: string): Promise<Plan> {
    return buildPlan(await runProgram(stack, { hostedZones: "assume", root }));
}

function show(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The human-readable plan: the tree, counts by type, outputs and failover times. */
export function renderText(plan: Plan): string {
    const lines: string[] = [];
    lines.push(`Plan for ${plan.stack}: ${plan.region}, ${plan.role} (offline, under the Pulumi mock runtime)`);
    lines.push("");
    lines.push(`Resources (${plan.resources.length}):`);
    const children = new Map<string, PlannedResource[]>();
    for (const r of plan.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (r: PlannedResource, prefix: string, last: boolean, root: boolean) => {
        const key = Object.entries(r.key)
            .map(([k, v]) => `${k}=${show(v)}`)
            .join("  ");
        const flags = [r.options.protect ? "protected" : "", r.options.import ? `adopts ${r.options.import}` : ""]
            .filter(Boolean)
            .join(", ");
        lines.push(
            `${prefix}${root ? "" : last ? "└─ " : "├─ "}${r.type}  ${r.name}${key ? `  ${key}` : ""}${flags ? `  (${flags})` : ""}`,
        );
        const kids = children.get(r.urn) ?? [];
        kids.forEach((kid, i) => walk(kid, root ? "" : prefix + (last ? "   " : "│  "), i === kids.length - 1, false));
    };
    for (const root of plan.resources.filter((r) => !r.parent)) walk(root, "", true, true);
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
    const failover = plan.outputs.failover?.value as Record<string, number | string | boolean> | undefined;
    if (failover) {
        lines.push("");
        lines.push(
            `Failover: ${failover.type} record${failover.recordPublished ? "" : " (withdrawn)"}; detection ${failover.detectionSeconds} s, worst-case switch ${failover.worstCaseSwitchSeconds} s (detection + ${failover.dnsTtlSeconds} s alias TTL)`,
        );
    }
    return lines.join("\n");
}

/** Every Kubernetes object of a plan as a YAML manifest, by file name. */
export function manifests(plan: Plan): Record<string, string> {
    const files: Record<string, string> = {};
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
        const { apiVersion, kind, metadata, spec } = r.inputs as {
            apiVersion: string;
            kind: string;
            metadata: { name: string; namespace?: string };
            spec?: unknown;
        };
        const file = `${[kind.toLowerCase(), metadata.namespace, metadata.name].filter(Boolean).join("-")}.yaml`;
        files[file] = YAML.stringify({ apiVersion, kind, metadata, ...(spec === undefined ? {} : { spec }) });
    }
    return files;
}

export interface Difference {
    readonly type: string;
    /** Resource name with the stack and region written as <stack> and <region>. */
    readonly name: string;
    /** Input path, or "" when the whole resource is on one side only. */
    readonly path: string;
    readonly a?: unknown;
    readonly b?: unknown;
}

/** Writes each plan's stack and region as <stack> and <region>, so two regions' plans line up. */
export function normalizer(plan: Plan): (value: unknown) => unknown {
    const replace = (s: string) => s.split(plan.stack).join("<stack>").split(plan.region).join("<region>");
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") return replace(v);
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
    };
    return walk;
}

/** Leaf values of an object by path: `a.b[0].c`. */
export function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
    if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    else if (value && typeof value === "object" && Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else out[prefix] = value;
    return out;
}

/** How plan `b` differs from plan `a`, resource by resource and property by property. */
export function diffPlans(a: Plan, b: Plan): Difference[] {
    const index = (plan: Plan) => {
        const norm = normalizer(plan);
        return new Map(
            plan.resources.map((r) => [
                `${r.type} ${String(norm(r.name))}`,
                { r, props: flatten(norm({ ...r.inputs, options: r.options })) },
            ]),
        );
    };
    const left = index(a);
    const right = index(b);
    const out: Difference[] = [];
    for (const [id, { r, props }] of left) {
        const other = right.get(id);
        const name = id.slice(r.type.length + 1);
        if (!other) {
            out.push({ type: r.type, name, path: "", a: "present", b: "absent" });
            continue;
        }
        for (const p of new Set([...Object.keys(props), ...Object.keys(other.props)])) {
            if (JSON.stringify(props[p]) !== JSON.stringify(other.props[p]))
                out.push({ type: r.type, name, path: p, a: props[p], b: other.props[p] });
        }
    }
    for (const [id, { r }] of right) {
        if (!left.has(id)) out.push({ type: r.type, name: id.slice(r.type.length + 1), path: "", a: "absent", b: "present" });
    }
    return out;
}

export function renderDiff(a: Plan, b: Plan, diffs: Difference[]): string {
    const lines = [`Differences from ${a.stack} (${a.region}) to ${b.stack} (${b.region}); <stack> and <region> stand for each one's own:`];
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

export async function main(argv: string[], log = console.log, root = ROOT): Promise<void> {
    const { values, positionals } = parseArgs({
        args: argv,
        options: {
            stack: { type: "string", multiple: true },
            format: { type: "string", default: "text" },
            out: { type: "string" },
            diff: { type: "boolean" },
        },
        allowPositionals: true,
        strict: true,
    });
    if (values.format !== "text" && values.format !== "json") throw new UsageError(`--format is text or json, got ${values.format}`);
    if (values.diff) {
        if (positionals.length !== 2) throw new UsageError("--diff takes two stacks: --diff prod-us prod-eu");
        const [a, b] = [
            await planStack(requireStack(positionals[0], root), root),
            await planStack(requireStack(positionals[1], root), root),
        ];
        const diffs = diffPlans(a, b);
        log(values.format === "json" ? JSON.stringify(diffs, null, 2) : renderDiff(a, b, diffs));
        return;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; use --stack`);
    const stacks = (values.stack ?? listStacks(root)).map((s) => requireStack(s, root));
    // Plan everything before writing anything: a failing stack leaves no partial output.
    const plans: Plan[] = [];
    for (const stack of stacks) plans.push(await planStack(stack, root));
    if (values.out) {
        for (const plan of plans) {
            const dir = path.join(values.out, plan.stack);
            fs.mkdirSync(dir, { recursive: true });
            for (const [file, text] of Object.entries(manifests(plan))) fs.writeFileSync(path.join(dir, file), text);
        }
    }
    log(values.format === "json" ? JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2) : plans.map(renderText).join("\n\n"));
    if (values.out)
        log(
            `\nKubernetes manifests written to ${values.out}/<stack>/; check them with: kubectl apply --dry-run=server -f ${values.out}/<stack>`,
        );
}

if (require.main === module) runMain(main);
