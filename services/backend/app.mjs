// The backend's HTTP behaviour, separate from the entry point so tests can serve it.
import { sendJson, withProbes } from "../shared/http.mjs";

/**
 * @param {{ region: string, logger: import("../shared/http.mjs").Logger }} options
 * @returns {(lifecycle: import("../shared/http.mjs").Lifecycle) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
export function createBackend({ region, logger }) {
    const body = { text: "backend microservice", region };
    return (lifecycle) =>
        withProbes(lifecycle, (req, res) => {
            const path = (req.url ?? "/").split("?")[0];
            if (path === "/") {
                sendJson(res, 200, body);
            } else {
                sendJson(res, 404, { error: "not found" });
            }
            logger.debug("request", { method: req.method, path, status: res.statusCode });
        });
}
