/**
 * `npm run switchover -- --to prod-eu [--dry-run] [--wait 300]`
 *
 * A planned move of the PRIMARY role to another region, without ever asking Route 53
 * for two PRIMARY or two SECONDARY records under one name, and without ever shrinking
 * the region that serves traffic:
 *
 *   1. scale the target to active capacity, still SECONDARY, and wait until it is healthy;
 *   2. withdraw the target's SECONDARY record;                  (record only)
 *   3. demote the active region to SECONDARY, keeping its capacity;  (record only)
 *   4. promote the target to PRIMARY;                              (record only)
 *   5. once the new PRIMARY is healthy and resolvers have let go of the old answer
 *      (the DNS TTL plus the pods' drain), scale the old active down to standby capacity;
 *   6. bring the rest of the new PRIMARY's stack in line with its role.
 *
 * Progress is a Pulumi stack tag on both stacks, so a re-run after a failure at any step
 * carries on from there, and a deploy from main waits (`npm run deploy-guard`). Each step
 * edits the stack files too; commit them when it is done.
 */
import { failoverTimes } from "../../regions/failover";
import { DRAIN_SECONDS } from "../../services/sampleApp";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "../cli";
import { crossStackProblems } from "../crossStack";
import { setStackValues } from "../stackFile";
import { fleetStacks, loadStack, loadStacks, readProject, requireStack, ROOT } from "../stacks";
import { Progress, PROGRESS_TAG, readProgress, writeProgress } from "./progress";
import { describeEndpoint, fresh, resume, Situation } from "./start";
import { describeStack, editsAfter, NO_FAILOVER_STEPS, recordUrn, Step } from "./steps";

/** One run: the world, how long to wait for health, and the project's name. */
interface Run {
    readonly io: Io;
    readonly waitSeconds: number;
    readonly project: string;
}

/** Route 53 applies a record change on all its name servers within about this long. https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-editing.html */
const ROUTE53_PROPAGATION_SECONDS = 60;

async function waitHealthy(run: Run, s: Situation): Promise<boolean> {
    for (let waited = 0; ; waited += 10) {
        if (await run.io.probe.healthy(s.health)) return true;
        if (waited >= run.waitSeconds) return false;
        await run.io.sleep(10_000);
    }
}

/** Seconds after the promotion before the old PRIMARY may shrink: the DNS TTL, then the pods' drain. */
function settleSeconds(s: Situation): { ttl: number; drain: number } {
    return { ttl: failoverTimes(s.to.failover).dnsTtlSeconds, drain: DRAIN_SECONDS.frontend };
}

function setFiles(run: Run, stack: string, edits: Record<string, string | number | boolean>): void {
    const values = Object.entries(edits).map(([key, value]) => [`${run.project}:${key}`, value] as const);
    if (values.length > 0) setStackValues(stack, Object.fromEntries(values), run.io.root);
}

function updateCommand(run: Run, step: Step): string {
    const target = step.scope === "dns" ? ` --target '${recordUrn(run.project, step.stack)}'` : "";
    return `pulumi up --stack ${step.stack}${target}`;
}

function printPlan(run: Run, s: Situation): void {
    const log = run.io.out;
    const { ttl, drain } = settleSeconds(s);
    log(`switchover: PRIMARY moves from ${s.from.stack} to ${s.to.stack}`);
    for (const [i, step] of s.steps.entries()) {
        log(`${i + 1}. [${i < s.progress.done ? "done" : "todo"}] ${step.title}`);
        if (step.afterDnsSettles) {
            log(
                `     wait until ${s.to.stack} is healthy and ${ttl + drain} s (DNS TTL ${ttl} s + drain ${drain} s) have passed since step 4`,
            );
        }
        for (const [key, value] of Object.entries(step.edits)) {
            log(`     set ${run.project}:${key}: ${String(value)} in Pulumi.${step.stack}.yaml`);
        }
        log(`     ${updateCommand(run, step)}`);
        if (step.waitHealthy) log(`     wait until ${step.stack}'s load balancer answers ${s.to.failover.healthCheck.path} with 2xx`);
    }
}

/** The dry run's measure of the no-failover window: one targeted preview, and Route 53's propagation, per DNS step. */
async function estimateWindow(run: Run, s: Situation): Promise<void> {
    if (s.progress.done > NO_FAILOVER_STEPS.last) return;
    const started = run.io.now();
    await run.io.stacks.preview(s.to.stack, { target: [recordUrn(run.project, s.to.stack)] });
    const pulumiSeconds = Math.ceil((run.io.now() - started) / 1000);
    const steps = NO_FAILOVER_STEPS.last - NO_FAILOVER_STEPS.first + 1;
    run.io.out(
        `no failover target during steps ${NO_FAILOVER_STEPS.first + 1}-${NO_FAILOVER_STEPS.last + 1}: about ${steps * (pulumiSeconds + ROUTE53_PROPAGATION_SECONDS)} s ` +
            `(${steps} targeted updates of one record, each ${pulumiSeconds} s of Pulumi as a targeted preview just took, plus up to ${ROUTE53_PROPAGATION_SECONDS} s for Route 53 to apply it)`,
    );
}

/** Before the scale-down: the new PRIMARY healthy, and the old answer out of every resolver and drained. */
async function settle(run: Run, s: Situation): Promise<void> {
    const { ttl, drain } = settleSeconds(s);
    const remaining = (s.progress.promotedAt ?? run.io.now()) + (ttl + drain) * 1000 - run.io.now();
    if (remaining > 0) {
        run.io.out(
            `waiting ${Math.ceil(remaining / 1000)} s: resolvers keep the old answer for ${ttl} s, then its connections drain for ${drain} s`,
        );
        await run.io.sleep(remaining);
    }
    if (!(await waitHealthy(run, s))) {
        throw new UsageError(
            `${s.to.stack} is PRIMARY but not healthy (${describeEndpoint(s.health)}), so ${s.from.stack} keeps its capacity; fix it, then run the same command again`,
        );
    }
}

