/**
 * `npm run bench` as a process: --help and bad input answered before any server starts, like
 * every tool: the usage on stdout with exit code 0, or one line on stderr with exit code 2.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

function bench(args: string[], env: Record<string, string> = {}) {
    const run = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "bench", "bench.ts"), ...args], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        encoding: "utf8",
        timeout: 20_000,
    });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run bench: its command line", function () {
    this.timeout(30_000);

    it("prints its usage for --help and exits 0 without benchmarking", () => {
        const run = bench(["--help"]);
        assert.equal(run.code, 0);
        assert.match(run.stdout, /^usage: npm run bench \[-- --help\]/);
        assert.equal(run.stdout.trim().split("\n").length, 1, "the usage only: no benchmark ran");
        assert.equal(run.stderr, "");
    });

    const bad: [string, string[], Record<string, string>, RegExp][] = [
        ["an unknown flag", ["--rounds=9"], {}, /^bench: unknown argument --rounds=9; usage: npm run bench/],
        ["a stray argument", ["now"], {}, /^bench: unknown argument now; usage/],
        [
            "a malformed BENCH_ROUNDS",
            [],
            { BENCH_ROUNDS: "three" },
            /^bench: invalid BENCH_ROUNDS="three": expected an integer from 1 to 100; usage/,
        ],
        [
            "a zero BENCH_DURATION",
            [],
            { BENCH_DURATION: "0" },
            /^bench: invalid BENCH_DURATION="0": expected an integer from 1 to 600; usage/,
        ],
        ["a negative BENCH_CONNECTIONS", [], { BENCH_CONNECTIONS: "-5" }, /^bench: invalid BENCH_CONNECTIONS="-5"/],
    ];
    for (const [label, args, env, message] of bad) {
        it(`refuses ${label} in one line with exit code 2`, () => {
            const run = bench(args, env);
            assert.equal(run.code, 2);
            assert.match(run.stderr, message);
            assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
            assert.equal(run.stdout, "", "nothing was measured");
        });
    }
});
