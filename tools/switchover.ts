/**
 * `npm run switchover -- --to prod-eu [--dry-run] [--wait 300]`
 *
 * A planned move of the PRIMARY role to another region, without ever asking Route 53
 * for two PRIMARY or two SECONDARY records under one name, and without ever shrinking
 * the region that serves traffic:
 *
 *   1. scale the target to active capacity, still SECONDARY, and wait until it is healthy;
 *   2. withdraw the target's SECONDARY record;
 *   3. demote the active region to SECONDARY, keeping its capacity;
 *   4. promote the target to PRIMARY at active capacity;
 *   5. scale the old active down to standby capacity.
 *
 * Every step edits the stack files first, then runs `pulumi up` on one stack, so the
 * repository always says what is deployed. A failed step leaves the files saying what
 * was asked; running the same command again re-runs that step's update and goes on.
 */
import { parseArgs } from "node:util";
import { automation } from "@pulumi/pulumi";
import { StackConfig } from "../config";
import { requireStack, runMain, stackConfig, UsageError } from "./cli";
import { crossStackProblems, regionStacks } from "./fleet";
import { ROOT, setStackValues } from "./stackConfig";

/** What the procedure needs from Pulumi: the Automation API for real, a fake in tests. */
export interface StackBackend {
    /** Whether the stack exists in the Pulumi backend. */
    exists(stack: string): Promise<boolean>;
    /** `pulumi up` with the stack file's current config. */
    up(stack: string): Promise<void>;
    /** The stack's outputs after its last update. */
    outputs(stack: string): Promise<Record<string, unknown>>;
}

export interface HealthProbe {
    /** True when `url` answers 2xx within a few seconds. */
    healthy(url: string): Promise<boolean>;
}

export interface SwitchoverEnv {
    readonly backend: StackBackend;
    readonly probe: HealthProbe;
    readonly log: (line: string) => void;
    readonly sleep: (ms: number) => Promise<void>;
    /** Folder holding Pulumi.yaml and the stack files. */
    readonly root: string;
    /** How long to wait for the scaled-up target to turn healthy. */
    readonly waitSeconds: number;
}

type Value = string | number | boolean;
const P = "multiregion";

interface Step {
    readonly title: string;
    readonly stack: string;
    readonly edits: Record<string, Value>;
    /** Wait for the target's deep health check after the update. */
    readonly waitHealthy?: boolean;
}

/** The five steps, from stack files as they are before step 1. */
export function planSwitchover(from: StackConfig, to: StackConfig): Step[] {
    const fromActive = from.services.activeReplicas;
    const toActive = to.services.activeReplicas;
    return [
        {
            title: `scale ${to.stack} to active capacity (${toActive} pods per service), still SECONDARY`,
            stack: to.stack,
            edits: { replicasOverride: toActive },
            waitHealthy: true,
        },
        { title: `withdraw ${to.stack}'s SECONDARY record`, stack: to.stack, edits: { failoverRecord: false } },
        {
            title: `demote ${from.stack} to SECONDARY, keeping its ${fromActive} pods per service`,
            stack: from.stack,
            edits: { role: "standby", replicasOverride: fromActive },
        },
        { title: `promote ${to.stack} to PRIMARY`, stack: to.stack, edits: { role: "active", failoverRecord: true, replicasOverride: 0 } },
        {
            title: `scale ${from.stack} down to standby capacity (${from.services.standbyReplicas} pods per service)`,
            stack: from.stack,
            edits: { replicasOverride: 0 },
        },
    ];
}

/** The values the steps switch, as a stack file holds them now. */
function switched(config: StackConfig): Record<string, Value> {
    return { role: config.role, failoverRecord: config.failover.publishRecord, replicasOverride: config.services.replicasOverride };
}

/**
 * The switched values of both stacks before step 1 and after each step, derived from the
 * steps' own edits: index 0 before step 1, index 5 when done.
 */
