/**
 * `npm run bench:plan`: wall time of `npm run plan -- --stack prod-us`, of the plan of
 * every stack and of `npm run parity`, each run several times as a fresh process, as a
 * user runs them. Shows each run as it finishes. Figures only: nothing passes or fails.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

if (process.argv.includes("--help") || process.argv.length > 2) {
    const unknown = process.argv.slice(2).find((a) => a !== "--help");
    (unknown ? console.error : console.log)(
        `${unknown ? `error: unknown argument ${unknown}\n` : ""}usage: npm run bench:plan   (BENCH_RUNS=5 sets the runs per command)`,
    );
    process.exit(unknown ? 2 : 0);
}

function time(label: string, args: string[]): void {
    const seconds: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const started = process.hrtime.bigint();
        const run = spawnSync("npm", ["run", "-s", ...args], { cwd: ROOT, encoding: "utf8" });
        seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
        if (run.status !== 0 && !(args[0] === "parity" && run.status === 1)) {
            console.error(`${label} failed:\n${run.stderr}`);
            process.exit(1);
        }
        process.stderr.write(`  ${label}: run ${i + 1}/${RUNS} took ${seconds.at(-1)!.toFixed(2)} s\n`);
    }
    seconds.sort((a, b) => a - b);
    const fmt = (s: number) => `${s.toFixed(2)} s`;
    console.log(
        `${label.padEnd(40)} min ${fmt(seconds[0]!)}  median ${fmt(seconds[Math.floor(RUNS / 2)]!)}  max ${fmt(seconds[RUNS - 1]!)}  (${RUNS} runs)`,
    );
}

console.log(`node ${process.version}, ${RUNS} fresh processes each, wall time including npm and module loading`);
time("npm run plan -- --stack prod-us", ["plan", "--", "--stack", "prod-us"]);
time("npm run plan (every stack)", ["plan"]);
time("npm run parity", ["parity"]);
