/**
 * `npm run -s deploy-order -- --fleet NAME`: the order one fleet's deploys go in, as GitHub
 * Actions step outputs: every standby first, as a canary, then the active region; and the URL
 * users reach, for the smoke test after it. deploy.yml runs stage, then prod.
 */
import { crossStackProblems } from "./crossStack";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "./cli";
import { deployFleetStacks, loadStacks, ROOT } from "./stacks";
import { DEPLOY_FLEETS, PROD_FLEET, StackConfig } from "../config";

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

const USAGE = `usage: npm run -s deploy-order [-- --fleet ${DEPLOY_FLEETS.join("|")}]
  Prints, for $GITHUB_OUTPUT, the order the fleet's deploys go in, from its stack files (default
  fleet: ${PROD_FLEET}): standby=<JSON list>, the standby stacks, deployed first as canaries;
  active=<JSON>, the active stack; stacks=<JSON list>, all of them; url=https://<recordName>/.`;

export const main: Main = (argv: string[], io: Io) => {
    const { values } = parseCommand(argv, { usage: USAGE, options: { fleet: { type: "string" } } });
    const fleet = values.fleet ?? PROD_FLEET;
    if (!(DEPLOY_FLEETS as readonly string[]).includes(fleet)) {
        throw new UsageError(`unknown fleet ${JSON.stringify(fleet)}; deploy.yml deploys: ${DEPLOY_FLEETS.join(", ")}`);
    }
    const stacks = loadStacks(deployFleetStacks(fleet, io.root), io.root);
    if (stacks.length === 0) throw new UsageError(`fleet ${fleet} has no stack files (Pulumi.${fleet}-*.yaml)`);
    const { standby, active } = deployOrder(stacks);
    io.out(`standby=${JSON.stringify(standby)}`);
    io.out(`active=${JSON.stringify(active)}`);
    io.out(`stacks=${JSON.stringify([active, ...standby].sort((a, b) => a.stack.localeCompare(b.stack)))}`);
    io.out(`url=https://${stacks[0]!.failover.recordName}/`);
    return Promise.resolve();
};

if (require.main === module) runMain(main, processIo(ROOT));
