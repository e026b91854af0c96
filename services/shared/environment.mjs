// Every environment variable the two apps read, with its default, what is allowed and why:
// the one place to change a setting, and the source for the docs.
import { dnsName, httpUrl, integer, oneOf, optional, optionalInteger, readSettings, text } from "./settings.mjs";

// Memory per connection, measured on the frontend with Node 20: about 10 KB idle, about 26 KB
// for one holding a request's headers just under the 16 KiB limit (the worst a client can make
// us keep before headersTimeout cuts it off). Under a 50-connection load the frontend peaks at
// about 85 MB and the backend at about 60 MB.
const FRONTEND_MAX_CONNECTIONS = 2048; // 2048 × 26 KB ≈ 53 MB on top of ~85 MB, inside 192 Mi with GC headroom.
const BACKEND_MAX_CONNECTIONS = 1024; // 1024 × 26 KB ≈ 27 MB on top of ~60 MB, inside 128 Mi; each frontend pod pools at most 128.

const PROBE_PORT_DESCRIPTION =
    "Port of the probe-only listener (`/livez`, `/readyz`) the kubelet and the NLB's health checks use: outside the app's connection cap, with a small cap of its own, so a flood of connections on the app's ports cannot fail the probes. No Service exposes it. Unset: no probe listener (local development); the probes still answer on PORT.";

/** @param {number} maxConnections */
function serverSettings(maxConnections) {
    return {
        PORT: integer("Port the app listens on. 0 picks a free port (tests).", 8080, 0, 65535),
        PROBE_PORT: optionalInteger(PROBE_PORT_DESCRIPTION, 0, 65535),
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
            "After SIGTERM, how long readiness fails while requests are still served, so endpoints and load balancers stop sending new ones. The pod's terminationGracePeriodSeconds must cover it plus SHUTDOWN_TIMEOUT_MS. Behind an NLB it outlasts the target group's deregistration delay (300 s by default).",
            5000,
            0,
            600000,
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

/** @type {import("./settings.mjs").Check<ReturnType<typeof serverSettings>>[]} */
const SERVER_CHECKS = [
    function headersWithinRequest(s) {
        if (s.HEADERS_TIMEOUT_S > s.REQUEST_TIMEOUT_S) {
            return `HEADERS_TIMEOUT_S=${s.HEADERS_TIMEOUT_S} must not exceed REQUEST_TIMEOUT_S=${s.REQUEST_TIMEOUT_S}: the headers are part of the request`;
        }
        return undefined;
    },
    function probePortDiffers(s) {
        return s.PROBE_PORT !== undefined && s.PROBE_PORT !== 0 && s.PROBE_PORT === s.PORT
            ? `PROBE_PORT=${s.PROBE_PORT} must differ from PORT=${s.PORT}`
            : undefined;
    },
];

/** The frontend waits this long for the backend's deep check; the backend's store deadline stays under it. */
const HEALTH_TIMEOUT_MS = 1500;

/** The backend's environment: the server's, plus its table. */
export const BACKEND_SETTINGS = {
    ...serverSettings(BACKEND_MAX_CONNECTIONS),
    TABLE_NAME: optional(
        text(
            "The fleet's DynamoDB table (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html); the backend uses its replica in REGION, which is also the SDK's region. Unset: the backend keeps no state, answers `{text, region}` as before and never loads the AWS SDK. Set: `GET /` counts a visit and `/health` reads the table.",
            "",
            /^[A-Za-z0-9_.-]{3,255}$/,
            "a DynamoDB table name: 3-255 letters, digits, _ . and -",
        ),
    ),
    STORE_TIMEOUT_MS: integer(
        `Deadline for each call to the table, the SDK's retries included; past it the backend answers 503. It stays under the frontend's HEALTH_TIMEOUT_MS (${HEALTH_TIMEOUT_MS}), so its deep check reports the store's reason rather than a timeout, and well under Route 53's 2 s.`,
        1000,
        1,
        HEALTH_TIMEOUT_MS - 100,
        "ms",
    ),
    DYNAMODB_ENDPOINT: optional(
        httpUrl(
            "DynamoDB's endpoint, for local runs and tests only (dynalite, which `npm start` runs). Unset in the cluster, where the SDK picks the regional endpoint and gets its credentials from EKS Pod Identity; set without AWS keys in the environment, dummy keys are used.",
            "",
        ),
    ),
};

/** @type {import("./settings.mjs").Check<typeof BACKEND_SETTINGS>[]} */
const BACKEND_CHECKS = [
    ...SERVER_CHECKS,
    function tableNeedsRegion(s) {
        return s.TABLE_NAME !== undefined && s.DYNAMODB_ENDPOINT === undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s.REGION)
            ? `TABLE_NAME=${s.TABLE_NAME} needs REGION to be the AWS region of its replica (such as us-east-2), got ${s.REGION}`
            : undefined;
    },
];

/** The frontend's environment: the server's, plus its backend and its public face. */
export const FRONTEND_SETTINGS = {
    ...serverSettings(FRONTEND_MAX_CONNECTIONS),
    BACKEND_URL: httpUrl("The backend's base URL.", "http://sample-app-backend-service"),
    BACKEND_TIMEOUT_MS: integer("Deadline for the backend's answer when rendering the page.", 2000, 1, 30000, "ms"),
    HEALTH_TIMEOUT_MS: integer(
        "Deadline for the backend's answer in the deep /health check. Route 53 counts an answer later than 2 s after connecting as a failure, so it stays under that; the backend's STORE_TIMEOUT_MS stays under it.",
        HEALTH_TIMEOUT_MS,
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

/** @type {import("./settings.mjs").Check<typeof FRONTEND_SETTINGS>[]} */
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
    function redirectPortNotProbePort(s) {
        return s.REDIRECT_PORT !== undefined && s.REDIRECT_PORT !== 0 && s.REDIRECT_PORT === s.PROBE_PORT
            ? `REDIRECT_PORT=${s.REDIRECT_PORT} must differ from PROBE_PORT=${s.PROBE_PORT}`
            : undefined;
    },
];

/** @param {NodeJS.ProcessEnv} env */
export const backendSettings = (env) => readSettings(env, BACKEND_SETTINGS, BACKEND_CHECKS);

/** @param {NodeJS.ProcessEnv} env */
export const frontendSettings = (env) => readSettings(env, FRONTEND_SETTINGS, FRONTEND_CHECKS);

/**
 * The serve() options a server's settings give.
 * @param {import("./settings.mjs").Values<ReturnType<typeof serverSettings>>} s
 */
export function serveOptions(s) {
    return {
        port: s.PORT,
        probePort: s.PROBE_PORT,
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
