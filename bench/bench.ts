/**
 * `npm run bench`: drives each frontend, with its backend behind it, on loopback and
 * prints throughput, latency, errors and every process's peak RSS, for our services
 * and for the reference pair (Express 4 + EJS + fetch), then our/reference ratios.
 * Figures only: nothing here passes or fails.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import autocannon from "autocannon";

const ROOT = path.resolve(__dirname, "..");
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP_S = 3;

interface Pair {
    readonly label: string;
    readonly backend: string;
    readonly frontend: string;
}

const PAIRS: Pair[] = [
    { label: "ours", backend: "services/backend/server.mjs", frontend: "services/frontend/server.mjs" },
    { label: "reference", backend: "bench/reference/backend.js", frontend: "bench/reference/frontend.js" },
];

interface Result {
    readonly rps: number;
    readonly p50: number;
    readonly p99: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly requests: number;
    readonly backendRssMb: number;
    readonly frontendRssMb: number;
}

function start(script: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [path.join(ROOT, script)], {
        env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "info", ...env },
        stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("exit", (code, signal) => {
        if (code !== 0 && signal === null) console.error(`${script} exited with ${code}`);
    });
    return child;
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
function peakRssMb(child: ChildProcess): number {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
    return Math.round((kb / 1024) * 10) / 10;
}

async function waitFor(url: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
        try {
            const res = await fetch(url);
            if (res.ok) return;
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

async function measure(pair: Pair, port: number): Promise<Result> {
    const backend = start(pair.backend, { PORT: String(port + 1), REGION: "bench" });
    const frontend = start(pair.frontend, {
        PORT: String(port),
        REGION: "bench",
        BACKEND_URL: `http://127.0.0.1:${port + 1}`,
    });
    try {
        const url = `http://127.0.0.1:${port}/`;
        await waitFor(url);
        await load(url, WARMUP_S);
        const r = await load(url, DURATION_S);
        return {
            rps: r.requests.average,
            p50: r.latency.p50,
            p99: r.latency.p99,
            errors: r.errors + r.timeouts,
            non2xx: r.non2xx,
            requests: r.requests.total,
            backendRssMb: peakRssMb(backend),
            frontendRssMb: peakRssMb(frontend),
        };
    } finally {
        backend.kill("SIGKILL");
        frontend.kill("SIGKILL");
    }
}

async function main(): Promise<void> {
    console.log(
        `loopback, ${CONNECTIONS} connections, ${WARMUP_S} s warm-up then ${DURATION_S} s measured, NODE_ENV=production, node ${process.version}`,
    );
    const results: Record<string, Result> = {};
    for (const [i, pair] of PAIRS.entries()) {
        results[pair.label] = await measure(pair, 18400 + i * 10);
    }
    const rows = Object.entries(results).map(([label, r]) => ({
        pair: label,
        "req/s": Math.round(r.rps),
        "p50 ms": r.p50,
        "p99 ms": r.p99,
        errors: r.errors,
        "non-2xx": r.non2xx,
        requests: r.requests,
        "frontend peak RSS MB": r.frontendRssMb,
        "backend peak RSS MB": r.backendRssMb,
    }));
    console.table(rows);
    const ours = results.ours!;
    const ref = results.reference!;
    const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));
    console.log(`throughput ours/reference: ${ratio(ours.rps, ref.rps)}x`);
    console.log(`p50 ours/reference: ${ratio(ours.p50, ref.p50)}`);
    console.log(`p99 ours/reference: ${ratio(ours.p99, ref.p99)}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
