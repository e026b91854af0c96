/**
 * The project and its stack files, read the way the Pulumi CLI reads them, then typed
 * and checked exactly as `pulumi up` checks them. Stacks group into fleets by the prefix
 * of their name (`prod-us` and `prod-eu` are the `prod` fleet): the cross-stack rules
 * hold within a fleet.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, fleetOf, parseStackConfig, PROD_FLEET, StackConfig } from "../config";
import { UsageError } from "./cli";
import { FileProblems, ProjectFile, readProject as readProjectFile, resolveConfig, StackFileError } from "./cliConfig";

export { cliString, StackFileError } from "./cliConfig";
export type { ProjectFile } from "./cliConfig";

export const ROOT = path.resolve(__dirname, "..");

export function readProject(root = ROOT): ProjectFile {
    return readProjectFile(root);
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

/**
 * The flat `namespace:key -> string` map the program sees for `stack`.
 * `overrides` replace stack-file values; an `undefined` override removes the key.
 */
export function resolveStackConfig(stack: string, overrides: Record<string, unknown> = {}, root = ROOT): Record<string, string> {
    return resolveConfig(readProject(root), stackFilePath(requireStack(stack, root), root), overrides);
}

/** The typed config of a stack file, checked exactly as `pulumi up` would check it; problems name the file. */
export function loadStack(stack: string, root = ROOT): StackConfig {
    const project = readProject(root).name;
    const raw = resolveStackConfig(stack, {}, root);
    try {
        return parseStackConfig(raw, { project, stack });
    } catch (err) {
        if (err instanceof ConfigError) throw new StackFileError(path.basename(stackFilePath(stack, root)), err.problems);
        throw err;
    }
}

/** Every stack's typed config; when any fail, one error lists every file's problems. */
export function loadStacks(stacks: string[], root = ROOT): StackConfig[] {
    const loaded: StackConfig[] = [];
    const failed: FileProblems[] = [];
    for (const stack of stacks) {
        try {
            loaded.push(loadStack(stack, root));
        } catch (err) {
            if (!(err instanceof StackFileError)) throw err;
            failed.push(...err.files);
        }
    }
    if (failed.length > 0) throw new StackFileError(failed);
    return loaded;
}

export { fleetOf } from "../config";

/** The stacks of `stack`'s fleet, itself included. */
export function fleetStacks(stack: string, root = ROOT): string[] {
    return listStacks(root).filter((s) => fleetOf(s) === fleetOf(stack));
}

/** The production fleet: every `Pulumi.prod-*.yaml`, the stacks CI deploys. */
export function regionStacks(root = ROOT): StackConfig[] {
    return loadStacks(
        listStacks(root).filter((s) => fleetOf(s) === PROD_FLEET),
        root,
    );
}
