/**
 * The drill itself: invert the primary's health check, watch the zone's name servers move
 * to the standby, restore the check, watch them move back. The check is restored on every
 * way out: success, an error, a timeout, a signal.
 */
import { Io } from "../cli";
import { askAll, verdict } from "./dns";
import { Refusal } from "./pair";
import { describeRound, Live, restoreCommand, Settings } from "./preflight";
import { Route53 } from "./route53";

/** Where SIGINT and SIGTERM come from: the process, or a test. Returns how to stop listening. */
export interface SignalSource {
    on(handler: (signal: "SIGINT" | "SIGTERM") => void): () => void;
}

export const processSignals: SignalSource = {
    on(handler) {
        const listeners = (["SIGINT", "SIGTERM"] as const).map((signal) => [signal, () => handler(signal)] as const);
        for (const [signal, listener] of listeners) process.on(signal, listener);
        return () => listeners.forEach(([signal, listener]) => process.off(signal, listener));
    },
};

export type Outcome = "passed" | "timeout" | "error" | "interrupted" | "restore-failed";

/** Milliseconds since the epoch of each thing that happened. */
export interface Timeline {
    started: number;
    inverted?: number;
    detected?: number;
    switched?: number;
    restored?: number;
    failedBack?: number;
    finished?: number;
}

export interface Result {
    readonly outcome: Outcome;
    readonly message: string;
    readonly timeline: Timeline;
    readonly exitCode: number;
}

class Interrupted extends Error {
    constructor(readonly signal: "SIGINT" | "SIGTERM") {
        super(`stopped by ${signal}`);
    }
}

class TimedOut extends Error {}

/** Turns a signal into a rejection any wait can race against. */
function interruption(signals: SignalSource, io: Io) {
    let caught: Interrupted | undefined;
    let fire: (err: Interrupted) => void = () => {};
    const fired = new Promise<never>((_, reject) => (fire = reject));
    fired.catch(() => {});
    const stop = signals.on((signal) => {
        if (caught) return io.err(`${signal}: still restoring the health check; wait for it`);
        io.err(`${signal}: restoring the health check, then exiting`);
        caught = new Interrupted(signal);
        fire(caught);
    });
    return {
        race: <T>(p: Promise<T>) => Promise.race([p, fired]),
        check: () => {
            if (caught) throw caught;
        },
        stop,
    };
}

type Guard = ReturnType<typeof interruption>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Asks every name server each poll until they all answer with `want`; resolves with when they did. */
async function waitFor(live: Live, io: Io, settings: Settings, guard: Guard, want: string, from: number, alongside?: () => Promise<void>) {
    let last: string | undefined;
    let silent = 0;
    for (;;) {
        guard.check();
        const [round] = await guard.race(
            Promise.all([askAll(live.nameServers, settings.dnsPort, live.pair.recordName, settings.queryTimeoutMs), alongside?.()]),
        );
        const now = io.now();
        const seen = verdict(round, live.targets);
        silent = seen === undefined ? silent + 1 : 0;
        if (silent >= 3) throw new Error(`no authoritative name server answered 3 times in a row (${describeRound(round)})`);
        if (seen !== undefined && seen !== last) io.out(`  +${seconds(now - from)}: the name servers answer ${seen}`);
        last = seen ?? last;
        if (seen === want) return now;
        if (now - from >= settings.timeoutSeconds * 1000) {
            throw new TimedOut(
                `the name servers did not answer ${want} within ${settings.timeoutSeconds} s; last seen: ${describeRound(round)}`,
            );
        }
        await guard.race(io.sleep(settings.pollMs));
    }
}

/** Inverted=false, a few times over; false when Route 53 never took it. */
async function restore(r53: Route53, id: string, io: Io): Promise<boolean> {
    for (let attempt = 1; attempt <= 3; attempt++) {
        try {
            await r53.setInverted(id, false);
            return true;
        } catch (err) {
            io.err(`restoring health check ${id} failed (attempt ${attempt} of 3): ${err instanceof Error ? err.message : String(err)}`);
            if (attempt < 3) await io.sleep(2000);
        }
    }
    return false;
}

