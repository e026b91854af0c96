/** Small pieces every command-line tool here shares. */
import { spawn } from "node:child_process";
import { parseConfig, projectValues, StackConfig } from "../config";
import { listStacks, readProject, resolveStackConfig, ROOT } from "./stackConfig";

/** A usage or input error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
    override readonly name = "UsageError";
}

/** Fails with the list of stacks when `stack` has no stack file. */
export function requireStack(stack: string | undefined, root = ROOT): string {
    const stacks = listStacks(root);
    if (!stack) throw new UsageError(`--stack is required; stacks: ${stacks.join(", ")}`);
    if (!stacks.includes(stack)) throw new UsageError(`unknown stack ${JSON.stringify(stack)}; stacks: ${stacks.join(", ")}`);
    return stack;
}

/** The typed config of a stack file, checked exactly as `pulumi up` would check it. */
export function stackConfig(stack: string, root = ROOT): StackConfig {
    const project = readProject(root).name;
    return parseConfig(projectValues(resolveStackConfig(stack, {}, root), project), { project, stack });
}

/** Runs external commands; tests and `--dry-run` swap in one that only records. */
export interface CommandRunner {
    /** Runs `argv`, feeding `input` on stdin; resolves with trimmed stdout, rejects on a non-zero exit. */
    run(argv: string[], opts?: { input?: string; capture?: boolean }): Promise<string>;
}

export const shellRunner: CommandRunner = {
    run(argv, opts = {}) {
        return new Promise((resolve, reject) => {
            const child = spawn(argv[0]!, argv.slice(1), {
                cwd: ROOT,
                stdio: [opts.input === undefined ? "inherit" : "pipe", opts.capture ? "pipe" : "inherit", "inherit"],
            });
            let out = "";
            child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
            child.on("error", reject);
            child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${argv.join(" ")} exited with ${code}`))));
            if (opts.input !== undefined) child.stdin!.end(opts.input);
        });
    },
};

/** Quotes an argument for display the way a shell would need it. */
export function shellQuote(arg: string): string {
    return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Runs `main`, printing usage errors plainly and exiting 2, other errors with their stack and 1. */
export function runMain(main: (argv: string[]) => Promise<number | void>): void {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code ?? 0),
        (err: unknown) => {
            if (err instanceof UsageError || (err instanceof Error && err.name === "ConfigError")) {
                console.error(`error: ${err.message}`);
                process.exit(2);
            }
            console.error(err);
            process.exit(1);
        },
    );
}
