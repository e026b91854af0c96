// Every environment variable the two apps read, declared once: its default, what is allowed
// and why. The same declarations parse the environment and can render the docs. A setting that
// is malformed or out of range stops the app before it listens, with one line naming the
// variable, the value and what is allowed, and exit code 2.

/**
 * @template T
 * @typedef {object} Setting
 * @property {string} description What it controls, and why its default and bounds are what they are.
 * @property {string} allowed The allowed values, in words, for messages and docs.
 * @property {T} fallback The value when the variable is unset or empty.
 * @property {(raw: string) => T | undefined} parse The value, or undefined when `raw` is not allowed.
 */

/**
 * @template {Record<string, Setting<unknown>>} S
 * @typedef {{ [K in keyof S]: S[K] extends Setting<infer T> ? T : never }} Values
 */

/**
 * @template {Record<string, Setting<unknown>>} S
 * @typedef {(values: Values<S>) => string | undefined} Check A rule across settings: a message naming each, or undefined.
 */

/** A problem that stops an app before it serves: printed as one line, never as a stack trace. */
export class StartupError extends Error {
    /**
     * @param {string} message
     * @param {number} exitCode
     * @param {string} [service] Whose problem it is, when not the caller's own.
     */
    constructor(message, exitCode, service) {
        super(message);
        this.name = "StartupError";
        this.exitCode = exitCode;
        this.service = service;
    }
}

/** A setting the app cannot run with. Exit code 2, as for any usage error. */
export class SettingsError extends StartupError {
    /** @param {string} message */
    constructor(message) {
        super(message, 2);
        this.name = "SettingsError";
    }
}

/** A port the app could not listen on, with the setting to change. */
export class ListenError extends StartupError {
    /**
     * @param {string} setting
     * @param {number} port
     * @param {string | undefined} code
     * @param {string} [service]
     */
    constructor(setting, port, code, service) {
        const hint =
            code === "EADDRINUSE"
                ? `port ${port} is already in use; set ${setting} to a free port`
                : code === "EACCES"
                  ? `no permission to listen on port ${port}; set ${setting} to a port above 1023`
                  : `cannot listen on port ${port} (${code}); check ${setting}`;
        super(hint, 1, service);
        this.name = "ListenError";
        this.code = code;
    }
}

/**
 * Runs an entry point. A StartupError becomes one line on stderr, `<service>: <message>`, and
 * its exit code; anything else is a bug and keeps its stack trace.
 * @param {string} service
 * @param {() => Promise<unknown>} start
 */
export async function main(service, start) {
    try {
        await start();
    } catch (err) {
        if (!(err instanceof StartupError)) throw err;
        process.stderr.write(`${err.service ?? service}: ${err.message}\n`);
        process.exit(err.exitCode);
    }
}

/**
 * An integer in [min, max]; digits only, so "1e3", "5.0", "-1" and " 5" are refused.
 * @param {string} description
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @param {string} [unit]
 * @returns {Setting<number>}
 */
export function integer(description, fallback, min, max, unit) {
    return {
        description,
        allowed: `an integer from ${min} to ${max}${unit ? ` (${unit})` : ""}`,
        fallback,
        parse: (raw) => {
            const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
            return n >= min && n <= max ? n : undefined;
        },
    };
}

/**
 * Like `integer`, but unset means "off".
 * @param {string} description
 * @param {number} min
 * @param {number} max
 * @returns {Setting<number | undefined>}
 */
export function optionalInteger(description, min, max) {
    return { ...integer(description, 0, min, max), allowed: `unset, or an integer from ${min} to ${max}`, fallback: undefined };
}

/**
 * @template {string} T
 * @param {string} description
 * @param {T} fallback
 * @param {readonly T[]} values
 * @returns {Setting<T>}
 */
export function oneOf(description, fallback, values) {
    return {
        description,
        allowed: `one of ${values.join(", ")}`,
        fallback,
        parse: (raw) => values.find((v) => v === raw),
    };
}

/**
 * Text matching `pattern`.
 * @param {string} description
 * @param {string} fallback
 * @param {RegExp} pattern
 * @param {string} allowed
 * @returns {Setting<string>}
 */
export function text(description, fallback, pattern, allowed) {
    return { description, allowed, fallback, parse: (raw) => (pattern.test(raw) ? raw : undefined) };
}

/**
 * An absolute http(s) URL.
 * @param {string} description
 * @param {string} fallback
 * @returns {Setting<string>}
 */