function statesAfterSteps(from: StackConfig, to: StackConfig, steps: Step[]): string[] {
    let state: Record<string, Record<string, Value>> = {
        [from.stack]: { role: "active", failoverRecord: from.failover.publishRecord, replicasOverride: 0 },
        [to.stack]: { role: "standby", failoverRecord: true, replicasOverride: 0 },
    };
    const states = [state];
    for (const step of steps) {
        state = { ...state, [step.stack]: { ...state[step.stack], ...step.edits } };
        states.push(state);
    }
    return states.map((x) => JSON.stringify([x[from.stack], x[to.stack]]));
}

/** A one-line account of a stack's DNS role and capacity, from its stack file. */
export function describeStack(config: StackConfig): string {
    const record = config.failover.publishRecord ? config.failover.failoverType : "no record";
    return `${config.stack}: role ${config.role}, ${record}, ${config.services.replicas} pods per service`;
}

interface Situation {
    readonly from: StackConfig;
    readonly to: StackConfig;
    readonly steps: Step[];
    /** How many steps the files show as applied: 0 before step 1, 5 when done. */
    readonly applied: number;
}

/**
 * Works out where a switchover to `target` stands from the stack files: before it,
 * part-way (another run left the old active with an override), or done.
 */
function situation(target: string, stacks: StackConfig[]): Situation {
    const to = stacks.find((s) => s.stack === target)!;
    const others = stacks.filter((s) => s.stack !== target);
    const from = others.find((s) => s.role === "active") ?? others.find((s) => s.services.replicasOverride > 0);
    if (!from) {
        if (to.role === "active") throw new UsageError(`${target} is already the active region; nothing to do`);
        throw new UsageError(`no stack is active and none is part-way through a switchover: ${stacks.map(describeStack).join("; ")}`);
    }
    const steps = planSwitchover(from, to);
    const applied = statesAfterSteps(from, to, steps).indexOf(JSON.stringify([switched(from), switched(to)]));
    if (applied < 0) {
        throw new UsageError(
            `the stack files match no step of a switchover from ${from.stack} to ${target}; settle them by hand: ${describeStack(from)}; ${describeStack(to)}`,
        );
    }
    return { from, to, steps, applied };
}

function healthUrl(outputs: Record<string, unknown>, config: StackConfig): string {
    const base = outputs.loadBalancerUrl;
    if (typeof base !== "string") throw new UsageError(`${config.stack} has no loadBalancerUrl output; deploy it first`);
    return `${base}${config.failover.healthCheck.path}`;
}

async function waitHealthy(env: SwitchoverEnv, url: string): Promise<boolean> {
    const deadline = env.waitSeconds * 1000;
    for (let waited = 0; ; waited += 10_000) {
        if (await env.probe.healthy(url)) return true;
        if (waited >= deadline) return false;
        await env.sleep(10_000);
    }
}

function apply(step: Step, root: string): void {
    setStackValues(step.stack, Object.fromEntries(Object.entries(step.edits).map(([key, value]) => [`${P}:${key}`, value])), root);
}

function printPlan(s: Situation, log: (line: string) => void): void {
    log(`switchover: PRIMARY moves from ${s.from.stack} to ${s.to.stack}`);
    for (const [i, step] of s.steps.entries()) {
        const state = i < s.applied - 1 ? "done" : i === s.applied - 1 ? "re-run" : "todo";
        log(`${i + 1}. [${state}] ${step.title}`);
        for (const [key, value] of Object.entries(step.edits)) log(`     set ${P}:${key}: ${String(value)} in Pulumi.${step.stack}.yaml`);
        log(`     pulumi up --stack ${step.stack}`);
        if (step.waitHealthy) log(`     wait until ${step.stack}'s load balancer answers ${s.to.failover.healthCheck.path} with 2xx`);
    }
}

