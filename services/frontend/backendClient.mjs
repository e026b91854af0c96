// A small client for the backend: pooled keep-alive connections, one deadline per
// call covering connect, headers and body, and strict checking of what comes back.
import http from "node:http";
import https from "node:https";

const MAX_BODY_BYTES = 64 * 1024;

export class BackendError extends Error {
    /**
     * @param {"unreachable" | "timeout" | "status" | "invalid" | "store"} kind
     * @param {string} message
     * @param {string} [storeReason] For "store": why the backend's data store failed (unreachable, throttled, timeout...).
     */
    constructor(kind, message, storeReason) {
        super(message);
        this.name = "BackendError";
        this.kind = kind;
        this.storeReason = storeReason;
    }
}

/** @typedef {{ text: string, region: string | undefined, visits?: number }} BackendMessage */

/** What the backend answers when its store fails (services/backend/app.mjs). */
const STORE_UNAVAILABLE = "data store unavailable";

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
 * One GET of `url` within `timeoutMs`; a stale pooled socket is retried once on a fresh one.
 * @param {typeof http | typeof https} transport
 * @param {import("node:http").Agent} agent
 * @param {URL} url
 * @param {number} timeoutMs
 * @param {number} [attempt]
 * @returns {Promise<{ status: number, body: string }>}
 */
function get(transport, agent, url, timeoutMs, attempt = 0) {
    const started = Date.now();
    return new Promise((resolve, reject) => {
        const req = transport.get(url, { agent, headers: { accept: "application/json" } }, (res) => {
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
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") });
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
                return resolve(get(transport, agent, url, left, 1));
            }
            reject(new BackendError("unreachable", err.message));
        });
    });
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
    // Relative to the base URL: http://backend gives http://backend/health.
    const healthUrl = new URL("health", target);

    /**
     * The page's message: the backend's `/`, which counts a visit when it has a table.
     * @param {number} timeoutMs
     * @returns {Promise<BackendMessage>}
     */
    async function getMessage(timeoutMs) {
        const { status, body } = await get(transport, agent, target, timeoutMs);
        if (status !== 200) throw statusError(status, body);
        return parseMessage(body);
    }

    /**
     * The backend's deep check, `/health`, which reads its store and counts nothing. A backend
     * from before the check (404: one still rolling out) is asked for `/` as before.
     * @param {number} timeoutMs
     * @returns {Promise<void>}
     */
    async function checkHealth(timeoutMs) {
        const started = Date.now();
        const { status, body } = await get(transport, agent, healthUrl, timeoutMs);
        if (status === 404) {
            await getMessage(Math.max(1, timeoutMs - (Date.now() - started)));
        } else if (status !== 200) {
            throw statusError(status, body);
        }
    }

    return { getMessage, checkHealth, close: () => agent.destroy() };
}

/**
 * A non-200 answer as an error: a 503 saying the backend's data store failed is "store", with
 * the store's reason; anything else is "status".
 * @param {number} status
 * @param {string} body
 */
export function statusError(status, body) {
    if (status === 503) {
        try {
            /** @type {unknown} */
            const parsed = JSON.parse(body);
            const answer = /** @type {{ error?: unknown, status?: unknown, reason?: unknown }} */ (parsed ?? {});
            const { error, reason } = answer;
            // `/` says `error`, `/health` says `status`; either way with the store's reason.
            if ((error === STORE_UNAVAILABLE || answer.status === "unavailable") && typeof reason === "string") {
                const why = /^[a-z-]{1,32}$/.test(reason) ? reason : "error";
                return new BackendError("store", `the backend's data store is unavailable (${why})`, why);
            }
        } catch {
            // Not the backend's JSON: a plain status error.
        }
    }
    return new BackendError("status", `backend answered ${status}`);
}

/**
 * Accepts only `{ "text": string, "region"?: string, "visits"?: non-negative integer }`.
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
    const { text, region, visits } = /** @type {{ text: string, region?: unknown, visits?: unknown }} */ (body);
    if (visits !== undefined && !(Number.isSafeInteger(visits) && /** @type {number} */ (visits) >= 0)) {
        throw new BackendError("invalid", "backend JSON has a `visits` that is not a non-negative integer");
    }
    return {
        text,
        region: typeof region === "string" ? region : undefined,
        ...(visits === undefined ? {} : { visits: /** @type {number} */ (visits) }),
    };
}
