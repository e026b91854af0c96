// What stands between the network and a handler: for now, one access-log line per request.

/** @typedef {import("node:net").Socket} Socket */
/** @typedef {import("node:http").IncomingMessage} Request */
/** @typedef {import("node:http").ServerResponse} Response */
/** @typedef {(req: Request, res: Response) => void} Handler */
/** @typedef {import("./http.mjs").Logger} Logger */

// Per-socket state, in symbol-keyed properties as Node keeps its own.
const kBytesReported = Symbol("bytesReported");
/** @typedef {Socket & { [kBytesReported]?: number }} TrackedSocket The bytes attributed to earlier responses. */

/**
 * A request's path without its query string (which can carry tokens), cut to 256 characters.
 * @param {string | undefined} url
 */
export function pathOf(url = "/") {
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    return path.length > 256 ? `${path.slice(0, 256)}…` : path;
}

/**
 * @typedef {object} AccessLogOptions
 * @property {ReadonlySet<string>} quietPaths Probe paths, logged at debug when they succeed.
 */

/**
 * Wraps `handler` to log one line per request when it completes or is abandoned: method,
 * path (no query), status, duration, bytes written to the socket for the response (status
 * line and headers included) and the client's address, which behind an NLB with IP targets
 * and client IP preservation is the real client. Successful probes go to debug: kubelet and
 * NLB health checks arrive every few seconds from several sources and say nothing a failing
 * probe would not; failing ones stay at info.
 * @param {Logger} logger
 * @param {Handler} handler
 * @param {AccessLogOptions} options
 * @returns {Handler}
 */
export function withAccessLog(logger, handler, { quietPaths }) {
    if (!logger.enabled("debug") && !logger.enabled("info")) return handler;
    return (req, res) => {
        const socket = /** @type {TrackedSocket} */ (req.socket);
        const started = performance.now();
        const remoteAddress = socket.remoteAddress;
        res.once("close", () => {
            // Responses on one connection complete in order, so the difference is this one's.
            const written = socket.bytesWritten;
            const bytesSent = written - (socket[kBytesReported] ?? 0);
            socket[kBytesReported] = written;
            const path = pathOf(req.url);
            const level = quietPaths.has(path) && res.statusCode < 400 ? "debug" : "info";
            logger[level]("request", {
                method: req.method,
                path,
                status: res.statusCode,
                durationMs: Math.round((performance.now() - started) * 100) / 100,
                bytesSent,
                remoteAddress,
                ...(res.writableFinished ? {} : { aborted: true }),
            });
        });
        handler(req, res);
    };
}
