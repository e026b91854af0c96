// The lifecycle both services share: JSON logs on stdout, probe endpoints, a hardened
// listener (timeouts, a connection cap, access logs; see edge.mjs) and a graceful shutdown
// that Kubernetes' SIGTERM can rely on.
import { createServer } from "node:http";
import { answerClientErrors, capConnections, HSTS, redirectToHttps, withAccessLog } from "./edge.mjs";
import { ListenError } from "./settings.mjs";

/** @typedef {import("./log.mjs").Logger} Logger */

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

/** The deep check, logged like the probes: Route 53 calls the frontend's, which calls the backend's. */
export const QUIET_PATHS = ["/health"];

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
 * @property {number} [probePort] When set, a listener that answers only the probes, outside the app's connection cap.
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
 * Connections the probe listener holds at once: the kubelet and the NLB's health checkers open
 * one per check and close it, so a few dozen are plenty; the cap bounds the memory a flood on
 * this port (reachable only from the node and the VPC) could take.
 */
export const PROBE_MAX_CONNECTIONS = 64;

/**
 * The app's listener and, with publicHost and redirectPort, the redirect listener, hardened
 * and sharing one connection budget: the memory the cap protects is the pod's. With probePort,
 * a third listener answers only the probes, with a budget of its own, so that a full app cap
 * never fails a liveness or readiness check.
 * @param {ServeOptions} options
 * @param {Lifecycle} lifecycle
 */
function createServers(options, lifecycle) {
    const { logger, limits, publicHost, redirectPort, probePort } = options;
    if (redirectPort !== undefined && publicHost === undefined) throw new Error("a redirect listener needs publicHost");
    const quietPaths = new Set([...PROBE_PATHS, ...(options.quietPaths ?? [])]);
    const hsts = publicHost === undefined ? undefined : HSTS;
    const server = createLimitedServer(limits, logger, withAccessLog(logger, options.createHandler(lifecycle), { quietPaths, hsts }));
    const redirect =
        publicHost === undefined || redirectPort === undefined
            ? undefined
            : createLimitedServer(
                  limits,
                  logger,
                  withAccessLog(logger, withRedirectProbes(lifecycle, redirectToHttps(publicHost)), { quietPaths: PROBE_PATHS }),
              );
    const capped = redirect ? [server, redirect] : [server];
    capConnections(capped, limits.maxConnections, logger);
    const probes =
        probePort === undefined
            ? undefined
            : createLimitedServer(limits, logger, withAccessLog(logger, probesOnly(lifecycle), { quietPaths: PROBE_PATHS }));
    if (probes) capConnections([probes], PROBE_MAX_CONNECTIONS, logger);
    return { server, redirect, probes, servers: probes ? [...capped, probes] : capped };
}

/**
 * The shutdown SIGTERM starts: readiness fails at once (`beginDrain`), requests keep being
 * served for `drainMs`, then the servers stop accepting, close idle keep-alive sockets, wait
 * for in-flight requests (at most `shutdownTimeoutMs`) and `exit(0)`. Calling it again
 * returns the same promise.
 * @param {{ servers: import("node:http").Server[], logger: Logger, drainMs: number, shutdownTimeoutMs: number, exit: (code: number) => void, beginDrain: () => void }} options
 * @returns {(reason: string) => Promise<void>}
 */
function gracefulShutdown({ servers, logger, drainMs, shutdownTimeoutMs, exit, beginDrain }) {
    /** @type {Promise<void> | undefined} */
    let stopping;
    return (reason) => {
        stopping ??= (async () => {
            beginDrain();
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
}

/**
 * Listens, logs the limits in force, and shuts down gracefully on SIGTERM (see gracefulShutdown).
 * @param {ServeOptions} options
 */
export async function serve(options) {
    const { name, logger, limits, publicHost, redirectPort, probePort, drainMs = 5000, shutdownTimeoutMs = 10000 } = options;
    const host = options.host ?? "0.0.0.0";
    let draining = false;
    const lifecycle = { draining: () => draining };
    const { server, redirect, probes, servers } = createServers(options, lifecycle);

    const port = await listen(server, options.port, host, "PORT");
    const boundRedirectPort =
        redirect && redirectPort !== undefined
            ? await listen(redirect, redirectPort, host, "REDIRECT_PORT").catch((err) => {
                  server.close();
                  throw err;
              })
            : undefined;
    const boundProbePort =
        probes && probePort !== undefined
            ? await listen(probes, probePort, host, "PROBE_PORT").catch((err) => {
                  server.close();
                  redirect?.close();
                  throw err;
              })
            : undefined;
    logger.info("listening", {
        port,
        ...(boundRedirectPort === undefined ? {} : { redirectPort: boundRedirectPort, publicHost }),
        ...(boundProbePort === undefined ? {} : { probePort: boundProbePort }),
        maxConnections: limits.maxConnections,
        headersTimeoutMs: limits.headersTimeoutMs,
        requestTimeoutMs: limits.requestTimeoutMs,
        keepAliveTimeoutMs: limits.keepAliveTimeoutMs,
    });

    /** Stops at once: every connection closed. For tests and failed starts. */
    const close = async () => {
        const closed = servers.map((s) => new Promise((resolve) => s.close(() => resolve(undefined))));
        for (const s of servers) s.closeAllConnections();
        await Promise.all(closed);
    };
    const exit = options.exit ?? ((code) => process.exit(code));
    const shutdown = gracefulShutdown({ servers, logger, drainMs, shutdownTimeoutMs, exit, beginDrain: () => (draining = true) });
    if (options.handleSignals) {
        process.once("SIGTERM", () => void shutdown("SIGTERM"));
        process.once("SIGINT", () => void shutdown("SIGINT"));
    }
    return {
        server,
        redirectServer: redirect,
        port,
        redirectPort: boundRedirectPort,
        probePort: boundProbePort,
        shutdown,
        close,
        lifecycle,
        name,
    };
}

/**
 * The probe listener: `/livez` and `/readyz`, and 404 for anything else.
 * @param {Lifecycle} lifecycle
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
function probesOnly(lifecycle) {
    return (req, res) => {
        if (!answerProbe(lifecycle, req, res)) sendJson(res, 404, { error: "not found" });
    };
}

/**
 * The redirect listener answers the probes itself, as the app's port does; the kubelet and the
 * NLB's target groups use the probe port, outside the cap. Everything else is redirected.
 * @param {Lifecycle} lifecycle
 * @param {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void} redirect
 * @returns {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
function withRedirectProbes(lifecycle, redirect) {
    return (req, res) => {
        if (!answerProbe(lifecycle, req, res)) redirect(req, res);
    };
}
