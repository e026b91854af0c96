/**
 * Runs the real `index.ts` under the Pulumi mock runtime with a stack file's config,
 * and returns every registered resource and the resolved stack outputs.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import { parentName, withoutRootDot, zonesOf, ZONE_ID } from "../../facts";
import { Collector, createMocks, HostedZone, PLACEHOLDER_ZONE_ID, ResourceRecord, startCollecting } from "./mocks";
import { parseConfig, projectValues, StackConfig } from "../../config";
import { fleetStacks, readProject, resolveStackConfig, ROOT } from "../stacks";

export interface ProgramRun {
    readonly stack: string;
    readonly project: string;
    /** The flat config the program saw, as the CLI would pass it. */
    readonly config: Record<string, string>;
    /** The same config, typed, as the program parsed it. */
    readonly settings: StackConfig;
    readonly resources: Collector;
    readonly outputs: Record<string, unknown>;
    /** The availability zones the mocked region offered. */
    readonly zones: string[];
    /** Warnings the program logged through `pulumi.log.warn`. */
    readonly warnings: string[];
}

export interface RunOptions {
    /** Config values to change; `undefined` removes a key. Keys may omit the project prefix. */
    readonly overrides?: Record<string, unknown>;
    /** Zones the mocked region offers. */
    readonly zones?: string[];
    /** Route 53 hosted zones the mocked account has; `"assume"` takes the stack file's zone as existing. */
    readonly hostedZones?: HostedZone[] | "assume";
    /** ECR repositories the region has; by default the ones the stack names, as after `npm run images`. */
    readonly repositories?: string[];
    /** Whether the bootstrap has made the account's roles and the cluster's key; by default it has. */
    readonly bootstrapped?: boolean;
    /** Folder with Pulumi.yaml and the stack files; the program is always this repository's. */
    readonly root?: string;
    /** Where the fleet's table has replicas; by default in the region of every stack file of the fleet. */
    readonly tableRegions?: string[];
}

/** The program failed; `resources` shows what it had registered by then. */
export class ProgramError extends Error {
    constructor(
        public override readonly cause: unknown,
        public readonly resources: Collector,
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = cause instanceof Error ? cause.name : "ProgramError";
    }
}

/** The public zone a stack file names, taken as existing: a plan has no account to look in. */
function assumedZone(hostedZone = "", recordName = ""): HostedZone {
    const byId = ZONE_ID.test(hostedZone);
    const name = byId ? parentName(recordName) : withoutRootDot(hostedZone);
    return { zoneId: byId ? hostedZone : PLACEHOLDER_ZONE_ID, name, privateZone: false };
}

/** The repositories a stack's images name: what `npm run images` would have made. */
function namedRepositories(config: Record<string, string>, project: string): string[] {
    return ["backendImage", "frontendImage"].map((key) => (config[`${project}:${key}`] ?? "").split(/[:@]/)[0] ?? "");
}

/** The regions of the other stacks of a stack's fleet: with its own, where the bootstrap puts the fleet's table. */
function peerRegions(stack: string, project: string, root?: string): string[] {
    return fleetStacks(stack, root)
        .filter((s) => s !== stack)
        .map((s) => resolveStackConfig(s, undefined, root)[`${project}:region`] ?? "");
}

// Only one program can run at a time: the Pulumi runtime is process-global.
let queue: Promise<unknown> = Promise.resolve();

/** The program's own modules; only these are reloaded between runs. */
const PROGRAM = [
    path.join(ROOT, "index.ts"),
    path.join(ROOT, "config") + path.sep,
    path.join(ROOT, "regions") + path.sep,
    path.join(ROOT, "services") + path.sep,
];

/** Drops the program's modules from the require cache so `index.ts` runs afresh. */
function forgetProgramModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (PROGRAM.some((p) => file === p || (p.endsWith(path.sep) && file.startsWith(p)))) delete require.cache[file];
    }
}

