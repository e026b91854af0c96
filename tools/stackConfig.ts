/**
 * Reads a stack's configuration the way the Pulumi CLI hands it to the program:
 * the stack file's values over the `config:` defaults of Pulumi.yaml, every value a
 * string (lists and maps as JSON), and the CLI's own type and required-key checks.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

export const ROOT = path.resolve(__dirname, "..");

interface Declared {
    type: "string" | "integer" | "boolean" | "array";
    default?: unknown;
}

export interface ProjectFile {
    name: string;
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

/**
 * Sets scalar keys in a stack file in one write, so it never holds half a change. Each
 * key's one line is edited in place, so comments, alignment and every other line stay.
 */
export function setStackValues(stack: string, values: Record<string, string | number | boolean>, root = ROOT): void {
    const file = stackFilePath(stack, root);
    let text = fs.readFileSync(file, "utf8");
    for (const [key, value] of Object.entries(values)) text = editLine(text, key, value, path.basename(file));
    fs.writeFileSync(file, text);
}

/** Sets one scalar key; see setStackValues. */
export function setStackValue(stack: string, key: string, value: string | number | boolean, root = ROOT): void {
    setStackValues(stack, { [key]: value }, root);
}

function configOf(text: string): Record<string, unknown> {
    return (YAML.parse(text) as { config?: Record<string, unknown> }).config ?? {};
}

function editLine(text: string, key: string, value: string | number | boolean, file: string): string {
    const line = new RegExp(`^(\\s+${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\s*)(\\S+?)(\\s+#.*)?$`, "m");
    const match = line.exec(text);
    if (!match || typeof configOf(text)[key] === "object") throw new Error(`${file} has no one-line scalar ${key}`);
    const rendered = YAML.stringify(value).trim();
    const [, head, old, comment = ""] = match;
    // Keep the comment in its column when the new value fits.
    const commentColumn = head!.length + old!.length + (comment.length - comment.trimStart().length);
    const spaces = " ".repeat(Math.max(1, commentColumn - head!.length - rendered.length));
    const updated = text.replace(line, comment ? `${head}${rendered}${spaces}${comment.trimStart()}` : `${head}${rendered}`);
    if (configOf(updated)[key] !== value) throw new Error(`could not set ${key} in ${file}`);
    return updated;
}
