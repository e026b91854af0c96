/**
 * The config the Pulumi CLI would hand the program for a stack: the stack file's values
 * over the `config:` defaults of Pulumi.yaml, every value a string (lists as JSON), after
 * the CLI's own checks of declared types and required keys. Each problem names the file
 * and says what to write instead; every problem of a file is listed at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { fleetOf } from "./apiAccess";
import { closestKey } from "./keyNames";
import { ConfigError, missingKey, parseStackConfig, renamedKey } from "./parse";
import type { StackConfig } from "./types";

type Declared = { type: "string" | "integer" | "boolean" | "array"; default?: unknown; description?: string };

export interface ProjectFile {
    name: string;
    /** Declared keys, namespaced: `multiregion:region`. */
    config: Record<string, Declared>;
}

/** One file's problems. */
export interface FileProblems {
    readonly file: string;
    readonly problems: string[];
}

/** Stack files, or Pulumi.yaml, with problems: every problem of every file, each under its file's name. */
export class StackFileError extends Error {
    override readonly name = "StackFileError";
    readonly files: FileProblems[];
    constructor(file: string, problems: string[]);
    constructor(files: FileProblems[]);
    constructor(fileOrFiles: string | FileProblems[], problems: string[] = []) {
        const files = typeof fileOrFiles === "string" ? [{ file: fileOrFiles, problems }] : fileOrFiles;
        super(files.map((f) => `${f.file}:\n  - ${f.problems.join("\n  - ")}`).join("\n"));
        this.files = files;
    }
}

/** Parses a YAML file, naming the file, line and column of a syntax error. */
export function readYaml(file: string): unknown {
    const name = path.basename(file);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const error = doc.errors[0];
    if (error) {
        const at = error.linePos?.[0];
        const where = at ? `${name}:${at.line}:${at.col}` : name;
        throw new StackFileError(where, [`not valid YAML: ${error.message.split(" at line")[0]}`]);
    }
    return doc.toJS();
}

export function readProject(root: string = ROOT): ProjectFile {
    const doc = readYaml(path.join(root, "Pulumi.yaml")) as { name?: unknown; config?: Record<string, Declared> } | null;
    if (typeof doc?.name !== "string") throw new StackFileError("Pulumi.yaml", ["no project name: add `name: <project>`"]);
    const config: Record<string, Declared> = {};
    for (const [key, decl] of Object.entries(doc.config ?? {})) {
        // Unqualified keys belong to the project's namespace.
        config[key.includes(":") ? key : `${doc.name}:${key}`] = decl;
    }
    return { name: doc.name, config };
}

/** The `config:` map of a stack file; an empty file has none. */
export function readStackFile(file: string): Record<string, unknown> {
    const doc = readYaml(file);
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc))
        throw new StackFileError(path.basename(file), ["expected a mapping with a config: key"]);
    const config = (doc as { config?: unknown }).config ?? {};
    if (typeof config !== "object" || Array.isArray(config) || config === null) {
        throw new StackFileError(path.basename(file), ["config: must be a mapping of key: value"]);
    }
    return config as Record<string, unknown>;
}

/** How the CLI passes a config value to the program. */
export function cliString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** What was found, and what to write instead, when a value has the wrong YAML type. */
function typeProblem(key: string, value: unknown, type: Declared["type"], source: string | undefined): string | undefined {
    const written = source ?? JSON.stringify(value);
    switch (type) {
        case "string":
            return typeof value === "string"
                ? undefined
                : `${key}: got ${written}, read as a ${typeof value}; it is a string: quote it: "${written}"`;
        case "integer":
            if (Number.isInteger(value)) return undefined;
            return typeof value === "string" && /^-?\d+$/.test(value)
                ? `${key}: got the string "${value}"; it is an integer: write it without quotes: ${value}`
                : `${key}: got ${written}; it is an integer, such as 3`;
        case "boolean":
            return typeof value === "boolean" ? undefined : `${key}: got ${written}; it is true or false, without quotes`;
        case "array":
            return Array.isArray(value) ? undefined : `${key}: got ${written}; it is a list: write [${String(value)}]`;
    }
}

