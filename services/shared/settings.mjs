// How the apps read their environment: a setting is declared once (its default, what is
// allowed and why) and the same declaration parses it and can render the docs. A setting that
// is malformed or out of range stops the app before it listens, with one line naming the
// variable, the value and what is allowed, and exit code 2. The apps' own table is in
// environment.mjs.

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
 * Like `setting`, but unset means "none".
 * @template T
 * @param {Setting<T>} setting
 * @returns {Setting<T | undefined>}
 */
export function optional(setting) {
    return { ...setting, allowed: `unset, or ${setting.allowed}`, fallback: undefined };
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
