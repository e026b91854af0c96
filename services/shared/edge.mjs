// What stands between the network and a handler: the per-process connection cap, quick
// answers to hostile or broken HTTP, one access-log line per request, HSTS, and the
// port-80 redirect to HTTPS. Every answer here is bounded in time and in log volume.

/** @typedef {import("node:net").Socket} Socket */
/** @typedef {import("node:http").IncomingMessage} Request */
/** @typedef {import("node:http").ServerResponse} Response */
/** @typedef {(req: Request, res: Response) => void} Handler */
/** @typedef {import("./log.mjs").Logger} Logger */

// Two years, the usual value once HTTPS is settled. includeSubDomains covers only names under
// the app's own (app.example.com: *.app.example.com), none of which should ever serve plain
// HTTP, and it stops a spoofed http://x.app.example.com from planting cookies for the app.
// Never `preload`: that commits the whole registrable domain in browsers' built-in lists,
// for months. Sent only when PUBLIC_HOST is set, that is behind the NLB's TLS listener.
export const HSTS = "max-age=63072000; includeSubDomains";

// How long a socket we answered outside the HTTP layer may linger, reading and discarding, so
// the client reads the answer: closing with unread request bytes sends a RST, and some client
// stacks drop received data on a RST. At most MAX_LINGERING do at once (about 10 KB each), so
// a flood of connections over the cap cannot buy memory the cap exists to protect.
const LINGER_MS = 1000;
const MAX_LINGERING = 256;
let lingering = 0;

/**
 * A minimal HTTP/1.1 answer for a socket the HTTP layer is not (or no longer) handling.
 * @param {number} status
 * @param {string} reason
 * @param {string} [extra] Further header lines, each ending in CRLF.
 */
function raw(status, reason, extra = "") {
    return `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-length: 0\r\ncache-control: no-store\r\n${extra}\r\n`;
}

const OVER_CAPACITY = raw(503, "Service Unavailable", "retry-after: 5\r\n");
/** @type {Record<number, string>} */
const CLIENT_ERRORS = {
    400: raw(400, "Bad Request"),
    408: raw(408, "Request Timeout"),
    413: raw(413, "Content Too Large"),
    431: raw(431, "Request Header Fields Too Large"),
};

/**
 * Ends `socket` after `answer`, reading and discarding whatever the client still sends, and
 * destroys it after LINGER_MS whatever happens (at once, once written, when too many linger).
 * @param {Socket} socket
 * @param {string} answer
 */
function answerAndClose(socket, answer) {
    if (lingering >= MAX_LINGERING) {
        socket.end(answer, () => socket.destroy());
        return;
    }
    lingering++;
    socket.end(answer);
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => {
        lingering--;
        clearTimeout(timer);
    });
}

/**
 * Logs at most `perWindow` lines per `windowMs`; the rest are counted and reported in one line
 * when the window ends, so a flood of bad clients cannot flood the logs.
 * @param {(msg: string, fields?: object) => void} log
 * @param {string} msg
 * @param {{ perWindow?: number, windowMs?: number }} [options]
 * @returns {(fields: object) => void}
 */
export function rateLimited(log, msg, { perWindow = 10, windowMs = 1000 } = {}) {
    let logged = 0;
    let suppressed = 0;
    /** @type {NodeJS.Timeout | undefined} */
    let window;
    return (fields) => {
        if (logged < perWindow) {
            logged++;
            log(msg, fields);
        } else {
            suppressed++;
        }
        window ??= setTimeout(() => {
            if (suppressed > 0) log(msg, { suppressed, windowMs });
            logged = 0;
            suppressed = 0;
            window = undefined;
        }, windowMs).unref();
    };
}

/**
 * Caps the connections `servers` hold together at `maxConnections`. Over the cap a connection
 * gets a 503 with `connection: close` at once instead of a silent drop (what Node's own
 * `server.maxConnections` does), so a client sees why; its next connection may reach another pod.
 * @param {import("node:http").Server[]} servers
 * @param {number} maxConnections
 * @param {Logger} logger
 */
export function capConnections(servers, maxConnections, logger) {
    let open = 0;
    const warn = rateLimited(logger.warn, "connection limit reached; answered 503");
    for (const server of servers) {
        // The HTTP layer's own listener; only connections under the cap reach it.
        const http = /** @type {((socket: Socket) => void)[]} */ (server.listeners("connection"));
        server.removeAllListeners("connection");
        server.on("connection", (/** @type {Socket} */ socket) => {
            if (open >= maxConnections) {
                warn({ maxConnections, remoteAddress: socket.remoteAddress });
                socket.on("error", () => socket.destroy());
                socket.resume();
                answerAndClose(socket, OVER_CAPACITY);
                return;
            }
            open++;
            socket.once("close", () => open--);
            for (const listener of http) listener.call(server, socket);
        });
    }
}

/**
 * The status a client error gets: 431 for oversized headers, 408 for a request or its headers
 * arriving too slowly, 413 for oversized chunk extensions, 400 for anything else the parser
 * rejects; undefined for socket errors (a reset, a broken pipe), which get no answer.
 * @param {string | undefined} code
 * @returns {number | undefined}
 */
export function clientErrorStatus(code) {
    if (code === "HPE_HEADER_OVERFLOW") return 431;
    if (code === "ERR_HTTP_REQUEST_TIMEOUT") return 408;
    if (code === "HPE_CHUNK_EXTENSIONS_OVERFLOW") return 413;
    return code?.startsWith("HPE_") ? 400 : undefined;
}

