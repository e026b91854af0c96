import YAML from "yaml";
import type { Plan } from "./build";

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

