/**
 * `npm run bench`: each frontend, its backend behind it, on loopback: ours with access logs on
 * (LOG_LEVEL=info, the default; stdout a pipe another process drains, as a container runtime
 * does) and off (warn), and the reference (Express 4 + EJS + fetch); then each under its pod's
 * CPU limit in a cgroup v1 `cpu` group. Variants take turns over BENCH_ROUNDS rounds with fresh
 * processes; figures are medians, with the CPU other processes used. Nothing passes or fails.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { Pod, podGroups } from "./cgroups";
import { settings } from "./settings";
import { withLocalTable } from "./store";

const ROOT = path.resolve(__dirname, "..");
const { duration: DURATION_S, rounds: ROUNDS, connections: CONNECTIONS } = settings(process.argv.slice(2));
const WARMUP_S = 3;
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
/** The floor: the same page from node:http alone, no logs. */
const BARE: Variant = { label: "bare node:http pair", backend: "bench/bare/backend.mjs", frontend: "bench/bare/frontend.mjs", env: {} };

/**
 * One round's figures, or a variant's over its rounds. cpuUsPerRequest: frontend plus backend CPU
 * time per request, less sensitive than throughput to what else the machine runs. logLines:
 * what both apps wrote to stdout in their lives (the access log, when on, and a few lifecycle
 * lines), against servedWithWarmup, every request they served. otherCores: CPU everything else
 * on the machine used while measuring, the `wc` log drains included.
 */
interface Result {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly cpuUsPerRequest: number;
    readonly otherCores: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly requests: number;
    readonly servedWithWarmup: number;
    readonly logLines: number;
    readonly frontendRssMb: number;
    readonly backendRssMb: number;
}

/**
 * Starts an app with its stdout a pipe that `wc -l` drains and counts, as the container runtime
 * drains a pod's: a full pipe would block the app's synchronous writes, and draining it here
 * would slow the load generator in this process. `lines` is known once the app has exited.
 */
function start(script: string, env: Record<string, string>): { child: ChildProcess; lines: Promise<number> } {
    const counter = spawn("wc", ["-l"], { stdio: ["pipe", "pipe", "inherit"] });
    const child = spawn(process.execPath, [path.join(ROOT, script)], {
        env: { ...process.env, NODE_ENV: "production", ...env },
        stdio: ["ignore", counter.stdin, "inherit"],
    });
    // The app holds the pipe's write end now; ours would keep `wc` from seeing the end.
    counter.stdin.destroy();
    let out = "";
    counter.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
    child.on("exit", (code, signal) => {
        if (code !== 0 && signal === null) console.error(`${script} exited with ${code}`);
    });
    return { child, lines: new Promise((resolve) => counter.on("close", () => resolve(Number(out.trim())))) };
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
function peakRssMb(child: ChildProcess): number {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
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
    const cpu = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = cpu.split(/\s+/).map(Number);
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

const load = (url: string, seconds: number) => autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });

async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
}

async function measure(variant: Variant, port: number, pod?: Pod): Promise<Result> {
    // Ours with their probe listeners, as in the cluster; the reference ignores PROBE_PORT.
    const env = { ...variant.env, REGION: "bench", BACKEND_URL: `http://127.0.0.1:${port + 1}` };
    const backend = start(variant.backend, { ...env, PORT: String(port + 1), PROBE_PORT: String(port + 3) });
    const frontend = start(variant.frontend, { ...env, PORT: String(port), PROBE_PORT: String(port + 2) });
    const apps = [frontend.child, backend.child];
    try {
        pod?.frontend.add(frontend.child);
        pod?.backend.add(backend.child);
        const url = `http://127.0.0.1:${port}/`;
        const polls = await waitFor(url);
        const warmup = await load(url, WARMUP_S);
        const [cpu0, machine0, self0, t0] = [cpuMs(apps[0]!) + cpuMs(apps[1]!), machineBusyMs(), process.cpuUsage(), performance.now()];
        const r = await load(url, DURATION_S);
        const cpu = cpuMs(apps[0]!) + cpuMs(apps[1]!) - cpu0;
        const self = process.cpuUsage(self0);
        const other = machineBusyMs() - machine0 - cpu - (self.user + self.system) / 1000;
        const seconds = performance.now() - t0;
        const [frontendRssMb, backendRssMb] = apps.map(peakRssMb) as [number, number];
        await Promise.all(apps.map(stop));
        return {
            rps: r.requests.average,
            p50: r.latency.p50,
            p99: r.latency.p99,
            cpuUsPerRequest: r.requests.total === 0 ? 0 : Math.round((cpu * 1000) / r.requests.total),
            otherCores: Math.max(0, other / seconds),
            errors: r.errors + r.timeouts,
            non2xx: r.non2xx,
            requests: r.requests.total,
            servedWithWarmup: polls + warmup.requests.total + r.requests.total,
            logLines: (await frontend.lines) + (await backend.lines),
            frontendRssMb,
            backendRssMb,
        };
    } finally {
        await Promise.all(apps.map(stop));
    }
}

