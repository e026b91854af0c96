/**
 * What every command-line tool here shares: one `main(argv, io)` shape, `--help`, usage
 * errors that print one line and the usage with exit 2, and no stack trace for a user
 * unless DEBUG asks for one.
 */
import { spawn } from "node:child_process";
import { parseArgs, ParseArgsConfig } from "node:util";
import { automationBackend, HealthProbe, httpsProbe, StackBackend } from "./pulumiStacks";

/** Everything a tool touches outside itself; tests pass fakes. */
export interface Io {
    /** Folder holding Pulumi.yaml and the stack files. */
    readonly root: string;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
    readonly env: Readonly<Record<string, string | undefined>>;
    /** Runs external commands (aws, docker, pulumi). */
    readonly commands: CommandRunner;
    /** The Pulumi stacks, for tools that update or read them. */
    readonly stacks: StackBackend;
    /** Checks a URL's health, for tools that wait on a region. */
    readonly probe: HealthProbe;
    readonly sleep: (ms: number) => Promise<void>;
    /** Milliseconds since the epoch; tests pass a clock that `sleep` advances. */
    readonly now: () => number;
}

export type Main = (argv: string[], io: Io) => Promise<number | void>;

/** A usage or input error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
    override readonly name = "UsageError";
}

class HelpRequested extends Error {
    override readonly name = "HelpRequested";
}

export interface CommandSpec extends ParseArgsConfig {
    /** The usage text `--help` prints: a `usage:` line, then one line per option. */
    readonly usage: string;
}

/** Parses argv strictly; `--help` prints the usage, anything unknown is a UsageError naming it. */
export function parseCommand<T extends CommandSpec>(argv: string[], spec: T): ReturnType<typeof parseArgs<T>> {
    if (argv.includes("--help") || argv.includes("-h")) throw new HelpRequested(spec.usage);
    try {
        return parseArgs<T>({ ...spec, args: argv, strict: true });
    } catch (err) {
        throw new UsageError(`${argumentProblem(err)}\n${spec.usage}`);
    }
}

/** node:util's parse errors, in one short line. */
function argumentProblem(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: string }).code;
    const quoted = /'([^']+)'/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${quoted}`;
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${JSON.stringify(quoted)}`;
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") return message.split(".")[0] ?? message;
    return message;
}

/** Errors that describe the user's input or setup, shown as their message alone. */
const USER_ERRORS = new Set(["UsageError", "ConfigError", "StackFileError", "CrossStackError", "MissingToolError", "SwitchoverStopped"]);

/** What the user sees for a failure, and the exit code. */
export function describeFailure(err: unknown, debug: boolean): { lines: string[]; code: number } {
    if (err instanceof HelpRequested) return { lines: [err.message], code: 0 };
    if (err instanceof Error && USER_ERRORS.has(err.name)) {
        return { lines: [debug ? (err.stack ?? err.message) : `error: ${err.message}`], code: 2 };
    }
    const message = err instanceof Error ? err.message : String(err);
    if (debug) return { lines: [err instanceof Error ? (err.stack ?? message) : message], code: 1 };
    return { lines: [`error: ${message}`, "(set DEBUG=1 to see where it failed)"], code: 1 };
}

/** The real world: this process's streams and environment, and a shell runner. */
export function processIo(root: string): Io {
    return {
        root,
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
        env: process.env,
        commands: shellRunner(root),
        stacks: automationBackend(root, process.env),
        probe: httpsProbe,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => Date.now(),
    };
}

/** Runs `main` with this process's argv and exits with its code once the output is flushed. */
export function runMain(main: Main, io: Io): void {
    const exit = (code: number) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
    Promise.resolve()
        .then(() => main(process.argv.slice(2), io))
        .then(
            (code) => exit(code ?? 0),
            (err: unknown) => {
                const { lines, code } = describeFailure(err, Boolean(io.env.DEBUG));
                for (const line of lines) (code === 0 ? io.out : io.err)(line);
                exit(code);
            },
        );
}

/** Runs external commands; tests and `--dry-run` swap in one that only records. */
export interface CommandRunner {
    /** Runs `argv`, feeding `input` on stdin; resolves with trimmed stdout, rejects on a non-zero exit. */
    run(argv: string[], opts?: { input?: string; capture?: boolean }): Promise<string>;
}

/** A command the tool needs is missing, or cannot act: says which and how to get it. */
export class MissingToolError extends Error {
    override readonly name = "MissingToolError";
}

const HOW_TO_GET: Record<string, string> = {
    aws: "the AWS CLI v2 is not installed or not on PATH; install it: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
    docker: "Docker is not installed or not on PATH; install Docker 23 or later, with BuildKit: https://docs.docker.com/engine/install/",
    pulumi: "the Pulumi CLI is not installed or not on PATH; install it: https://www.pulumi.com/docs/install/",
};

export function shellRunner(cwd: string): CommandRunner {
    return {
        run(argv, opts = {}) {
            return new Promise((resolve, reject) => {
                const child = spawn(argv[0] ?? "", argv.slice(1), {
                    cwd,
                    stdio: [opts.input === undefined ? "inherit" : "pipe", opts.capture ? "pipe" : "inherit", "inherit"],
                });
                let out = "";
                child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
                child.on("error", (err: NodeJS.ErrnoException) => {
                    const tool = argv[0] ?? "";
                    reject(
                        err.code === "ENOENT" ? new MissingToolError(HOW_TO_GET[tool] ?? `${tool} is not installed or not on PATH`) : err,
                    );
                });
                child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`${argv.join(" ")} exited with ${code}`))));
                if (opts.input !== undefined) child.stdin?.end(opts.input);
            });
        },
    };
}

/** "1 pod", "3 pods": a count with its noun in the right number. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
    return `${n} ${n === 1 ? singular : plural}`;
}

/** Quotes an argument for display the way a shell would need it. */
export function shellQuote(arg: string): string {
    return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
