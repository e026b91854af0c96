// The backend's HTTP behaviour, separate from the entry point so tests can serve it.
import { rateLimited } from "../shared/edge.mjs";
import { sendJson, withProbes } from "../shared/http.mjs";

/** What the backend answers when its store fails; the frontend tells it apart from a dead backend by `error`. */
export const STORE_UNAVAILABLE = "data store unavailable";

/**
 * Requests are logged by serve()'s access log. Without a store the backend keeps no state and
 * answers as the seed's contract has it; with one, `GET /` counts a visit and says how many,
 * and `/health` reads the local replica, so a region whose data is unreachable fails its
 * Route 53 check. A failing store is a 503 with its reason, never a crash or a hang.
 * @param {{
 *   region: string,
 *   store?: import("./store.mjs").Store,
 *   logger?: import("../shared/http.mjs").Logger,
 * }} options
 * @returns {(lifecycle: import("../shared/http.mjs").Lifecycle) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
export function createBackend({ region, store, logger }) {
    const body = { text: "backend microservice", region };
    const healthy = { status: "ok", region };
    const warn = logger ? rateLimited(logger.warn, "store call failed") : () => {};

    /**
     * @param {import("node:http").ServerResponse} res
     * @param {"count" | "check"} call
     * @param {unknown} err
     */
    function failed(res, call, err) {
        const { reason = "error", message = String(err) } = /** @type {{ reason?: string, message?: string }} */ (err ?? {});
        warn({ call, reason, error: message });
        if (call === "check") sendJson(res, 503, { status: "unavailable", region, reason });
        else sendJson(res, 503, { error: STORE_UNAVAILABLE, reason, region });
    }

    /**
     * @param {import("./store.mjs").Store} store
     * @param {import("node:http").ServerResponse} res
     */
    async function count(store, res) {
        try {
            sendJson(res, 200, { ...body, visits: await store.count() });
        } catch (err) {
            failed(res, "count", err);
        }
    }

    /**
     * @param {import("./store.mjs").Store} store
     * @param {import("node:http").ServerResponse} res
     */
    async function check(store, res) {
        try {
            await store.check();
            sendJson(res, 200, healthy);
        } catch (err) {
            failed(res, "check", err);
        }
    }

    // Without a store, answered synchronously as before: the stateless path allocates no promise.
    return (lifecycle) =>
        withProbes(lifecycle, (req, res) => {
            const path = (req.url ?? "/").split("?")[0];
            if (path === "/" && store) void count(store, res);
            else if (path === "/") sendJson(res, 200, body);
            else if (path === "/health" && store) void check(store, res);
            else if (path === "/health") sendJson(res, 200, healthy);
            else sendJson(res, 404, { error: "not found" });
        });
}
