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
import { StackConfig } from "../../config";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "../cli";
import { crossStackProblems } from "../crossStack";
import { setStackValues } from "../stackFile";
import { loadStack, readProject, regionStacks, requireStack, ROOT } from "../stacks";
import { RegionEndpoint } from "../pulumiStacks";
import { describeStack, Situation, situation, Step } from "./steps";

/** The target region's deep health check, by the public name, at its own load balancer. */
function healthEndpoint(outputs: Record<string, unknown>, config: StackConfig): RegionEndpoint {
    const connectTo = outputs.loadBalancerHostname;
    if (typeof connectTo !== "string") throw new UsageError(`${config.stack} has no loadBalancerHostname output; deploy it first`);
    return { url: `https://${config.failover.recordName}${config.failover.healthCheck.path}`, connectTo };
}

function describeEndpoint(e: RegionEndpoint): string {
    return `${e.url} at ${e.connectTo}`;
}

/** One run: the world, how long to wait for health, and the project's config namespace. */
interface Run {
    readonly io: Io;
    readonly waitSeconds: number;
    readonly project: string;
}

async function waitHealthy(run: Run, url: RegionEndpoint): Promise<boolean> {
    const deadline = run.waitSeconds * 1000;
    for (let waited = 0; ; waited += 10_000) {
        if (await run.io.probe.healthy(url)) return true;
        if (waited >= deadline) return false;
        await run.io.sleep(10_000);
    }
}

function apply(run: Run, step: Step): void {
    const edits = Object.entries(step.edits).map(([key, value]) => [`${run.project}:${key}`, value] as const);
    setStackValues(step.stack, Object.fromEntries(edits), run.io.root);
}

function printPlan(run: Run, s: Situation): void {
    const log = run.io.out;
    log(`switchover: PRIMARY moves from ${s.from.stack} to ${s.to.stack}`);
    for (const [i, step] of s.steps.entries()) {
        const state = i < s.applied - 1 ? "done" : i === s.applied - 1 ? "re-run" : "todo";
        log(`${i + 1}. [${state}] ${step.title}`);
        for (const [key, value] of Object.entries(step.edits)) {
            log(`     set ${run.project}:${key}: ${String(value)} in Pulumi.${step.stack}.yaml`);
        }
        log(`     pulumi up --stack ${step.stack}`);
        if (step.waitHealthy) log(`     wait until ${step.stack}'s load balancer answers ${s.to.failover.healthCheck.path} with 2xx`);
    }
}

async function checkDeployed(run: Run, s: Situation): Promise<RegionEndpoint> {
    for (const stack of [s.from.stack, s.to.stack]) {
        if (!(await run.io.stacks.exists(stack))) {
            throw new UsageError(`stack ${stack} is not deployed; run pulumi up --stack ${stack} first`);
        }
    }
    const url = healthEndpoint(await run.io.stacks.outputs(s.to.stack), s.to);
    if (s.applied === 0 && !(await run.io.probe.healthy(url))) {
        throw new UsageError(`${s.to.stack} is not healthy (${describeEndpoint(url)}); nothing was changed`);
    }
    return url;
}

async function runStep(run: Run, s: Situation, i: number, url: RegionEndpoint): Promise<void> {
    const step = s.steps[i]!;
    run.io.out(`step ${i + 1}/${s.steps.length}: ${step.title}`);
    try {
        apply(run, step);
        await run.io.stacks.up(step.stack);
    } catch (err) {
        throw new SwitchoverStopped(i, s, err, run.io.root);
    }
    if (step.waitHealthy && !(await waitHealthy(run, url))) {
        run.io.out(`${s.to.stack} stayed unhealthy for ${run.waitSeconds} s; rolling step ${i + 1} back`);
        apply(run, { ...step, edits: { replicasOverride: 0 } });
        await run.io.stacks.up(step.stack);
        throw new UsageError(
            `${s.to.stack} did not turn healthy at active capacity (${describeEndpoint(url)}); scaled back, nothing is changed`,
        );
    }
}

export async function switchover(target: string, run: Run, dryRun = false): Promise<void> {
    const root = run.io.root;
    requireStack(target, root);
    const stacks = regionStacks(root);
    const problems = crossStackProblems(stacks).filter((p) => !p.startsWith("exactly one stack must be active"));
    if (problems.length > 0) throw new UsageError(`the stack files disagree: ${problems.join("; ")}`);
    const s = situation(target, stacks);
    printPlan(run, s);
    if (dryRun) return;
    // The Automation API drives the Pulumi CLI; fail with how to get it rather than a spawn error.
    await run.io.commands.run(["pulumi", "version"], { capture: true });
    const url = await checkDeployed(run, s);
    // Re-run the last step the files show, in case its update did not finish.
    for (let i = Math.max(0, s.applied - 1); i < s.steps.length; i++) await runStep(run, s, i, url);
    run.io.out(`done: ${describeStack(loadStack(s.to.stack, root))}; ${describeStack(loadStack(s.from.stack, root))}`);
}

/** A step failed: says what state each stack is in and how to go on. */
export class SwitchoverStopped extends Error {
    override readonly name = "SwitchoverStopped";
    constructor(step: number, s: Situation, cause: unknown, root: string) {
        const states = [s.from.stack, s.to.stack].map(
            (stack) => `  ${describeStack(loadStack(stack, root))} (as Pulumi.${stack}.yaml asks; its last update may not have finished)`,
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

const USAGE = `usage: npm run switchover -- --to STACK [--dry-run] [--wait SECONDS]
  --to STACK      the stack that becomes PRIMARY
  --dry-run       print the steps and the stack-file edits, change nothing
  --wait SECONDS  how long to wait for the scaled-up target to turn healthy (default 300)`;

export const main: Main = async (argv, io) => {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: { to: { type: "string" }, "dry-run": { type: "boolean" }, wait: { type: "string", default: "300" } },
    });
    if (!values.to) throw new UsageError(`--to <stack> is required\n${USAGE}`);
    const waitSeconds = Number(values.wait);
    if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait takes whole seconds, got ${values.wait}`);
    await switchover(values.to, { io, waitSeconds, project: readProject(io.root).name }, values["dry-run"]);
};

if (require.main === module) runMain(main, processIo(ROOT));
