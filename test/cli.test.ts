import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { describeFailure, Main, UsageError } from "../tools/cli";
import { StackFileError } from "../config/stackFiles";
import { main as deployGuard } from "../tools/deployGuard";
import { main as drill } from "../tools/drill/main";
import { main as deployOrder } from "../tools/deployOrder";
import { main as genConfig } from "../tools/genConfig";
import { main as images } from "../tools/images";
import { main as parity } from "../tools/parity";
import { main as plan } from "../tools/plan/main";
import { listStacks, ROOT } from "../tools/stacks";
import { main as switchover } from "../tools/switchover/main";
import { testIo } from "./support/fixtures";

const run = promisify(execFile);

/** Each tool: its npm script, its entry file and its main. */
const TOOLS: [string, string, Main][] = [
    ["plan", "tools/plan/main.ts", plan],
    ["parity", "tools/parity.ts", parity],
    ["images", "tools/images.ts", images],
    ["switchover", "tools/switchover/main.ts", switchover],
    ["deploy-order", "tools/deployOrder.ts", deployOrder],
    ["deploy-guard", "tools/deployGuard.ts", deployGuard],
    ["drill", "tools/drill/main.ts", drill],
    ["gen:config", "tools/genConfig.ts", genConfig],
];

/** What a user sees when `main` runs with `argv`: the lines and the exit code. */
async function outcome(main: Main, argv: string[]): Promise<{ lines: string[]; code: number }> {
    const io = testIo();
    try {
        return { lines: io.lines, code: (await main(argv, io)) ?? 0 };
    } catch (err) {
        return describeFailure(err, false);
    }
}

/** Runs a tool's entry file as `npm run` does, and returns its exit code and output. */
async function spawnTool(
    file: string,
    args: string[],
    env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const options = { cwd: ROOT, env: { ...process.env, DEBUG: "", ...env } };
        const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", path.join(ROOT, file), ...args], options);
        return { code: 0, stdout, stderr };
    } catch (err) {
        return err as { code: number; stdout: string; stderr: string };
    }
}

const STACK_FRAME = /^\s+at .+[(:]\d+/m;

describe("every tool", () => {
    for (const [script, , main] of TOOLS) {
        it(`npm run ${script} -- --help prints its usage, exit 0`, async () => {
            const r = await outcome(main, ["--help"]);
            assert.equal(r.code, 0);
            assert.match(r.lines[0]!, new RegExp(`^usage: npm run (-s )?${script}\\b`));
        });
    }

    const unknownStack = new RegExp(`^error: unknown stack "prod-xx"; stacks: ${listStacks().join(", ")}$`);
    const badInput: [Main, string[], RegExp][] = [
        [plan, ["--stack", "prod-xx"], unknownStack],
        [plan, ["--format", "yaml"], /^error: --format is text or json, got yaml\nusage: /],
        [plan, ["--diff", "prod-us"], /^error: --diff takes two stacks: --diff prod-us prod-eu\nusage: /],
        [plan, ["--stack"], /^error: Option '--stack <value>' argument missing\nusage: /],
        [images, ["--stack", "prod-xx"], unknownStack],
        [switchover, [], /^error: --to <stack> is required\nusage: /],
        [switchover, ["--to", "prod-eu", "--wait", "soon"], /^error: --wait takes whole seconds, got soon$/],
        [parity, ["extra"], /^error: unexpected argument "extra"\nusage: /],
    ];
    for (const [main, args, expected] of badInput) {
        const script = TOOLS.find(([, , m]) => m === main)![0];
        it(`npm run ${script} -- ${args.join(" ")}: says what is wrong, exit 2`, async () => {
            const r = await outcome(main, args);
            assert.equal(r.code, 2);
            assert.equal(r.lines.length, 1);
            assert.match(r.lines[0]!, expected);
        });
    }

    describe("run as a process where the Pulumi CLI is missing", () => {
        const needsPulumi: [string, string[]][] = [
            ["tools/deployGuard.ts", ["--stack", "prod-us"]],
            ["tools/switchover/main.ts", ["--to", "prod-eu"]],
            ["tools/drill/main.ts", ["--stack", "prod-us"]],
        ];
        for (const [file, args] of needsPulumi) {
            it(`${file}: says how to install it in one line, exit 2, no stack trace`, async function () {
                this.timeout(60_000);
                const r = await spawnTool(file, args, { PATH: path.dirname(process.execPath), PULUMI_ORG: "acme" });
                assert.equal(r.code, 2, r.stderr);
                assert.equal(
                    r.stderr,
                    "error: the Pulumi CLI is not installed or not on PATH; install it: https://www.pulumi.com/docs/install/\n",
                );
            });
        }
    });

    describe("run as a process, with a flag it does not know", () => {
        const results = new Map<string, Promise<{ code: number; stdout: string; stderr: string }>>();
        before(() => {
            for (const [script, file] of TOOLS) results.set(script, spawnTool(file, ["--frobnicate"]));
        });
        for (const [script] of TOOLS) {
            it(`npm run ${script}: one line, the usage, exit 2, no stack trace`, async function () {
                this.timeout(60_000);
                const r = await results.get(script)!;
                assert.equal(r.code, 2);
                assert.match(r.stderr, /^error: unknown option --frobnicate\nusage: /);
                assert.doesNotMatch(r.stderr, STACK_FRAME);
            });
        }
    });
});

describe("what a failure shows", () => {
    it("a user's mistake: its message alone, exit 2", () => {
        const err = new StackFileError("Pulumi.prod-us.yaml", ["multiregion:azCount: got 9"]);
        assert.deepEqual(describeFailure(err, false), { lines: ["error: Pulumi.prod-us.yaml:\n  - multiregion:azCount: got 9"], code: 2 });
        assert.deepEqual(describeFailure(new UsageError("bad"), false), { lines: ["error: bad"], code: 2 });
    });

    it("anything else: its message and how to see more, exit 1, and the stack only under DEBUG", () => {
        const err = new TypeError("boom");
        assert.deepEqual(describeFailure(err, false), { lines: ["error: boom", "(set DEBUG=1 to see where it failed)"], code: 1 });
        assert.match(describeFailure(err, true).lines[0]!, STACK_FRAME);
    });
});
