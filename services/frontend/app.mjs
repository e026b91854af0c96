// The frontend's HTTP behaviour: the page (with the backend's visit count when it keeps one), a
// deep health check for Route 53, and a clear 503 page whenever the backend or its data store is
// down, slow or wrong.
import { createHash } from "node:crypto";
import { sendJson, withProbes } from "../shared/http.mjs";
import { BackendError } from "./backendClient.mjs";

const STYLE =
    "body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f6f8;color:#1c2733}" +
    "main{background:#fff;padding:2rem 3rem;border-radius:8px;box-shadow:0 1px 4px #0002}h1{margin-top:0}";
const CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/** @param {unknown} value */
export function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * @param {string} title
 * @param {string} body Already-escaped HTML.
 */
function page(title, body) {
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} html
 */
function sendHtml(res, status, html) {
    res.writeHead(status, {
        "content-type": "text/html; charset=utf-8",
        "content-length": Buffer.byteLength(html),
        "cache-control": "no-store",
        "content-security-policy": CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        ...(status === 503 ? { "retry-after": "5" } : {}),
    });
    res.end(html);
}

/** @param {unknown} err */
const reasonOf = (err) => (err instanceof BackendError ? err.kind : "error");

/**
 * The page that says what is wrong: the backend's data store (the backend is up and says
 * so), or the backend itself.
 * @param {unknown} err
 * @param {string} servedBy The region, escaped.
 */
function unavailable(err, servedBy) {
    if (err instanceof BackendError && err.kind === "store") {
        return page(
            "Data temporarily unavailable",
            `<h1>Data temporarily unavailable</h1>\n<p>The data store is unavailable (${escapeHtml(err.storeReason)}), so the visit count cannot be read or updated. Please retry in a few seconds.</p>\n<p>Region <strong>${servedBy}</strong>.</p>`,
        );
    }
    return page(
        "Service unavailable",
        `<h1>Service temporarily unavailable</h1>\n<p>The backend did not give a usable answer (${escapeHtml(reasonOf(err))}). Please try again in a few seconds.</p>\n<p>Region <strong>${servedBy}</strong>.</p>`,
    );
}

/**
 * @param {{
 *   region: string,
 *   backend: {
 *     getMessage(timeoutMs: number): Promise<import("./backendClient.mjs").BackendMessage>,
 *     checkHealth(timeoutMs: number): Promise<void>,
 *   },
 *   timeoutMs: number,
 *   healthTimeoutMs: number,
 *   logger: import("../shared/http.mjs").Logger,
 * }} options
 * @returns {(lifecycle: import("../shared/http.mjs").Lifecycle) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
export function createFrontend({ region, backend, timeoutMs, healthTimeoutMs, logger }) {
    const servedBy = escapeHtml(region);

    /** @param {import("node:http").ServerResponse} res */
    async function home(res) {
        try {
            const message = await backend.getMessage(timeoutMs);
            const backendRegion = message.region === undefined ? "unknown" : escapeHtml(message.region);
            const visits =
                message.visits === undefined ? "" : `\n<p>Visits to this page: <strong id="visits">${message.visits}</strong>.</p>`;
            sendHtml(
                res,
                200,
                page(
                    "Sample app",
                    `<h1>Hello from ${escapeHtml(message.text)}</h1>\n<p>Page served in region <strong id="frontend-region">${servedBy}</strong>; the backend answered from <strong id="backend-region">${backendRegion}</strong>.</p>${visits}`,
                ),
            );
        } catch (err) {
            const store = err instanceof BackendError ? err.storeReason : undefined;
            logger.warn("backend call failed", {
                reason: reasonOf(err),
                ...(store === undefined ? {} : { store }),
                error: err instanceof Error ? err.message : String(err),
            });
            sendHtml(res, 503, unavailable(err, servedBy));
        }
    }

    // Deep: Route 53 fails over when this region's frontend cannot reach its backend, or the
    // backend cannot read its local replica. The backend's /health counts no visit.
    /** @param {import("node:http").ServerResponse} res */
    async function health(res) {
        try {
            await backend.checkHealth(healthTimeoutMs);
            sendJson(res, 200, { status: "ok", region });
        } catch (err) {
            const store = err instanceof BackendError ? err.storeReason : undefined;
            sendJson(res, 503, { status: "unavailable", region, reason: reasonOf(err), ...(store === undefined ? {} : { store }) });
        }
    }

    return (lifecycle) =>
        withProbes(lifecycle, (req, res) => {
            const path = (req.url ?? "/").split("?")[0];
            if (path === "/") void home(res);
            else if (path === "/health") void health(res);
            else sendHtml(res, 404, page("Not found", "<h1>Not found</h1>"));
        });
}
