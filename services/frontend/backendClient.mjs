// A small client for the backend: pooled keep-alive connections, one deadline per
// call covering connect, headers and body, and strict checking of what comes back.
import http from "node:http";
import https from "node:https";

const MAX_BODY_BYTES = 64 * 1024;

export class BackendError extends Error {
    /**
     * @param {"unreachable" | "timeout" | "status" | "invalid"} kind
     * @param {string} message
     */
    constructor(kind, message) {
        super(message);
        this.name = "BackendError";
        this.kind = kind;
    }
}

/** @typedef {{ text: string, region: string | undefined }} BackendMessage */

// Without a `keep-alive: timeout=N` hint, assume Node's default server keep-alive of 5 s.
const UNHINTED_IDLE_MS = 4000;
// How long a pooled socket may idle, from its last response's `keep-alive` header.
const kIdleMs = Symbol("idleMs");
/** @typedef {import("node:net").Socket & { [kIdleMs]?: number }} PooledSocket */

/**
 * How long a pooled socket may idle, given the server's `keep-alive` header: a margin (10%, at
 * least 1 s) under the server's own timeout, so the client always closes first and never sends
 * a request into a socket the server is closing. 0: too short to reuse.
 * @param {string | undefined} header
 */
export function pooledIdleMs(header) {
    const seconds = /(?:^|,)\s*timeout=(\d+)/i.exec(header ?? "")?.[1];
    if (seconds === undefined) return UNHINTED_IDLE_MS;
    const serverMs = Number(seconds) * 1000;
    return Math.max(0, serverMs - Math.max(1000, serverMs / 10));
}

/**
 * A keep-alive agent whose idle sockets close before the server would close them. Node's agent
 * keeps an idle socket forever unless given a timeout (it only shortens a timeout it has, by
 * 1 s, from the hint); the backend would then close it first, at its KEEPALIVE_TIMEOUT_S,
 * racing our next request. The agent destroys a free socket on timeout.
 * @param {typeof http | typeof https} transport
 * @param {number} maxSockets
 */
function pooledAgent(transport, maxSockets) {
    const agent = new transport.Agent({ keepAlive: true, maxSockets, scheduling: "lifo" });
    const keepSocketAlive = agent.keepSocketAlive.bind(agent);
    agent.keepSocketAlive = (duplex) => {
        const socket = /** @type {PooledSocket} */ (duplex);
        const idleMs = socket[kIdleMs] ?? UNHINTED_IDLE_MS;
        // Node's documented contract: a falsy return destroys the socket (its types say void).
        if (idleMs === 0 || /** @type {unknown} */ (keepSocketAlive(socket)) === false) return false;
        if (socket.timeout !== idleMs) socket.setTimeout(idleMs);
        return true;
    };
    return agent;
}

/**
 * @param {{ url: string, maxSockets?: number }} options
 */
export function createBackendClient({ url, maxSockets = 128 }) {
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
        throw new Error(`BACKEND_URL must be an http(s) URL, got ${JSON.stringify(url)}`);
    }
    const transport = target.protocol === "https:" ? https : http;
    const agent = pooledAgent(transport, maxSockets);

    /**
     * One GET within `timeoutMs`; a stale pooled socket is retried once on a fresh one.
     * @param {number} timeoutMs
     * @param {number} [attempt]
     * @returns {Promise<BackendMessage>}
     */
    function getMessage(timeoutMs, attempt = 0) {
        const started = Date.now();
        return new Promise((resolve, reject) => {
            const req = transport.get(target, { agent, headers: { accept: "application/json" } }, (res) => {
                const hint = res.headers["keep-alive"];
                /** @type {PooledSocket} */ (res.socket)[kIdleMs] = pooledIdleMs(Array.isArray(hint) ? hint.join(",") : hint);
                /** @type {Buffer[]} */
                const chunks = [];
                let size = 0;
                res.on("data", (/** @type {Buffer} */ chunk) => {
                    size += chunk.length;
                    if (size > MAX_BODY_BYTES) req.destroy(new BackendError("invalid", `response over ${MAX_BODY_BYTES} bytes`));
                    else chunks.push(chunk);
                });
                res.on("end", () => {
                    clearTimeout(timer);
                    if (res.statusCode !== 200) return reject(new BackendError("status", `backend answered ${res.statusCode}`));
                    try {
                        resolve(parseMessage(Buffer.concat(chunks).toString("utf8")));
                    } catch (err) {
                        reject(err instanceof Error ? err : new BackendError("invalid", String(err)));
                    }
                });
                res.on("error", (/** @type {Error} */ err) => reject(err));
            });
            const timer = setTimeout(() => req.destroy(new BackendError("timeout", `no answer within ${timeoutMs} ms`)), timeoutMs);
            req.on("error", (err) => {
                clearTimeout(timer);
                if (err instanceof BackendError) return reject(err);
                const left = timeoutMs - (Date.now() - started);
                // A keep-alive socket the backend had just closed; GET is safe to repeat.
                if (req.reusedSocket && attempt === 0 && left > 0 && "code" in err && err.code === "ECONNRESET") {
                    return resolve(getMessage(left, 1));
                }
                reject(new BackendError("unreachable", err.message));
            });
        });
    }

    return { getMessage, close: () => agent.destroy() };
}

/**
 * Accepts only `{ "text": string, "region"?: string }`.
 * @param {string} raw
 * @returns {BackendMessage}
 */
export function parseMessage(raw) {
    /** @type {unknown} */
    let body;
    try {
        body = JSON.parse(raw);
    } catch {
        throw new BackendError("invalid", "backend sent invalid JSON");
    }
    if (typeof body !== "object" || body === null || typeof (/** @type {{ text?: unknown }} */ (body).text) !== "string") {
        throw new BackendError("invalid", "backend JSON has no string `text`");
    }
    const { text, region } = /** @type {{ text: string, region?: unknown }} */ (body);
    return { text, region: typeof region === "string" ? region : undefined };
}