async function runOnce(stack: string, opts: RunOptions): Promise<ProgramRun> {
    const project = readProject(opts.root).name;
    const config = resolveStackConfig(stack, opts.overrides, opts.root);
    const region = config[`${project}:region`] ?? "us-east-2";
    const hostedZones =
        opts.hostedZones === "assume" ? [assumedZone(config[`${project}:hostedZone`], config[`${project}:recordName`])] : opts.hostedZones;

    const collector = startCollecting();
    const repositories = opts.repositories ?? namedRepositories(config, project);
    await pulumi.runtime.setMocks(
        createMocks(collector, {
            region,
            accountId: config[`${project}:accountId`],
            zones: opts.zones,
            hostedZones,
            repositories,
            bootstrapped: opts.bootstrapped,
            tableRegions: opts.tableRegions ?? [region, ...peerRegions(stack, project, opts.root)],
        }),
        project,
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(config);
    forgetProgramModules();

    const { outputs, warnings } = await runEntry(path.join(ROOT, "index.ts"), collector);
    const settings = parseConfig(projectValues(config, project), { project, stack });
    const zones = [...(opts.zones ?? zonesOf(region) ?? [])].sort();
    return { stack, project, config, settings, zones, resources: collector, outputs, warnings };
}

/**
 * Runs a program's entry point under the mocks already set, and waits for every registration.
 * Imported only now, after mocks and config are in place, so each run loads it afresh.
 */
export async function runEntry(file: string, collector: Collector): Promise<{ outputs: Record<string, unknown>; warnings: string[] }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded afresh on every run, after the mocks
    const entry = require(file) as () => Promise<Record<string, unknown>> | Record<string, unknown>;
    // Without an engine, pulumi.log.warn writes to console.warn; keep those for assertions.
    const warnings: string[] = [];
    const consoleWarn = console.warn;
    console.warn = (msg: unknown, ...rest: unknown[]) =>
        typeof msg === "string" && msg.startsWith("warning: [runtime] ")
            ? warnings.push(msg.slice("warning: [runtime] ".length))
            : consoleWarn(msg, ...rest);
    // A failed invoke reaches the program without its message; the mocks recorded it.
    const failedInvokes = () => (collector.failedCalls.length > 0 ? new Error([...new Set(collector.failedCalls)].join("; ")) : undefined);
    let outputs: Record<string, unknown>;
    // The SDK captures a stack trace for every promise it makes, for leak reports no mock run
    // prints; source-mapping them was most of a plan's time. DEBUG keeps them whole.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.DEBUG) Error.stackTraceLimit = 1;
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => entry())) ?? {};
    } catch (err) {
        throw new ProgramError(failedInvokes() ?? err, collector);
    } finally {
        // Let every outstanding registration land before anyone asserts on it.
        await (runtimeSettings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        console.warn = consoleWarn;
        Error.stackTraceLimit = stackTraceLimit;
    }
    const failed = failedInvokes();
    if (failed) throw new ProgramError(failed, collector);
    return { outputs, warnings };
}

/** Runs `job` once every earlier program run has finished; a second program (the bootstrap) queues here too. */
export function exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job);
    queue = run.catch(() => undefined);
    return run;
}

export function runProgram(stack: string, opts: RunOptions = {}): Promise<ProgramRun> {
    return exclusive(() => runOnce(stack, opts));
}

export type { ResourceRecord };

/** `run`, once per stack: every later call shares the first one's promise. */
export function oncePerStack<T>(run: (stack: string) => Promise<T>): (stack: string) => Promise<T> {
    const cache = new Map<string, Promise<T>>();
    return (stack) => {
        let result = cache.get(stack);
        if (!result) {
            result = run(stack);
            cache.set(stack, result);
        }
        return result;
    };
}

/** The unmodified stack's run, shared by every test file. */
export const stackRun = oncePerStack((stack) => runProgram(stack));