/** The text each key's value is written as in the file, to quote back exactly (`1.30`, not `1.3`). */
function sourceTexts(file: string): Record<string, string> {
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    const config = doc.get("config", true);
    const texts: Record<string, string> = {};
    if (YAML.isMap(config)) {
        for (const pair of config.items) {
            if (YAML.isScalar(pair.key) && YAML.isScalar(pair.value) && pair.value.source !== undefined) {
                texts[String(pair.key.value)] = pair.value.source;
            }
        }
    }
    return texts;
}

/**
 * The Pulumi CLI reads a stack file's keys as `<namespace>:<name>` and refuses any other
 * ("could not parse azCount as a configuration key (configuration keys should be of the form
 * `<namespace>:<name>`)": pulumi/pulumi sdk/go/common/resource/config/key.go, ParseKey, which
 * config.Map's UnmarshalYAML calls for every key), so a bare key never reaches the program.
 */
function bareKeyProblems(project: ProjectFile, keys: string[]): string[] {
    const known = Object.keys(project.config).map((k) => k.slice(k.indexOf(":") + 1));
    return keys
        .filter((k) => !k.includes(":"))
        .map((k) => {
            const meant = closestKey(k, known);
            const hint = meant ? `did you mean ${project.name}:${meant}?` : `write it as <namespace>:${k}`;
            return `${k}: a key without a namespace, which the Pulumi CLI refuses (keys are <namespace>:<name>); ${hint}`;
        });
}

/**
 * The flat `namespace:key -> string` map the program sees for the stack in `file`.
 * `overrides` replace file values (keys may omit the namespace); `undefined` removes one.
 */
export function resolveConfig(project: ProjectFile, file: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const values: Record<string, unknown> = { ...readStackFile(file) };
    const overridden = new Set<string>();
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        overridden.add(full);
        if (value === undefined) delete values[full];
        else values[full] = value;
    }
    const sources = sourceTexts(file);
    const problems: string[] = bareKeyProblems(project, Object.keys(values));
    const result: Record<string, string> = {};
    const prefix = `${project.name}:`;
    // The project's keys the file holds that Pulumi.yaml does not declare: a rename or a typo
    // is named next to the required key it leaves missing.
    const undeclared = Object.keys(values)
        .filter((k) => k.startsWith(prefix) && !(k in project.config))
        .map((k) => k.slice(prefix.length));
    for (const [key, decl] of Object.entries(project.config)) {
        if (key in values) {
            const problem = typeProblem(key, values[key], decl.type, overridden.has(key) ? undefined : sources[key]);
            if (problem) problems.push(problem);
        } else if (decl.default !== undefined) {
            result[key] = cliString(decl.default);
        } else {
            const name = key.slice(prefix.length);
            const was = undeclared.find((k) => closestKey(k, [name]) === name);
            problems.push(was ? renamedKey(was, name, project.name, true) : missingKey(name, project.name, decl.description ?? ""));
        }
    }
    if (problems.length > 0) throw new StackFileError(path.basename(file), problems);
    for (const [key, value] of Object.entries(values)) result[key] = cliString(value);
    return result;
}

/** The repository root, where Pulumi.yaml and the stack files sit. */
export const ROOT = path.resolve(__dirname, "..");

/** Stack names that have a `Pulumi.<stack>.yaml`, sorted. */
export function listStacks(root = ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The fleets that have stack files at the repository root, sorted. */
export function knownFleets(root = ROOT): string[] {
    return [...new Set(listStacks(root).map(fleetOf))].sort();
}

export function stackFilePath(stack: string, root = ROOT): string {
    return path.join(root, `Pulumi.${stack}.yaml`);
}

/** The typed config of an existing stack file, checked exactly as `pulumi up` would check it; problems name the file. */
export function loadStackFile(stack: string, root = ROOT): StackConfig {
    const project = readProject(root).name;
    const raw = resolveConfig(readProject(root), stackFilePath(stack, root));
    try {
        return parseStackConfig(raw, { project, stack });
    } catch (err) {
        if (err instanceof ConfigError) throw new StackFileError(path.basename(stackFilePath(stack, root)), err.problems);
        throw err;
    }
}
