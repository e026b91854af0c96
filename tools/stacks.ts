/**
 * The project and its stack files, read the way the Pulumi CLI reads them: the stack
 * file's values over the `config:` defaults of Pulumi.yaml, every value a string (lists
 * and maps as JSON), with the CLI's own type and required-key checks; then typed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { parseConfig, projectValues, StackConfig } from "../config";
import { UsageError } from "./cli";

export const ROOT = path.resolve(__dirname, "..");

interface Declared {
    type: "string" | "integer" | "boolean" | "array";
    default?: unknown;
}

export interface ProjectFile {
    name: string;
    /** Declared keys, namespaced: `multiregion:region`. */
    config: Record<string, Declared>;
}

export function readProject(root = ROOT): ProjectFile {
    const doc = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, Declared>;
    };
    const config: Record<string, Declared> = {};
    for (const [key, decl] of Object.entries(doc.config ?? {})) {
        // Unqualified keys belong to the project's namespace.
        config[key.includes(":") ? key : `${doc.name}:${key}`] = decl;
    }
    return { name: doc.name, config };
}

/** Stack names that have a `Pulumi.<stack>.yaml`, sorted. */
export function listStacks(root = ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export function stackFilePath(stack: string, root = ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Fails with the list of stacks when `stack` has no stack file. */
export function requireStack(stack: string | undefined, root = ROOT): string {
    const stacks = listStacks(root);
    if (!stack) throw new UsageError(`--stack is required; stacks: ${stacks.join(", ")}`);
    if (!stacks.includes(stack)) throw new UsageError(`unknown stack ${JSON.stringify(stack)}; stacks: ${stacks.join(", ")}`);
    return stack;
}

export function readStackFile(stack: string, root = ROOT): Record<string, unknown> {
    const file = stackFilePath(stack, root);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.basename(file)}; stacks: ${listStacks(root).join(", ")}`);
    }
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    return doc.config ?? {};
}

/** How the CLI passes a config value to the program. */
export function cliString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function matchesType(value: unknown, type: Declared["type"]): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value);
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value);
    }
}

/**
 * The flat `namespace:key -> string` map the program sees for `stack`.
 * `overrides` replace stack-file values; an `undefined` override removes the key.
 */
export function resolveStackConfig(stack: string, overrides: Record<string, unknown> = {}, root = ROOT): Record<string, string> {
    const project = readProject(root);
    const values: Record<string, unknown> = { ...readStackFile(stack, root) };
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value === undefined) delete values[full];
        else values[full] = value;
    }

    const result: Record<string, string> = {};
    for (const [key, decl] of Object.entries(project.config)) {
        if (key in values) {
            if (!matchesType(values[key], decl.type)) {
                throw new Error(`Stack '${stack}' with configuration key '${key}' must be of type '${decl.type}'`);
            }
        } else if (decl.default !== undefined) {
            result[key] = cliString(decl.default);
        } else {
            throw new Error(`Stack '${stack}' is missing configuration value '${key}'`);
        }
    }
    for (const [key, value] of Object.entries(values)) result[key] = cliString(value);
    return result;
}

/** The typed config of a stack file, checked exactly as `pulumi up` would check it. */
export function loadStack(stack: string, root = ROOT): StackConfig {
    const project = readProject(root).name;
    return parseConfig(projectValues(resolveStackConfig(stack, {}, root), project), { project, stack });
}

/** The parsed config of every `Pulumi.prod-*.yaml`: the region stacks of one failover pair. */
export function regionStacks(root = ROOT): StackConfig[] {
    return listStacks(root)
        .filter((s) => s.startsWith("prod-"))
        .map((s) => loadStack(s, root));
}
