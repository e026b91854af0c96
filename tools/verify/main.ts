/**
 * `npm run verify -- --stack NAME [--out FILE]`, or `--fleet PREFIX` for every stack of a fleet.
 *
 * Asks AWS, read-only, whether each claim the code and docs make about a deployed stack is
 * true, and prints one line per claim: PASS, FAIL or UNKNOWN, the expected value next to the
 * observed one. It reads the stack's outputs and its stack file, then only Describe, Get and
 * List calls, so the preview role is enough (docs/verify.md lists each call). Exit 0 when every
 * claim passes, 1 on any FAIL, 3 when none fails but some are UNKNOWN, 2 on bad input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "../cli";
import { deployFleetStacks, knownFleets, requireStack, ROOT } from "../stacks";
import { clientsFor, closeClients } from "./aws";
import { certificateClaims } from "./certificate";
import { Claim } from "./claim";
import { dataClaims } from "./data";
import { loadBalancerClaims } from "./loadBalancer";
import { kubeClaims } from "./kube";
import { liveParity } from "./parity";
import { readLoadBalancer } from "./lbRead";
import { claimLines, exitCode, FleetReport, StackReport, summary } from "./report";
import { route53Claims } from "./route53";
import { loadTarget, output, Target } from "./target";
import { versionClaims } from "./versions";

const USAGE = `usage: npm run verify -- (--stack STACK | --fleet FLEET) [--out FILE] [--strict]
  --stack STACK   one deployed stack, such as prod-us
  --fleet FLEET   every stack of a fleet, one after the other, such as prod
  --out FILE      also write the claims as JSON (docs/verify.md)
  --strict        a read AWS, the cluster or Pulumi refused or failed counts as a FAIL (CI)
exit: 0 every claim PASS, 1 any FAIL, 3 no FAIL but some UNKNOWN, 2 bad input`;

/** The stacks to verify: the one named, or the fleet's, from the stack files. */
function stacksFrom(values: { stack?: string; fleet?: string }, root: string): { stacks: string[]; fleet?: string } {
    if (values.stack !== undefined && values.fleet !== undefined) throw new UsageError("give --stack or --fleet, not both");
    if (values.fleet !== undefined) {
        const stacks = deployFleetStacks(values.fleet, root);
        const fleets = knownFleets(root).join(", ");
        if (stacks.length === 0) throw new UsageError(`unknown fleet ${JSON.stringify(values.fleet)}; fleets: ${fleets}`);
        return { stacks, fleet: values.fleet };
    }
    return { stacks: [requireStack(values.stack, root)] };
}

/** Every AWS claim for one stack; each group reads on its own, so one refusal leaves the others standing. */
async function awsClaims(target: Target, io: Io): Promise<Claim[]> {
    const clients = clientsFor(io.env, target.config.region, { roleArn: target.config.assumeRoleArn, stack: target.stack });
    try {
        const live = await readLoadBalancer(clients.elb, output(target, "loadBalancerHostname"));
        const groups = await Promise.all([
            certificateClaims(clients, target, live),
            route53Claims(clients, target),
            versionClaims(clients, target),
            dataClaims(clients, target),
        ]);
        return [...loadBalancerClaims(live), ...groups.flat()];
    } finally {
        closeClients(clients);
    }
}

async function verifyStack(stack: string, io: Io): Promise<StackReport> {
    const target = await loadTarget(stack, io);
    const kubeconfig = output(target, "kubeconfig");
    const claims = [
        ...(await awsClaims(target, io)),
        ...(await kubeClaims({
            kubeconfig: kubeconfig.ok ? kubeconfig.value : "",
            unreadable: kubeconfig.ok ? undefined : kubeconfig,
            config: target.config,
            stack,
            root: io.root,
        })),
    ];
    return { stack, region: target.config.region, at: new Date(target.now).toISOString(), claims };
}

function write(io: Io, file: string | undefined, json: StackReport | FleetReport): void {
    if (file === undefined) return;
    fs.writeFileSync(path.resolve(file), `${JSON.stringify(json, null, 2)}\n`);
    io.out(`wrote ${file}`);
}

export const main: Main = async (argv, io) => {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: { stack: { type: "string" }, fleet: { type: "string" }, out: { type: "string" }, strict: { type: "boolean" } },
    });
    const { stacks, fleet } = stacksFrom(values, io.root);
    const at = new Date(io.now()).toISOString();
    const reports: StackReport[] = [];
    for (const stack of stacks) {
        const report = await verifyStack(stack, io);
        io.out(`verify ${stack} (${report.region})`);
        for (const line of claimLines(report.claims)) io.out(line);
        io.out(summary(report));
        reports.push(report);
    }
    const parity = fleet === undefined ? [] : liveParity(reports);
    if (parity.length > 0) {
        io.out(`live parity of fleet ${fleet}`);
        for (const line of claimLines(parity)) io.out(line);
        io.out(summary({ stack: `fleet ${fleet}`, region: "", at, claims: parity }));
    }
    write(io, values.out, fleet === undefined ? reports[0]! : { fleet, at, stacks: reports, parity });
    return exitCode([...reports.flatMap((r) => r.claims), ...parity], values.strict === true);
};

if (require.main === module) runMain(main, processIo(ROOT));
