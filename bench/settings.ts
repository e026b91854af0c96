/**
 * `npm run bench`'s command line and environment, checked before anything starts: the usage for
 * --help, or one line on stderr and exit code 2, like every tool here.
 */
const USAGE =
    "usage: npm run bench [-- --help]   (environment: BENCH_DURATION=5 seconds measured per round, BENCH_ROUNDS=3, BENCH_CONNECTIONS=50)";

/** A whole number from 1 to `max` from the environment, or the one-line reason it is not. */
function positive(name: string, fallback: number, max: number): number | string {
    const raw = process.env[name];
    if (raw === undefined) return fallback;
    const n = /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
    return n >= 1 && n <= max ? n : `invalid ${name}=${JSON.stringify(raw)}: expected an integer from 1 to ${max}`;
}

/** The command line and environment, checked before anything starts: --help, or one line and exit 2. */
export function settings(argv: string[]): { duration: number; rounds: number; connections: number } {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(USAGE);
        process.exit(0);
    }
    const values = [positive("BENCH_DURATION", 5, 600), positive("BENCH_ROUNDS", 3, 100), positive("BENCH_CONNECTIONS", 50, 10_000)];
    const problem = argv.length > 0 ? `unknown argument ${argv[0]}` : values.find((v): v is string => typeof v === "string");
    if (problem !== undefined) {
        console.error(`bench: ${problem}; ${USAGE}`);
        process.exit(2);
    }
    const [duration, rounds, connections] = values as number[];
    return { duration: duration!, rounds: rounds!, connections: connections! };
}
