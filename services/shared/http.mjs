// The lifecycle both services share: JSON logs on stdout, probe endpoints, a hardened
// listener (timeouts, a connection cap, access logs; see edge.mjs) and a graceful shutdown
// that Kubernetes' SIGTERM can rely on.
import { writeSync } from "node:fs";
import { createServer } from "node:http";
import { answerClientErrors, capConnections, HSTS, redirectToHttps, withAccessLog } from "./edge.mjs";
import { ListenError } from "./settings.mjs";

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

/**
 * Writes a JSON response.
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
export function sendJson(res, status, body) {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(payload),
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    });
    res.end(payload);
}

/**
 * @typedef {object} Lifecycle
 * @property {() => boolean} draining True once shutdown began; readiness fails from then on.
 */

/** Paths the kubelet and the NLB poll; logged at debug when they succeed. */
export const PROBE_PATHS = new Set(["/livez", "/readyz"]);

/**
 * Answers `/livez` and `/readyz`; true when it did.
 * @param {Lifecycle} lifecycle
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 */
function answerProbe(lifecycle, req, res) {
    // While draining, move keep-alive clients to other pods.
    if (lifecycle.draining()) res.setHeader("connection", "close");
    if (req.url === "/livez") {
        sendJson(res, 200, { status: "ok" });
        return true;
    }
    if (req.url === "/readyz") {
        if (lifecycle.draining()) sendJson(res, 503, { status: "draining" });
        else sendJson(res, 200, { status: "ready" });
        return true;
    }
    return false;
}

/**
 * Routes the probe endpoints every service has, then hands the rest to `handler`.
 * `/livez` answers while the process runs; `/readyz` fails while draining.
 * @param {Lifecycle} lifecycle
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} handler
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
export function withProbes(lifecycle, handler) {
    return (req, res) => {
        if (answerProbe(lifecycle, req, res)) return;
        if (req.method !== "GET" && req.method !== "HEAD") {
            res.setHeader("allow", "GET, HEAD");
            return sendJson(res, 405, { error: "method not allowed" });
        }
        return handler(req, res);
    };
}

/**
 * @typedef {object} Limits What one connection may cost, and how many there may be.
 * @property {number} headersTimeoutMs A request's headers must arrive within this.
 * @property {number} requestTimeoutMs A whole request must arrive within this; at least headersTimeoutMs.
 * @property {number} keepAliveTimeoutMs An idle keep-alive connection is closed after this.
 * @property {number} maxConnections Connections beyond this get a 503 at once.
 * @property {number} [checkIntervalMs] How often the two request timeouts are checked; 1 s by default.
 */

/**
 * @typedef {object} ServeOptions
 * @property {string} name Service name, for logs.
 * @property {(lifecycle: Lifecycle) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} createHandler
 * @property {number} port 0 picks a free port.
 * @property {string} [host]
 * @property {Logger} logger
 * @property {Limits} limits
 * @property {string} [publicHost] The public DNS name. When set, the app is behind TLS: every response carries HSTS.
 * @property {number} [redirectPort] When set (with publicHost), a second listener redirects every request to https://publicHost.
 * @property {string[]} [quietPaths] Further probe-like paths logged at debug when they succeed.
 * @property {number} [drainMs] How long to keep serving after SIGTERM while endpoints and load balancers let go.
 * @property {number} [shutdownTimeoutMs] Hard limit for in-flight requests to finish.
 * @property {(code: number) => void} [exit]
 * @property {boolean} [handleSignals] Install SIGTERM/SIGINT handlers (the entry points do; tests call shutdown()).
 */

/**
 * Creates a server with the limits applied. Node enforces both request timeouts only when it
 * checks, every checkIntervalMs: its 30 s default would let a slow client hold a connection for
 * up to 40 s against a 10 s headersTimeout.
 * @param {Limits} limits
 * @param {Logger} logger
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} handler
 */
function createLimitedServer(limits, logger, handler) {
    const server = createServer(
        {
            headersTimeout: limits.headersTimeoutMs,
            requestTimeout: limits.requestTimeoutMs,
            keepAliveTimeout: limits.keepAliveTimeoutMs,
            connectionsCheckingInterval: limits.checkIntervalMs ?? 1000,
        },
        handler,
    );
    answerClientErrors(server, logger);
    return server;
}

/**
 * @param {import("node:http").Server} server
 * @param {number} port
 * @param {string} host
 * @param {string} setting The environment variable that chose `port`, for the error message.
 * @returns {Promise<number>}
 */
