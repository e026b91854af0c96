/**
 * Runs the real `bootstrap/index.ts` under the Pulumi mock runtime with a bootstrap stack
 * file's config, as tools/offline/run.ts runs the main program, in the same queue.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Collector, createMocks, startCollecting } from "./mocks";
import { exclusive, oncePerStack, runEntry } from "./run";
import { readProject, resolveConfig } from "../../config/stackFiles";
import { requireStack, ROOT } from "../stacks";

export const BOOTSTRAP_ROOT = path.join(ROOT, "bootstrap");

export interface BootstrapRun {
    readonly stack: string;
    readonly project: string;
    /** The flat config the program saw, as the CLI would pass it. */
    readonly config: Record<string, string>;
    readonly resources: Collector;
    readonly outputs: Record<string, unknown>;
    /** Warnings the program logged through `pulumi.log.warn`. */
    readonly warnings: string[];
}

/** Drops the bootstrap's modules (and the main program's config it reads) so `index.ts` runs afresh. */
function forgetModules(): void {
    const dirs = [BOOTSTRAP_ROOT, path.join(ROOT, "config")].map((d) => d + path.sep);
    for (const file of Object.keys(require.cache)) if (dirs.some((d) => file.startsWith(d))) delete require.cache[file];
}

async function runOnce(stack: string, overrides: Record<string, unknown>): Promise<BootstrapRun> {
    const project = readProject(BOOTSTRAP_ROOT).name;
    const config = resolveConfig(
        readProject(BOOTSTRAP_ROOT),
        path.join(BOOTSTRAP_ROOT, `Pulumi.${requireStack(stack, BOOTSTRAP_ROOT)}.yaml`),
        overrides,
    );
    const collector = startCollecting();
    const region = config[`${project}:region`] ?? "us-east-2";
    await pulumi.runtime.setMocks(createMocks(collector, { region }), project, stack, false);
    pulumi.runtime.setAllConfig(config);
    forgetModules();
    const { outputs, warnings } = await runEntry(path.join(BOOTSTRAP_ROOT, "index.ts"), collector);
    return { stack, project, config, resources: collector, outputs, warnings };
}

/** Runs bootstrap stack `stack`; `overrides` replace stack-file values (`undefined` removes one). */
export function runBootstrap(stack: string, overrides: Record<string, unknown> = {}): Promise<BootstrapRun> {
    return exclusive(() => runOnce(stack, overrides));
}

/** The unmodified bootstrap stack's run, shared by every test file. */
export const bootstrapRun = oncePerStack((stack) => runBootstrap(stack));