export function httpUrl(description, fallback) {
    return {
        description,
        allowed: "an http:// or https:// URL",
        fallback,
        parse: (raw) => {
            try {
                const url = new URL(raw);
                return url.protocol === "http:" || url.protocol === "https:" ? raw : undefined;
            } catch {
                return undefined;
            }
        },
    };
}

/**
 * A fully qualified public DNS name such as app.example.com, lower-cased and without the root
 * dot: at least two labels, each 1-63 letters, digits or inner hyphens, 253 characters at most,
 * a top-level label that is not all digits (so never an IP address); no port, scheme or path.
 * @param {string} raw
 * @returns {string | undefined}
 */
export function dnsName(raw) {
    const name = (raw.endsWith(".") ? raw.slice(0, -1) : raw).toLowerCase();
    const labels = name.split(".");
    const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
    if (name.length > 253 || labels.length < 2 || !labels.every((l) => label.test(l)) || /^\d+$/.test(labels.at(-1) ?? "")) {
        return undefined;
    }
    return name;
}

/**
 * Reads `table` from `env`, then applies `checks`.
 * @template {Record<string, Setting<unknown>>} S
 * @param {NodeJS.ProcessEnv} env
 * @param {S} table
 * @param {Check<S>[]} [checks]
 * @returns {Values<S>}
 * @throws {SettingsError}
 */
export function readSettings(env, table, checks = []) {
    /** @type {Record<string, unknown>} */
    const values = {};
    for (const [key, setting] of Object.entries(table)) {
        const raw = env[key];
        if (raw === undefined || raw === "") {
            values[key] = setting.fallback;
            continue;
        }
        const value = setting.parse(raw);
        if (value === undefined) {
            throw new SettingsError(`invalid ${key}=${JSON.stringify(raw)}: expected ${setting.allowed}`);
        }
        values[key] = value;
    }
    const typed = /** @type {Values<S>} */ (values);
    for (const check of checks) {
        const problem = check(typed);
        if (problem !== undefined) throw new SettingsError(problem);
    }
    return typed;
}

// Memory per connection, measured on the frontend with Node 20: about 10 KB idle, about 26 KB
// for one holding a request's headers just under the 16 KiB limit (the worst a client can make
// us keep before headersTimeout cuts it off). Under a 50-connection load the frontend peaks at
// about 85 MB and the backend at about 60 MB.
const FRONTEND_MAX_CONNECTIONS = 2048; // 2048 × 26 KB ≈ 53 MB on top of ~85 MB, inside 192 Mi with GC headroom.
const BACKEND_MAX_CONNECTIONS = 1024; // 1024 × 26 KB ≈ 27 MB on top of ~60 MB, inside 128 Mi; each frontend pod pools at most 128.

/** @param {number} maxConnections */
function serverSettings(maxConnections) {
    return {
        PORT: integer("Port the app listens on. 0 picks a free port (tests).", 8080, 0, 65535),
        LOG_LEVEL: oneOf(
            "Lowest level logged as JSON on stdout. `info` includes one access-log line per request; `warn` turns access logs off.",
            "info",
            /** @type {const} */ (["debug", "info", "warn", "error"]),
        ),
        REGION: text(
            "Region name the app reports in its answers.",
            "local",
            /^[a-z0-9][a-z0-9-]{0,31}$/,
            "1-32 lower-case letters, digits and hyphens",
        ),
        DRAIN_MS: integer(
            "After SIGTERM, how long readiness fails while requests are still served, so endpoints and load balancers stop sending new ones. The pod's terminationGracePeriodSeconds must cover it plus SHUTDOWN_TIMEOUT_MS.",
            5000,
            0,
            120000,
            "ms",
        ),
        SHUTDOWN_TIMEOUT_MS: integer(
            "After the drain, how long in-flight requests may take before their connections are closed.",
            10000,
            0,
            60000,
            "ms",
        ),
        HEADERS_TIMEOUT_S: integer(
            "How long a client may take to send a request's headers. 10 s is generous for a real client on a slow mobile link and short enough that a slow-header client holds a connection slot only briefly.",
            10,
            1,
            60,
            "seconds",
        ),
        REQUEST_TIMEOUT_S: integer(
            "How long a client may take to send a whole request, body included. Our requests have no body; 30 s bounds a slow-body client.",
            30,
            1,
            300,
            "seconds",
        ),
        KEEPALIVE_TIMEOUT_S: integer(
            "How long an idle keep-alive connection stays open. The frontend is behind an NLB, which forgets idle flows after 350 s and answers the next packet with a RST, so the app must close first: 60 s keeps a reading visitor's connection (and its TLS session at the NLB) between clicks while freeing connection slots well before 350 s. Node closes 1 s after this and announces it in `Keep-Alive: timeout=N`, from which the frontend's client derives its own, shorter, idle timeout. The maximum stays well below 350 s.",
            60,
            1,
            300,
            "seconds",
        ),
        MAX_CONNECTIONS: integer(
            "Open connections the process accepts; beyond it a new connection gets a 503 with `connection: close` at once. Sized so a pod full of connections holding maximal headers stays inside its memory limit.",
            maxConnections,
            1,
            65536,
        ),
    };
}