const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MEDIANS = new Set<keyof Result>(["rps", "p50", "p99", "cpuUsPerRequest", "otherCores"]);
const PEAKS = new Set<keyof Result>(["frontendRssMb", "backendRssMb"]);

/** Runs `variants` in turn for ROUNDS rounds; one summary each: medians of rates, latencies and CPU, peaks of RSS, sums of counts. */
async function compare(variants: Variant[], basePort: number, pod?: Pod): Promise<Map<Variant, Result>> {
    const rounds = new Map<Variant, Result[]>(variants.map((v) => [v, []]));
    for (let round = 0; round < ROUNDS; round++) {
        for (const [i, variant] of variants.entries()) rounds.get(variant)!.push(await measure(variant, basePort + i * 10, pod));
    }
    const summary = (rs: Result[]) =>
        Object.fromEntries(
            (Object.keys(rs[0]!) as (keyof Result)[]).map((k) => {
                const values = rs.map((r) => r[k]);
                return [k, MEDIANS.has(k) ? median(values) : PEAKS.has(k) ? Math.max(...values) : values.reduce((a, b) => a + b, 0)];
            }),
        ) as unknown as Result;
    return new Map(variants.map((v) => [v, summary(rounds.get(v)!)]));
}

function table(results: Map<Variant, Result>, suffix = ""): void {
    console.table(
        [...results].map(([v, r]) => ({
            variant: v.label + suffix,
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
        })),
    );
}

async function perPod(): Promise<void> {
    const pod = podGroups();
    if (typeof pod === "string") return console.log(`per-pod mode skipped: ${pod}`);
    try {
        const results = await compare([LOGS_ON, REFERENCE], 18430, pod);
        const [ours, ref] = [results.get(LOGS_ON)!, results.get(REFERENCE)!];
        table(results, " @ 500m");
        console.log(`per-pod throughput at 500m CPU: ${Math.round(ours.rps)} req/s`);
        console.log(
            `  ours (access log on)/reference at 500m: ${ratio(ours.rps, ref.rps)}x; ` +
                `CFS-throttled periods: frontend ${pod.frontend.throttled()}, backend ${pod.backend.throttled()}`,
        );
    } finally {
        for (const group of [pod.frontend, pod.backend]) group.remove();
    }
}

async function main(): Promise<void> {
    console.log(
        `loopback, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${WARMUP_S} s warm-up then ${DURATION_S} s measured per variant, ` +
            `medians shown; NODE_ENV=production, node ${process.version}, ${os.cpus().length} CPUs`,
    );
    const results = await compare([LOGS_ON, LOGS_OFF, REFERENCE, BARE], 18400);
    table(results);
    const [on, off, ref, bare] = [results.get(LOGS_ON)!, results.get(LOGS_OFF)!, results.get(REFERENCE)!, results.get(BARE)!];
    console.log(
        `throughput ours/bare node:http pair: ${ratio(on.rps, bare.rps)}x with access logs on, ${ratio(off.rps, bare.rps)}x with them off`,
    );
    console.log(`throughput ours/reference: ${ratio(on.rps, ref.rps)}x with access logs on, ${ratio(off.rps, ref.rps)}x with them off`);
    console.log(`p50 ours/reference: ${ratio(on.p50, ref.p50)} on, ${ratio(off.p50, ref.p50)} off`);
    console.log(`p99 ours/reference: ${ratio(on.p99, ref.p99)} on, ${ratio(off.p99, ref.p99)} off`);
    const [cpuOn, cpuOff] = [ratio(ref.cpuUsPerRequest, on.cpuUsPerRequest), ratio(ref.cpuUsPerRequest, off.cpuUsPerRequest)];
    console.log(`CPU per request reference/ours: ${cpuOn}x with access logs on, ${cpuOff}x off`);
    console.log(
        `access logs: ${on.logLines} lines written for ${on.servedWithWarmup} requests served, warm-ups and readiness polls included ` +
            `(a line each from frontend and backend, plus a few lifecycle lines; ${off.logLines} lines with them off); ` +
            `CPU per request ${on.cpuUsPerRequest} µs with them, ${off.cpuUsPerRequest} µs without`,
    );
    await withTable(on);
    await perPod();
}

/** The page with the table on the local store: a line of its own, naming how to run that backend. */
async function withTable(stateless: Result): Promise<void> {
    const port = 18490;
    const results = await withLocalTable(port, (env) =>
        compare([{ ...LOGS_ON, label: "ours, table on dynalite", env: { ...LOGS_ON.env, ...env } }], 18500),
    );
    const [r] = [...results.values()] as [Result];
    console.log(
        `with the table on the local store (the backend as TABLE_NAME=bench-data DYNAMODB_ENDPOINT=http://127.0.0.1:${port} node services/backend/server.mjs, ` +
            `dynalite a process of its own): ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors + r.non2xx} errors or non-2xx; ` +
            `${ratio(r.rps, stateless.rps)}x the stateless pair's throughput (access log on)`,
    );
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
