/**
 * `npm run -s deploy-guard -- --stack prod-us`: whether a deploy of this stack from the
 * checked-out stack files may run. It may not while a switchover is in progress on the
 * stack's fleet, nor when the stack file would move the stack's role or failover record away
 * from what is deployed: only the switchover moves those, and a deploy from files that
 * predate it would undo it. Exit 0 to go on, 1 to refuse, 2 for a usage error.
 */
import { Io, Main, parseCommand, processIo, runMain } from "./cli";
import { fleetStacks, loadStack, requireStack, ROOT } from "./stacks";
import { deployedDiffers, describeProgress, readProgress } from "./switchover/progress";

const USAGE = `usage: npm run -s deploy-guard -- --stack STACK
  Exits 0 when a deploy of STACK may run, or 1 with the reason: a switchover is in progress
  (the stacks' multiregion:switchover tag), or the stack file's role or failover record
  differ from what is deployed. Stacks are qualified with PULUMI_ORG.`;

/** Why a deploy of `stack` must not run now; undefined when it may. */
export async function deployRefusal(io: Io, stack: string): Promise<string | undefined> {
    const fleet = fleetStacks(stack, io.root);
    const progress = await readProgress(io.stacks, fleet);
    if (progress) {
        return `${describeProgress(progress)}; deploys wait until it finishes (re-run the switchover workflow, or npm run switchover -- --to ${progress.to})`;
    }
    // A first deploy has nothing to undo: no stack yet, or one created empty (pulumi stack init).
    if (!(await io.stacks.exists(stack))) return undefined;
    const outputs = await io.stacks.outputs(stack);
    if (Object.keys(outputs).length === 0) return undefined;
    // The floor may change in a plain pull request (after an outage, say); the role and the
    // record only through a switchover, mid-way of which the tag above already refuses.
    const differs = deployedDiffers(loadStack(stack, io.root), outputs, false);
    if (differs.length === 0) return undefined;
    return `${differs.join("; ")}: only npm run switchover moves these; merge the switchover's stack-file change, or run it`;
}

export const main: Main = async (argv, io) => {
    const { values } = parseCommand(argv, { usage: USAGE, options: { stack: { type: "string" } } });
    const stack = requireStack(values.stack, io.root);
    // The Automation API drives the Pulumi CLI; fail with how to get it rather than a spawn error.
    await io.commands.run(["pulumi", "version"], { capture: true });
    const refusal = await deployRefusal(io, stack);
    if (refusal === undefined) {
        io.out(`deploy of ${stack} may go ahead`);
        return 0;
    }
    io.err(`refusing to deploy ${stack}: ${refusal}`);
    return 1;
};

if (require.main === module) runMain(main, processIo(ROOT));
