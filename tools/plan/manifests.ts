import YAML from "yaml";
import type { Plan } from "./build";

/** Every Kubernetes object of a plan as a YAML manifest, by file name: all its top-level fields (spec, data, rules, roleRef, subjects). */
export function manifests(plan: Plan): Record<string, string> {
    const files: Record<string, string> = {};
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:"))) {
        const { apiVersion, kind, metadata, ...rest } = r.inputs as {
            apiVersion: string;
            kind: string;
            metadata: { name: string; namespace?: string };
        } & Record<string, unknown>;
        const body = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
        const file = `${[kind.toLowerCase(), metadata.namespace, metadata.name].filter(Boolean).join("-")}.yaml`;
        files[file] = YAML.stringify({ apiVersion, kind, metadata, ...body });
    }
    return files;
}