/** Step 1 found the target unhealthy at active capacity: scale it back and forget the switchover. */
async function rollBack(run: Run, s: Situation): Promise<never> {
    run.io.out(`${s.to.stack} stayed unhealthy for ${run.waitSeconds} s; scaling it back`);
    setFiles(run, s.to.stack, { replicasOverride: 0 });
    await run.io.stacks.up(s.to.stack);
    await writeProgress(run.io.stacks, [s.from.stack, s.to.stack], undefined);
    throw new UsageError(
        `${s.to.stack} did not turn healthy at active capacity (${describeEndpoint(s.health)}); scaled back, nothing is changed`,
    );
}

async function runStep(run: Run, s: Situation, i: number): Promise<Situation> {
    const step = s.steps[i]!;
    const stacks: [string, string] = [s.from.stack, s.to.stack];
    let progress: Progress = s.progress;
    if (step.afterDnsSettles) await settle(run, s);
    run.io.out(`step ${i + 1}/${s.steps.length}: ${step.title}`);
    if (i === NO_FAILOVER_STEPS.first && progress.windowOpenedAt === undefined) {
        progress = { ...progress, windowOpenedAt: run.io.now() };
        await writeProgress(run.io.stacks, stacks, progress);
    }
    try {
        setFiles(run, step.stack, step.edits);
        await run.io.stacks.up(step.stack, step.scope === "dns" ? { target: [recordUrn(run.project, step.stack)] } : {});
    } catch (err) {
        throw new SwitchoverStopped(i, s, err);
    }
    if (step.waitHealthy && !(await waitHealthy(run, s))) await rollBack(run, s);
    progress = { ...progress, done: i + 1 };
    if (i === NO_FAILOVER_STEPS.last) {
        progress = { ...progress, promotedAt: run.io.now() };
        const seconds = Math.round((run.io.now() - (progress.windowOpenedAt ?? run.io.now())) / 1000);
        run.io.out(`${s.to.stack} is PRIMARY; the fleet had no failover target for ${seconds} s`);
    }
    await writeProgress(run.io.stacks, stacks, progress);
    return { ...s, progress };
}

export async function switchover(target: string, run: Run, dryRun = false): Promise<void> {
    const root = run.io.root;
    requireStack(target, root);
    const fleet = loadStacks(fleetStacks(target, root), root);
    const problems = crossStackProblems(fleet).filter((p) => !p.startsWith("exactly one stack must be active"));
    if (problems.length > 0) throw new UsageError(`the stack files disagree: ${problems.join("; ")}`);
    // The Automation API drives the Pulumi CLI; fail with how to get it rather than a spawn error.
    await run.io.commands.run(["pulumi", "version"], { capture: true });
    const recorded = await readProgress(
        run.io.stacks,
        fleet.map((c) => c.stack),
    );
    let s = recorded ? await resume(run.io, target, fleet, recorded) : await fresh(run.io, target, fleet);
    printPlan(run, s);
    if (dryRun) return estimateWindow(run, s);
    if (recorded) {
        run.io.out(`resuming at step ${recorded.done + 1}, as the stacks' ${PROGRESS_TAG} tag records`);
        for (const stack of [s.from.stack, s.to.stack]) setFiles(run, stack, editsAfter(s.steps, recorded.done, stack));
    } else {
        await writeProgress(run.io.stacks, [s.from.stack, s.to.stack], s.progress);
    }
    for (let i = s.progress.done; i < s.steps.length; i++) s = await runStep(run, s, i);
    await writeProgress(run.io.stacks, [s.from.stack, s.to.stack], undefined);
    run.io.out(`done: ${describeStack(loadStack(s.to.stack, root))}; ${describeStack(loadStack(s.from.stack, root))}`);
    run.io.out(
        `Commit Pulumi.${s.from.stack}.yaml and Pulumi.${s.to.stack}.yaml to main: until they are there, deploys from main refuse to run, as they would undo this.`,
    );
}

/** A step failed: says where the switchover stands and how to go on. */
export class SwitchoverStopped extends Error {
    override readonly name = "SwitchoverStopped";
    constructor(step: number, s: Situation, cause: unknown) {
        super(
            [
                `switchover stopped at step ${step + 1}/${s.steps.length} (${s.steps[step]!.title}): ${cause instanceof Error ? cause.message : String(cause)}`,
                `Steps 1-${step} are done, as the ${PROGRESS_TAG} tag on ${s.from.stack} and ${s.to.stack} records; deploys from main wait meanwhile.`,
                `Fix the cause, then run the same command again: npm run switchover -- --to ${s.to.stack} (or re-run the switchover workflow).`,
                `It re-runs step ${step + 1} and carries on.`,
            ].join("\n"),
        );
    }
}

const USAGE = `usage: npm run switchover -- --to STACK [--dry-run] [--wait SECONDS]
  --to STACK      the stack that becomes PRIMARY; a switchover in progress resumes where it stopped
  --dry-run       check the stacks, print the steps and estimate the no-failover window; change nothing
  --wait SECONDS  how long to wait for the target to turn healthy (default 300)
  Stacks are qualified with PULUMI_ORG, else the Pulumi CLI's default org.`;

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
