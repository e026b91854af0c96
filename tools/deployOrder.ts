/**
 * `npm run -s deploy-order`: the order deploys go in, as GitHub Actions step outputs:
 * every standby first, as a canary, then the active region.
 */
import { crossStackProblems } from "./crossStack";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "./cli";
import { regionStacks, ROOT } from "./stacks";
import { StackConfig } from "../config";

/** A stack to deploy and the region its credentials are for. */
export interface DeployTarget {
    readonly stack: string;
    readonly region: string;
}

export function deployOrder(stacks: StackConfig[]): { standby: DeployTarget[]; active: DeployTarget } {
    const problems = crossStackProblems(stacks);
    const active = stacks.find((s) => s.role === "active");
    if (problems.length > 0 || !active) throw new UsageError(`the stack files disagree: ${problems.join("; ")}`);
    const target = (s: StackConfig): DeployTarget => ({ stack: s.stack, region: s.region });
    return { standby: stacks.filter((s) => s.role === "standby").map(target), active: target(active) };
}

const USAGE = `usage: npm run -s deploy-order
  Prints, for $GITHUB_OUTPUT, the order deploys go in, from the stack files: standby=<JSON list>, the
  standby stacks, deployed first as canaries; active=<JSON>, the active stack; stacks=<JSON list>, all of them.`;

export const main: Main = (argv: string[], io: Io) => {
    parseCommand(argv, { usage: USAGE, options: {} });
    const { standby, active } = deployOrder(regionStacks(io.root));
    io.out(`standby=${JSON.stringify(standby)}`);
    io.out(`active=${JSON.stringify(active)}`);
    io.out(`stacks=${JSON.stringify([active, ...standby].sort((a, b) => a.stack.localeCompare(b.stack)))}`);
    return Promise.resolve();
};

if (require.main === module) runMain(main, processIo(ROOT));
