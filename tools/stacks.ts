/**
 * The project and its stack files, read the way the Pulumi CLI reads them, then typed
 * and checked exactly as `pulumi up` checks them. Stacks group into fleets by the prefix
 * of their name (`prod-us` and `prod-eu` are the `prod` fleet): the cross-stack rules
 * hold within a fleet.
 */
import { fleetOf, PROD_FLEET, StackConfig } from "../config";
import { UsageError } from "./cli";
import {
    FileProblems,
    listStacks,
    loadStackFile,
    readProject,
    resolveConfig,
    ROOT,
    StackFileError,
    stackFilePath,
} from "../config/stackFiles";

export { cliString, StackFileError } from "../config/stackFiles";
export type { ProjectFile } from "../config/stackFiles";

export { knownFleets, listStacks, readProject, ROOT, stackFilePath } from "../config/stackFiles";

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
    return loadStackFile(requireStack(stack, root), root);
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

/** The stacks of one fleet, by name. */
export function deployFleetStacks(fleet: string, root = ROOT): string[] {
    return listStacks(root).filter((s) => fleetOf(s) === fleet);
}

/** The production fleet: every `Pulumi.prod-*.yaml`. */
export function regionStacks(root = ROOT): StackConfig[] {
    return loadStacks(
        listStacks(root).filter((s) => fleetOf(s) === PROD_FLEET),
        root,
    );
}
