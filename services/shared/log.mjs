// Logs as one JSON object per line on stdout, written in batches.
import { writeSync } from "node:fs";

/** @typedef {"debug" | "info" | "warn" | "error"} Level */
/** @typedef {(msg: string, fields?: object) => void} Log */
/** @typedef {{ debug: Log, info: Log, warn: Log, error: Log, enabled(level: Level): boolean }} Logger */

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 };

/** @type {((line: string) => void) | undefined} */
let stdoutLines;

// Log lines reach stdout within this long.
const LOG_FLUSH_MS = 20;

/**
 * Writes lines to stdout in batches, every LOG_FLUSH_MS or 64 KiB, rather than one system call
 * per line: with an access-log line per request, one write per line to the container runtime's
 * pipe cost more than the rest of the logging (about 5% of the frontend's CPU under load, in a
 * profile, against under 1% batched). What is pending when the process exits is written
 * synchronously then; only a SIGKILL (or an OOM kill) can lose it, at most LOG_FLUSH_MS of lines.
 * @returns {(line: string) => void}
 */
function batchedStdout() {
    let pending = "";
    let scheduled = false;
    const flush = () => {
        scheduled = false;
        const chunk = pending;
        pending = "";
        if (chunk !== "") process.stdout.write(chunk);
    };
    process.once("exit", () => {
        try {
            if (pending !== "") writeSync(1, pending);
        } catch {
            // stdout is gone; nothing left to tell.
        }
    });
    return (line) => {
        pending += line;
        if (pending.length >= 65536) {
            flush();
        } else if (!scheduled) {
            scheduled = true;
            setTimeout(flush, LOG_FLUSH_MS).unref();
        }
    };
}

/**
 * One JSON object per line, for log collectors to parse without rules.
 * @param {string} service
 * @param {{ level?: Level, write?: (line: string) => void }} [options]
 * @returns {Logger}
 */
export function createLogger(service, options = {}) {
    const threshold = LEVELS[options.level ?? "info"];
    if (threshold === undefined) throw new Error(`unknown log level ${JSON.stringify(options.level)}`);
    const write = options.write ?? (stdoutLines ??= batchedStdout());
    /** @param {Level} level */
    const enabled = (level) => LEVELS[level] >= threshold;
    // Built as text rather than as a merged object: this runs once per request.
    let lastMs = 0;
    let lastTime = "";
    /** @param {Level} level */
    const at = (level) => {
        const head = `,"level":"${level}","service":${JSON.stringify(service)},"msg":`;
        return (/** @type {string} */ msg, /** @type {object} */ fields = {}) => {
            if (!enabled(level)) return;
            const now = Date.now();
            if (now !== lastMs) {
                lastMs = now;
                lastTime = new Date(now).toISOString();
            }
            const rest = JSON.stringify(fields);
            write(`{"time":"${lastTime}"${head}${JSON.stringify(msg)}${rest === "{}" ? "" : `,${rest.slice(1, -1)}`}}\n`);
        };
    };
    return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), enabled };
}
