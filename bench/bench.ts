/**
 * `npm run bench`: drives each frontend, with its backend behind it, on loopback and prints
 * throughput, latency, errors, every process's peak RSS and CPU time per request, for our
 * services with access logs on (LOG_LEVEL=info, the production default, stdout a pipe that
 * another process drains, as the container runtime does) and off (LOG_LEVEL=warn), and for the
 * reference pair (Express 4 + EJS + fetch); then our/reference ratios. Then the per-pod mode:
 * each process under its pod's CPU limit through a cgroup v1 `cpu` group, where one can be made.
 *
 * The variants take turns over BENCH_ROUNDS rounds, fresh processes each time, and the figures
 * are medians, so a burst of other work on the machine does not land on one variant only; the
 * CPU other processes used while measuring is printed too. Figures only: nothing passes or fails.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";

const ROOT = path.resolve(__dirname, "..");
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_S = 3;
// The pods' CPU limit (500m, services/sampleApp.ts) as a CFS quota per period.
const POD_CPU = { quotaUs: 50_000, periodUs: 100_000 };
const CGROUP_CPU = "/sys/fs/cgroup/cpu";
// /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux.
const TICK_MS = 10;

interface Variant {
    readonly label: string;
    readonly backend: string;
    readonly frontend: string;
    readonly env: Record<string, string>;
}

const OURS = { backend: "services/backend/server.mjs", frontend: "services/frontend/server.mjs" };
const LOGS_ON: Variant = { label: "ours, access log on", ...OURS, env: { LOG_LEVEL: "info" } };
const LOGS_OFF: Variant = { label: "ours, access log off", ...OURS, env: { LOG_LEVEL: "warn" } };
const REFERENCE: Variant = { label: "reference", backend: "bench/reference/backend.js", frontend: "bench/reference/frontend.js", env: {} };

interface Result {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly requests: number;
    readonly backendRssMb: number;
    readonly frontendRssMb: number;
    /** Frontend plus backend CPU time per request, µs: less sensitive than throughput to what else the machine runs. */
    readonly cpuUsPerRequest: number;
    /** Requests served, warm-up and readiness polls included. */
    readonly servedWithWarmup: number;
    /** Lines both processes wrote to stdout in their lives: the access log, when it is on, and a few lifecycle lines. */
    readonly logLines: number;
    /** CPU used by everything else on the machine while measured (the `wc` log drains included), in cores. */
    readonly otherCores: number;
}

interface Started {
    readonly child: ChildProcess;
    /** Lines the app wrote to stdout in its life; known once it has exited. */
    readonly lines: Promise<number>;
}

/**
 * Starts an app with its stdout a pipe that another process (`wc -l`) drains and counts, as
 * the container runtime drains a pod's: a full pipe would block the app's synchronous writes,
 * and draining it here would slow the load generator in this process.
 */