/** @type {Check<ReturnType<typeof serverSettings>>[]} */
const SERVER_CHECKS = [
    function headersWithinRequest(s) {
        if (s.HEADERS_TIMEOUT_S > s.REQUEST_TIMEOUT_S) {
            return `HEADERS_TIMEOUT_S=${s.HEADERS_TIMEOUT_S} must not exceed REQUEST_TIMEOUT_S=${s.REQUEST_TIMEOUT_S}: the headers are part of the request`;
        }
        return undefined;
    },
];

/** The backend's environment. */
export const BACKEND_SETTINGS = serverSettings(BACKEND_MAX_CONNECTIONS);

/** The frontend's environment: the server's, plus its backend and its public face. */
export const FRONTEND_SETTINGS = {
    ...serverSettings(FRONTEND_MAX_CONNECTIONS),
    BACKEND_URL: httpUrl("The backend's base URL.", "http://sample-app-backend-service"),
    BACKEND_TIMEOUT_MS: integer("Deadline for the backend's answer when rendering the page.", 2000, 1, 30000, "ms"),
    HEALTH_TIMEOUT_MS: integer(
        "Deadline for the backend's answer in the deep /health check. Route 53 counts an answer later than 2 s after connecting as a failure, so it stays under that.",
        1000,
        1,
        1900,
        "ms",
    ),
    PUBLIC_HOST: {
        description:
            "The public DNS name (e.g. app.example.com). When set, the app port sends HSTS and the redirect listener sends every request to https://PUBLIC_HOST; never taken from a request's Host header.",
        allowed: "a DNS name such as app.example.com",
        fallback: /** @type {string | undefined} */ (undefined),
        parse: dnsName,
    },
    REDIRECT_PORT: optionalInteger(
        "Port of the redirect-only listener the NLB's port-80 listener targets. Unset: no redirect listener (local development).",
        0,
        65535,
    ),
};

/** @type {Check<typeof FRONTEND_SETTINGS>[]} */
const FRONTEND_CHECKS = [
    ...SERVER_CHECKS,
    function redirectNeedsPublicHost(s) {
        return s.REDIRECT_PORT !== undefined && s.PUBLIC_HOST === undefined
            ? `REDIRECT_PORT=${s.REDIRECT_PORT} needs PUBLIC_HOST, the only host it may redirect to`
            : undefined;
    },
    function redirectPortDiffers(s) {
        return s.REDIRECT_PORT !== undefined && s.REDIRECT_PORT !== 0 && s.REDIRECT_PORT === s.PORT
            ? `REDIRECT_PORT=${s.REDIRECT_PORT} must differ from PORT=${s.PORT}`
            : undefined;
    },
];

/** @param {NodeJS.ProcessEnv} env */
export const backendSettings = (env) => readSettings(env, BACKEND_SETTINGS, SERVER_CHECKS);

/** @param {NodeJS.ProcessEnv} env */
export const frontendSettings = (env) => readSettings(env, FRONTEND_SETTINGS, FRONTEND_CHECKS);

/**
 * The serve() options a server's settings give.
 * @param {Values<ReturnType<typeof serverSettings>>} s
 */
export function serveOptions(s) {
    return {
        port: s.PORT,
        drainMs: s.DRAIN_MS,
        shutdownTimeoutMs: s.SHUTDOWN_TIMEOUT_MS,
        limits: {
            headersTimeoutMs: s.HEADERS_TIMEOUT_S * 1000,
            requestTimeoutMs: s.REQUEST_TIMEOUT_S * 1000,
            keepAliveTimeoutMs: s.KEEPALIVE_TIMEOUT_S * 1000,
            maxConnections: s.MAX_CONNECTIONS,
        },
    };
}