export async function switchover(target: string, env: SwitchoverEnv, dryRun = false): Promise<void> {
    requireStack(target, env.root);
    const stacks = regionStacks(env.root);
    const problems = crossStackProblems(stacks).filter((p) => !p.startsWith("exactly one stack must be active"));
    if (problems.length > 0) throw new UsageError(`the stack files disagree: ${problems.join("; ")}`);
    const s = situation(target, stacks);
    // Re-run the last step the files show, in case its update did not finish.
    const start = Math.max(0, s.applied - 1);
    printPlan(s, env.log);
    if (dryRun) return;

    for (const stack of [s.from.stack, s.to.stack]) {
        if (!(await env.backend.exists(stack)))
            throw new UsageError(`stack ${stack} is not deployed; run pulumi up --stack ${stack} first`);
    }
    const url = healthUrl(await env.backend.outputs(s.to.stack), s.to);
    if (s.applied === 0 && !(await env.probe.healthy(url))) {
        throw new UsageError(`${s.to.stack} is not healthy (${url}); nothing was changed`);
    }

    for (let i = start; i < s.steps.length; i++) {
        const step = s.steps[i]!;
        env.log(`step ${i + 1}/${s.steps.length}: ${step.title}`);
        try {
            apply(step, env.root);
            await env.backend.up(step.stack);
        } catch (err) {
            throw new SwitchoverStopped(i, s, err, env.root);
        }
        if (step.waitHealthy && !(await waitHealthy(env, url))) {
            env.log(`${s.to.stack} stayed unhealthy for ${env.waitSeconds} s; rolling step ${i + 1} back`);
            const undo = { ...step, edits: { replicasOverride: 0 } };
            apply(undo, env.root);
            await env.backend.up(step.stack);
            throw new UsageError(`${s.to.stack} did not turn healthy at active capacity (${url}); scaled back, nothing is changed`);
        }
    }
    env.log(`done: ${describeStack(stackConfig(s.to.stack, env.root))}; ${describeStack(stackConfig(s.from.stack, env.root))}`);
}

/** A step failed: says what state each stack is in and how to go on. */
export class SwitchoverStopped extends Error {
    override readonly name = "SwitchoverStopped";
    constructor(step: number, s: Situation, cause: unknown, root: string) {
        const states = [s.from.stack, s.to.stack].map(
            (stack) => `  ${describeStack(stackConfig(stack, root))} (as Pulumi.${stack}.yaml asks; its last update may not have finished)`,
        );
        super(
            [
                `switchover stopped at step ${step + 1}/${s.steps.length} (${s.steps[step]!.title}): ${cause instanceof Error ? cause.message : String(cause)}`,
                ...states,
                `Steps 1-${step} are done. Fix the cause, then run the same command again: npm run switchover -- --to ${s.to.stack}`,
                `It re-runs step ${step + 1}'s update and carries on. Commit ${[s.from.stack, s.to.stack].map((x) => `Pulumi.${x}.yaml`).join(" and ")} either way.`,
            ].join("\n"),
        );
    }
}

/** The Pulumi Automation API, on the stacks of this project folder. */
export function automationBackend(root = ROOT): StackBackend {
    const { LocalWorkspace } = automation;
    const workspace = (stack: string) => LocalWorkspace.selectStack({ stackName: stack, workDir: root });
    return {
        async exists(stack) {
            const ws = await LocalWorkspace.create({ workDir: root });
            return (await ws.listStacks()).some((s) => s.name === stack || s.name.endsWith(`/${stack}`));
        },
        async up(stack) {
            await (await workspace(stack)).up({ onOutput: (out) => process.stdout.write(out) });
        },
        async outputs(stack) {
            const outputs = await (await workspace(stack)).outputs();
            return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, o.value]));
        },
    };
}

export const httpProbe: HealthProbe = {
    async healthy(url) {
        try {
            return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
        } catch {
            return false;
        }
    },
};

export async function main(argv: string[], env?: Partial<SwitchoverEnv>): Promise<void> {
    const { values } = parseArgs({
        args: argv,
        options: { to: { type: "string" }, "dry-run": { type: "boolean" }, wait: { type: "string", default: "300" } },
        strict: true,
    });
    if (!values.to) throw new UsageError("--to <stack> is required");
    const waitSeconds = Number(values.wait);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait takes whole seconds, got ${values.wait}`);
    const root = env?.root ?? ROOT;
    await switchover(
        values.to,
        {
            backend: env?.backend ?? automationBackend(root),
            probe: env?.probe ?? httpProbe,
            log: env?.log ?? console.log,
            sleep: env?.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
            root,
            waitSeconds,
        },
        values["dry-run"],
    );
}

if (require.main === module) runMain(main);