function listen(server, port, host, setting) {
    return new Promise((resolve, reject) => {
        server.once("error", (/** @type {NodeJS.ErrnoException} */ err) => reject(new ListenError(setting, port, err.code)));
        server.listen(port, host, () => resolve(/** @type {import("node:net").AddressInfo} */ (server.address()).port));
    });
}

/**
 * Listens, logs, and shuts down gracefully: on SIGTERM readiness fails at once,
 * requests keep being served for `drainMs`, then the server stops accepting,
 * closes idle keep-alive sockets, waits for in-flight requests and exits 0.
 * @param {ServeOptions} options
 */
export async function serve(options) {
    const { name, logger, limits, publicHost, redirectPort, drainMs = 5000, shutdownTimeoutMs = 10000 } = options;
    const host = options.host ?? "0.0.0.0";
    const exit = options.exit ?? ((code) => process.exit(code));
    if (redirectPort !== undefined && publicHost === undefined) throw new Error("a redirect listener needs publicHost");
    let draining = false;
    /** @type {Promise<void> | undefined} */
    let stopping;
    const lifecycle = { draining: () => draining };
    const quietPaths = new Set([...PROBE_PATHS, ...(options.quietPaths ?? [])]);

    const handler = options.createHandler(lifecycle);
    const hsts = publicHost === undefined ? undefined : HSTS;
    const server = createLimitedServer(limits, logger, withAccessLog(logger, handler, { quietPaths, hsts }));
    const redirect =
        publicHost === undefined || redirectPort === undefined
            ? undefined
            : createLimitedServer(
                  limits,
                  logger,
                  withAccessLog(logger, withRedirectProbes(lifecycle, redirectToHttps(publicHost)), { quietPaths: PROBE_PATHS }),
              );
    const servers = redirect ? [server, redirect] : [server];
    // One budget for the pod: the memory the cap protects is shared by both listeners.
    capConnections(servers, limits.maxConnections, logger);

    const port = await listen(server, options.port, host, "PORT");
    const boundRedirectPort =
        redirect && redirectPort !== undefined
            ? await listen(redirect, redirectPort, host, "REDIRECT_PORT").catch((err) => {
                  server.close();
                  throw err;
              })
            : undefined;
    logger.info("listening", {
        port,
        ...(boundRedirectPort === undefined ? {} : { redirectPort: boundRedirectPort, publicHost }),
        maxConnections: limits.maxConnections,
        headersTimeoutMs: limits.headersTimeoutMs,
        requestTimeoutMs: limits.requestTimeoutMs,
        keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
    });

    /** Stops at once: every connection closed. For tests and failed starts. */
    const close = async () => {
        await Promise.all(
            servers.map((s) => {
                const closed = new Promise((resolve) => s.close(() => resolve(undefined)));
                s.closeAllConnections();
                return closed;
            }),
        );
    };

    /** @param {string} reason */
    const shutdown = (reason) => {
        stopping ??= (async () => {
            draining = true;
            logger.info("draining", { reason, drainMs });
            await new Promise((resolve) => setTimeout(resolve, drainMs));
            const closed = Promise.all(servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined)))));
            for (const s of servers) s.closeIdleConnections();
            /** @type {NodeJS.Timeout | undefined} */
            let timer;
            const forced = new Promise((resolve) => {
                timer = setTimeout(() => {
                    logger.warn("shutdown timed out; closing remaining connections", { shutdownTimeoutMs });
                    for (const s of servers) s.closeAllConnections();
                    resolve(undefined);
                }, shutdownTimeoutMs);
            });
            await Promise.race([closed, forced]);
            clearTimeout(timer);
            logger.info("stopped");
            exit(0);
        })();
        return stopping;
    };

    if (options.handleSignals) {
        process.once("SIGTERM", () => void shutdown("SIGTERM"));
        process.once("SIGINT", () => void shutdown("SIGINT"));
    }
    return { server, redirectServer: redirect, port, redirectPort: boundRedirectPort, shutdown, close, lifecycle, name };
}

/**
 * The redirect listener answers the probes itself, so the NLB's port-80 target group can
 * health-check the port it sends traffic to; everything else is redirected.
 * @param {Lifecycle} lifecycle
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} redirect
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
function withRedirectProbes(lifecycle, redirect) {
    return (req, res) => {
        if (!answerProbe(lifecycle, req, res)) redirect(req, res);
    };
}