/** Inverts the primary's check; a version mismatch means someone else changed it first, so nothing of ours needs undoing. */
async function invert(r53: Route53, live: Live): Promise<void> {
    try {
        await r53.setInverted(live.pair.primary.healthCheckId, true, live.primaryVersion);
    } catch (err) {
        if ((err as { code?: string }).code === "HealthCheckVersionMismatch") {
            throw new Refusal(
                `${live.pair.primary.stack}'s health check ${live.pair.primary.healthCheckId} changed while the drill started (another drill, or a deploy); nothing was changed`,
            );
        }
        // Anything else may have reached Route 53: the caller restores either way.
        throw err;
    }
}

function failure(err: unknown): { outcome: Outcome; message: string; exitCode: number } {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof Interrupted) return { outcome: "interrupted", message, exitCode: err.signal === "SIGINT" ? 130 : 143 };
    if (err instanceof TimedOut) return { outcome: "timeout", message, exitCode: 1 };
    return { outcome: "error", message, exitCode: 1 };
}

/** The two phases; fills the timeline as things happen. */
async function phases(live: Live, r53: Route53, io: Io, settings: Settings, guard: Guard, t: Timeline, restoring: () => Promise<boolean>) {
    const { primary, standby } = live.pair;
    t.inverted = io.now();
    io.out(`inverted ${primary.stack}'s health check ${primary.healthCheckId} at ${iso(t.inverted)}; waiting for ${standby.stack}`);
    const detect = async () => {
        if (t.detected !== undefined) return;
        const view = await r53.checkers(primary.healthCheckId);
        if (view.healthy) return;
        t.detected = io.now();
        io.out(`  +${seconds(t.detected - t.inverted!)}: Route 53 reports ${primary.stack} unhealthy`);
    };
    t.switched = await waitFor(live, io, settings, guard, standby.stack, t.inverted, detect);
    guard.check();
    if (!(await restoring())) throw new Error("Route 53 refused the restore");
    t.restored = io.now();
    io.out(`restored ${primary.stack}'s health check at ${iso(t.restored)}; waiting for ${primary.stack}`);
    t.failedBack = await waitFor(live, io, settings, guard, primary.stack, t.restored);
}

/** Runs the drill; every way out restores the check first. Refusals (nothing changed) are thrown. */
export async function execute(live: Live, r53: Route53, io: Io, settings: Settings, signals: SignalSource): Promise<Result> {
    const t: Timeline = { started: io.now() };
    const guard = interruption(signals, io);
    const id = live.pair.primary.healthCheckId;
    let restored: Promise<boolean> | undefined;
    const restoring = () => (restored ??= restore(r53, id, io));
    let result: { outcome: Outcome; message: string; exitCode: number } = {
        outcome: "passed",
        message: "switched and failed back",
        exitCode: 0,
    };
    // From the invert call on the check may be inverted: even a call that failed may have reached Route 53.
    let mayBeInverted = false;
    try {
        mayBeInverted = true;
        await invert(r53, live);
        await phases(live, r53, io, settings, guard, t, restoring);
    } catch (err) {
        if (err instanceof Refusal) {
            mayBeInverted = false;
            throw err;
        }
        result = failure(err);
    } finally {
        if (mayBeInverted && !(await restoring())) {
            io.err(
                `could not restore ${live.pair.primary.stack}'s health check ${id}: traffic stays on ${live.pair.standby.stack} until you run:`,
            );
            io.err(`  ${restoreCommand(id)}`);
            result = {
                outcome: "restore-failed",
                message: `${result.message}; the health check is still inverted`,
                exitCode: Math.max(result.exitCode, 1),
            };
        } else if (mayBeInverted && t.restored === undefined) {
            t.restored = io.now();
        }
        guard.stop();
        t.finished = io.now();
    }
    return { ...result, timeline: t };
}
