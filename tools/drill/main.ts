/**
 * `npm run drill -- --stack prod-us [--dry-run] [--timeout SECONDS] [--out FILE]`
 *
 * A game-day failover drill on the live fleet. It refuses unless both regions are healthy,
 * inverts the primary's Route 53 health check, asks the zone's authoritative name servers
 * every second until they answer with the standby's load balancer, restores the check and
 * waits the same way for the answer to come back. It prints the measured times next to the
 * computed ones and always restores the check: on success, error, timeout and Ctrl-C. Before the
 * invert it measures the data's replication lag between the two regions' replicas (#19).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "../cli";
import { requireStack, ROOT } from "../stacks";
import { fleetPair, loadPair, Pair, Refusal } from "./pair";
import { preflight, Settings } from "./preflight";
import { describeReplication, measureReplication } from "./replication";
import { planSteps, report, Report, table, unstartedReport } from "./report";
import { execute, processSignals, SignalSource } from "./run";
import { Route53, route53Client } from "./route53";

const USAGE = `usage: npm run drill -- --stack STACK [--dry-run] [--timeout SECONDS] [--out FILE]
  --stack STACK      the fleet's active stack (the PRIMARY), such as prod-us
  --dry-run          print the steps with the ids and names a run would use; change nothing
  --timeout SECONDS  bound on each wait, for the switch and for the failback (default: 3 x the computed worst case + 60)
  --out FILE         also write the result as JSON`;

/** --timeout, checked before anything is read. */
function parseTimeout(timeout: string | undefined): number | undefined {
    if (timeout === undefined) return undefined;
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds <= 0) throw new UsageError(`--timeout takes whole seconds above 0, got ${timeout}`);
    return seconds;
}

/**
 * How the drill reaches DNS, and how long it waits: by default three times the computed worst
 * case plus a minute, for each wait. DRILL_DNS_PORT exists for tests, whose loopback server
 * cannot bind port 53; DRILL_RESOLVER likewise names their resolver.
 */
function settingsFor(io: Io, pair: Pair, timeout: number | undefined): Settings {
    const port = Number(io.env.DRILL_DNS_PORT ?? "53");
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new UsageError(`DRILL_DNS_PORT must be a port number, got ${io.env.DRILL_DNS_PORT}`);
    }
    const timeoutSeconds = timeout ?? 3 * pair.computed.worstCaseSwitchSeconds + 60;
    // Replication usually takes about a second (ReplicationLatency, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html):
    // read every 100 ms for a figure finer than the DNS ones, for at most 30 s.
    return { pollMs: 1000, dnsPort: port, queryTimeoutMs: 2000, timeoutSeconds, replication: { pollMs: 100, timeoutSeconds: 30 } };
}

function write(io: Io, file: string | undefined, r: Report): void {
    if (file === undefined) return;
    fs.writeFileSync(path.resolve(file), `${JSON.stringify(r, null, 2)}\n`);
    io.out(`wrote ${file}`);
}

/** The dry run or the drill; a drill's report, for --out. */
async function drill(
    stack: string,
    values: { "dry-run"?: boolean; timeout?: number },
    io: Io,
    signals: SignalSource,
): Promise<{ code: number; report?: Report }> {
    const configs = fleetPair(stack, io.root);
    // The outputs come through the Pulumi CLI: fail with how to get it rather than a spawn error.
    await io.commands.run(["pulumi", "version"], { capture: true });
    const pair = await loadPair(configs, io);
    const settings = settingsFor(io, pair, values.timeout);
    if (values["dry-run"]) {
        for (const line of planSteps(pair, settings, io.now())) io.out(line);
        return { code: 0 };
    }
    const r53 = new Route53(route53Client(io.env));
    const live = await preflight(pair, r53, io, settings);
    // Before the invert, with both regions healthy: the lag in normal operation, measured whatever the DNS half does.
    const replication = await measureReplication(pair, io, settings.replication);
    (replication.outcome === "measured" || replication.outcome === "no-table" ? io.out : io.err)(describeReplication(replication));
    io.out(
        `drill: ${pair.primary.stack} -> ${pair.standby.stack} for ${pair.recordName}, asking ${live.nameServers.map((s) => s.name).join(", ")}`,
    );
    const result = await execute(live, r53, io, settings, signals);
    const r = report(live, settings, result, replication);
    for (const line of table(r)) io.out(line);
    if (result.outcome !== "passed") io.err(`drill ${result.outcome}: ${result.message}`);
    return { code: result.exitCode, report: r };
}

/** `main` with the signal source passed in, so tests can send SIGINT and SIGTERM. */
export async function runDrill(argv: string[], io: Io, signals: SignalSource): Promise<number> {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: {
            stack: { type: "string" },
            "dry-run": { type: "boolean" },
            timeout: { type: "string" },
            out: { type: "string" },
        },
    });
    const stack = requireStack(values.stack, io.root);
    const timeout = parseTimeout(values.timeout);
    try {
        const { code, report } = await drill(stack, { "dry-run": values["dry-run"], timeout }, io, signals);
        if (report) write(io, values.out, report);
        return code;
    } catch (err) {
        // A drill that never started is still a result CI can read; a mistake in the command is not.
        if (err instanceof Refusal) write(io, values.out, unstartedReport(stack, "refused", err.message));
        else if (!(err instanceof UsageError))
            write(io, values.out, unstartedReport(stack, "error", err instanceof Error ? err.message : String(err)));
        throw err;
    }
}

export const main: Main = (argv, io) => runDrill(argv, io, processSignals);

if (require.main === module) runMain(main, processIo(ROOT));