function start(script: string, env: Record<string, string>): Started {
    const counter = spawn("wc", ["-l"], { stdio: ["pipe", "pipe", "inherit"] });
    const child = spawn(process.execPath, [path.join(ROOT, script)], {
        env: { ...process.env, NODE_ENV: "production", ...env },
        stdio: ["ignore", counter.stdin, "inherit"],
    });
    // The app holds the pipe's write end now; ours would keep `wc` from seeing the end.
    counter.stdin.destroy();
    let out = "";
    counter.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    const lines = new Promise<number>((resolve) => counter.on("close", () => resolve(Number(out.trim()))));
    child.on("exit", (code, signal) => {
        if (code !== 0 && signal === null) console.error(`${script} exited with ${code}`);
    });
    return { child, lines };
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
function peakRssMb(child: ChildProcess): number {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
}

/** User plus system CPU time of a live process, all threads, in ms. */
function cpuMs(child: ChildProcess): number {
    const stat = fs.readFileSync(`/proc/${child.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU time the whole machine spent busy so far (stolen by the hypervisor included), in ms. */
function machineBusyMs(): number {
    const [, user, nice, system, , , irq, softirq, steal] = fs
        .readFileSync("/proc/stat", "utf8")
        .split("\n")[0]!
        .trim()
        .split(/\s+/)
        .map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

/** Polls until `url` answers 200; resolves with how many requests it answered. */
async function waitFor(url: string): Promise<number> {
    let answered = 0;
    for (let i = 0; i < 100; i++) {
        try {
            const res = await fetch(url);
            answered++;
            await res.arrayBuffer();
            if (res.ok) return answered;
        } catch {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${url} never answered 200`);
}

function load(url: string, seconds: number): Promise<autocannon.Result> {
    return autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
}

async function measure(variant: Variant, port: number, pod?: Pod): Promise<Result> {
    const backend = start(variant.backend, { ...variant.env, PORT: String(port + 1), REGION: "bench" });
    const frontend = start(variant.frontend, {
        ...variant.env,
        PORT: String(port),
        REGION: "bench",
        BACKEND_URL: `http://127.0.0.1:${port + 1}`,
    });
    try {
        pod?.frontend.add(frontend.child);
        pod?.backend.add(backend.child);
        const url = `http://127.0.0.1:${port}/`;
        const polls = await waitFor(url);
        const warmup = await load(url, WARMUP_S);
        const before = {
            cpu: cpuMs(frontend.child) + cpuMs(backend.child),
            machine: machineBusyMs(),
            self: process.cpuUsage(),
            at: performance.now(),
        };
        const r = await load(url, DURATION_S);
        const cpu = cpuMs(frontend.child) + cpuMs(backend.child) - before.cpu;
        const self = process.cpuUsage(before.self);
        const other = machineBusyMs() - before.machine - cpu - (self.user + self.system) / 1000;
        const at = performance.now();
        const rss = { backend: peakRssMb(backend.child), frontend: peakRssMb(frontend.child) };
        await Promise.all([stop(backend.child), stop(frontend.child)]);
        return {
            rps: r.requests.average,
            p50: r.latency.p50,
            p99: r.latency.p99,
            errors: r.errors + r.timeouts,
            non2xx: r.non2xx,
            requests: r.requests.total,
            backendRssMb: rss.backend,
            frontendRssMb: rss.frontend,
            cpuUsPerRequest: r.requests.total === 0 ? 0 : Math.round((cpu * 1000) / r.requests.total),
            servedWithWarmup: polls + warmup.requests.total + r.requests.total,
            // Counted by the two `wc`s once the apps are gone.
            logLines: (await frontend.lines) + (await backend.lines),
            otherCores: Math.max(0, other / (at - before.at)),
        };
    } finally {
        await Promise.all([stop(backend.child), stop(frontend.child)]);
    }
}

interface CpuGroup {
    add(child: ChildProcess): void;
    /** CFS periods in which the group was throttled so far. */
    throttled(): number;
    remove(): void;
}

interface Pod {
    readonly frontend: CpuGroup;
    readonly backend: CpuGroup;
}

/** A cgroup v1 `cpu` group limited to the pod's CPU; throws when it cannot be made. */
function cpuGroup(name: string): CpuGroup {
    const dir = path.join(CGROUP_CPU, `bench-${process.pid}-${name}`);
    fs.mkdirSync(dir);
    try {
        fs.writeFileSync(path.join(dir, "cpu.cfs_period_us"), String(POD_CPU.periodUs));
        fs.writeFileSync(path.join(dir, "cpu.cfs_quota_us"), String(POD_CPU.quotaUs));
    } catch (err) {
        fs.rmdirSync(dir);
        throw err;
    }
    return {
        add: (child) => fs.writeFileSync(path.join(dir, "cgroup.procs"), String(child.pid)),
        throttled: () => Number(/nr_throttled (\d+)/.exec(fs.readFileSync(path.join(dir, "cpu.stat"), "utf8"))?.[1] ?? NaN),
        remove: () => fs.rmdirSync(dir),
    };
}

/** The two pods' groups, or why they cannot be made. */
function podGroups(): Pod | string {
    if (!fs.existsSync(path.join(CGROUP_CPU, "cpu.cfs_quota_us"))) {
        return `no cgroup v1 cpu controller at ${CGROUP_CPU}`;
    }
    let frontend: CpuGroup | undefined;
    try {
        frontend = cpuGroup("frontend");
        return { frontend, backend: cpuGroup("backend") };
    } catch (err) {
        frontend?.remove();
        return `cannot make a cpu cgroup under ${CGROUP_CPU} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
}

const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One figure per variant from its rounds: medians of rates, latencies and CPU; sums of counts; peaks of RSS. */
function summarize(rounds: Result[]): Result {
    const med = (f: (r: Result) => number) => median(rounds.map(f));
    const sum = (f: (r: Result) => number) => rounds.reduce((n, r) => n + f(r), 0);
    const max = (f: (r: Result) => number) => Math.max(...rounds.map(f));
    return {
        rps: med((r) => r.rps),
        p50: med((r) => r.p50),
        p99: med((r) => r.p99),
        errors: sum((r) => r.errors),
        non2xx: sum((r) => r.non2xx),
        requests: sum((r) => r.requests),
        servedWithWarmup: sum((r) => r.servedWithWarmup),
        backendRssMb: max((r) => r.backendRssMb),
        frontendRssMb: max((r) => r.frontendRssMb),
        cpuUsPerRequest: med((r) => r.cpuUsPerRequest),
        logLines: sum((r) => r.logLines),
        otherCores: med((r) => r.otherCores),
    };
}

/** Runs `variants` in turn for ROUNDS rounds; one summary each. */
async function compare(variants: Variant[], basePort: number, pod?: Pod): Promise<Map<Variant, Result>> {
    const rounds = new Map<Variant, Result[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
        for (const [i, variant] of variants.entries()) rounds.get(variant)!.push(await measure(variant, basePort + i * 10, pod));
    }
    return new Map(variants.map((v) => [v, summarize(rounds.get(v)!)]));
}

async function perPod(): Promise<void> {
    const pod = podGroups();
    if (typeof pod === "string") {
        console.log(`per-pod mode skipped: ${pod}`);
        return;
    }
    try {
        const results = await compare([LOGS_ON, REFERENCE], 18430, pod);
        const ours = results.get(LOGS_ON)!;
        const ref = results.get(REFERENCE)!;
        console.log(`per-pod throughput at 500m CPU: ${Math.round(ours.rps)} req/s`);
        console.log(
            `  ours, access log on: p50 ${ours.p50} ms, p99 ${ours.p99} ms, errors ${ours.errors}, non-2xx ${ours.non2xx}; ` +
                `reference: ${Math.round(ref.rps)} req/s, p50 ${ref.p50} ms, p99 ${ref.p99} ms; ours/reference ${ratio(ours.rps, ref.rps)}x`,
        );
        console.log(
            `  CFS-throttled periods: frontend ${pod.frontend.throttled()}, backend ${pod.backend.throttled()}; ` +
                `other processes used ${ours.otherCores.toFixed(2)} cores while ours was measured`,
        );
    } finally {
        for (const group of [pod.frontend, pod.backend]) {
            try {
                group.remove();
            } catch (err) {
                console.log(`could not remove a bench cgroup: ${String(err)}`);
            }
        }
    }
}

async function main(): Promise<void> {
    console.log(
        `loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${WARMUP_S} s warm-up then ${DURATION_S} s measured per variant, ` +
            `medians shown; NODE_ENV=production, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    const variants = [LOGS_ON, LOGS_OFF, REFERENCE];
    const results = await compare(variants, 18400);
    console.table(
        variants.map((v) => {
            const r = results.get(v)!;
            return {
                variant: v.label,
                "req/s": Math.round(r.rps),
                "p50 ms": r.p50,
                "p99 ms": r.p99,
                errors: r.errors,
                "non-2xx": r.non2xx,
                requests: r.requests,
                "log lines": r.logLines,
                "CPU µs/req": r.cpuUsPerRequest,
                "frontend peak RSS MB": r.frontendRssMb,
                "backend peak RSS MB": r.backendRssMb,
                "other CPU (cores)": Number(r.otherCores.toFixed(2)),
            };
        }),
    );
    const on = results.get(LOGS_ON)!;
    const off = results.get(LOGS_OFF)!;
    const ref = results.get(REFERENCE)!;
    console.log(`throughput ours/reference: ${ratio(on.rps, ref.rps)}x with access logs on, ${ratio(off.rps, ref.rps)}x with them off`);
    console.log(`p50 ours/reference: ${ratio(on.p50, ref.p50)} on, ${ratio(off.p50, ref.p50)} off`);
    console.log(`p99 ours/reference: ${ratio(on.p99, ref.p99)} on, ${ratio(off.p99, ref.p99)} off`);
    console.log(
        `CPU per request reference/ours: ${ratio(ref.cpuUsPerRequest, on.cpuUsPerRequest)}x with access logs on, ${ratio(ref.cpuUsPerRequest, off.cpuUsPerRequest)}x off`,
    );
    console.log(
        `access logs: ${on.logLines} lines written for ${on.servedWithWarmup} requests served, warm-ups and readiness polls included ` +
            `(a line each from frontend and backend, plus a few lifecycle lines; ${off.logLines} lines with them off); ` +
            `CPU per request ${on.cpuUsPerRequest} µs with them, ${off.cpuUsPerRequest} µs without`,
    );
    await perPod();
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