// Per-socket state, in symbol-keyed properties as Node keeps its own. It never holds a finished
// response: keeping each socket's last one alive until the next request cost the backend about
// 20 MB of peak RSS under load.
const kResponse = Symbol("response");
const kAnsweredEarly = Symbol("answeredEarly");
const kBytesReported = Symbol("bytesReported");
const kAnswered = Symbol("answered");
/**
 * @typedef {Socket & {
 *   [kResponse]?: Response,
 *   [kAnsweredEarly]?: Request,
 *   [kBytesReported]?: number,
 *   [kAnswered]?: boolean,
 * }} TrackedSocket The response in progress; a request answered before its body had arrived
 *   (rare: only then is a request kept); the bytes attributed to earlier responses; and
 *   whether a client error was answered (the parser reports every later chunk again).
 */

/**
 * Answers malformed, oversized and too-slow requests with 400, 431, 413 or 408 when the socket
 * can still take an answer, else destroys it; logs each (rate-limited) with the client's
 * address and the error code. The process never crashes on a client's mistake.
 * @param {import("node:http").Server} server
 * @param {Logger} logger
 */
export function answerClientErrors(server, logger) {
    const warn = rateLimited(logger.warn, "client error");
    server.on("clientError", (/** @type {Error & { code?: string }} */ err, /** @type {TrackedSocket} */ socket) => {
        if (socket[kAnswered]) return;
        socket[kAnswered] = true;
        const status = clientErrorStatus(err.code);
        // Once this request's response has started, or went out while its body is still
        // arriving, a second answer would be read as the reply to something else: close instead.
        const res = socket[kResponse];
        const early = socket[kAnsweredEarly];
        const replied =
            res === undefined ? early !== undefined && !early.complete : res.writableFinished ? !res.req.complete : res.headersSent;
        if (status === undefined) {
            logger.debug("client error", { code: err.code, remoteAddress: socket.remoteAddress });
            socket.destroy();
        } else if (!socket.writable || replied) {
            warn({ code: err.code, answered: false, remoteAddress: socket.remoteAddress });
            socket.destroy();
        } else {
            warn({ code: err.code, status, remoteAddress: socket.remoteAddress });
            answerAndClose(socket, CLIENT_ERRORS[status] ?? CLIENT_ERRORS[400] ?? "");
        }
    });
}

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
 * @property {string} [hsts] A Strict-Transport-Security value to send on every response.
 */

/**
 * Wraps `handler` to log one line per request when it completes or is abandoned: method,
 * path (no query), status, duration, bytes written to the socket for the response (status
 * line and headers included, like nginx's $bytes_sent) and the client's address, which behind an NLB with IP targets
 * and client IP preservation is the real client. Successful probes go to debug: kubelet and
 * NLB health checks arrive every few seconds from several sources and say nothing a failing
 * probe would not; failing ones stay at info.
 * @param {Logger} logger
 * @param {Handler} handler
 * @param {AccessLogOptions} options
 * @returns {Handler}
 */
export function withAccessLog(logger, handler, { quietPaths, hsts }) {
    const logging = logger.enabled("debug") || logger.enabled("info");
    return (req, res) => {
        const socket = /** @type {TrackedSocket} */ (req.socket);
        socket[kResponse] = res;
        socket[kAnsweredEarly] = undefined;
        if (hsts !== undefined) res.setHeader("strict-transport-security", hsts);
        const started = logging ? performance.now() : 0;
        const remoteAddress = logging ? socket.remoteAddress : undefined;
        res.once("close", () => {
            socket[kResponse] = undefined;
            if (!req.complete) socket[kAnsweredEarly] = req;
            if (!logging) return;
            // Responses on one connection complete in order, so the difference is this one's;
            // only when a client pipelines can the next response's bytes land in this line.
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

/**
 * Where a request to the redirect listener goes on the public host: its path and query as
 * sent, or only the path and query of an absolute-form target; anything that is not a path
 * ("*", an authority, junk) goes to "/". The result always starts with "/", so prefixed with
 * "https://<host>" it can never name another host. Bytes outside printable ASCII are
 * percent-encoded as they came.
 * @param {string | undefined} url
 */
export function redirectTarget(url = "/") {
    let target = url;
    if (!target.startsWith("/")) {
        try {
            const absolute = new URL(target);
            target = absolute.protocol === "http:" || absolute.protocol === "https:" ? absolute.pathname + absolute.search : "/";
        } catch {
            target = "/";
        }
    }
    return target.replace(/[^\x21-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/**
 * The redirect listener: every request goes to `https://<publicHost><path and query>` with a
 * 308, never to the Host the client sent. 308 rather than 301: it is just as permanent and
 * cacheable, but a client must repeat the same method, so a POST is not silently turned into a
 * GET of something else. The redirect is cached for an hour rather than indefinitely, so a
 * wrong PUBLIC_HOST does not outlive its fix in browsers. `connection: close`, because a client
 * never makes a second plain-HTTP request and its socket would only hold a connection slot.
 * @param {string} publicHost
 * @returns {Handler}
 */
export function redirectToHttps(publicHost) {
    const origin = `https://${publicHost}`;
    return (req, res) => {
        res.writeHead(308, {
            location: origin + redirectTarget(req.url),
            "content-length": 0,
            "cache-control": "max-age=3600",
            connection: "close",
        });
        res.end();
    };
}
