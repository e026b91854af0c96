// The backend's HTTP behaviour, separate from the entry point so tests can serve it.
import { sendJson, withProbes } from "../shared/http.mjs";

/**
 * Requests are logged by serve()'s access log.
 * @param {{ region: string }} options
 * @returns {(lifecycle: import("../shared/http.mjs").Lifecycle) => (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void}
 */
export function createBackend({ region }) {
    const body = { text: "backend microservice", region };
    return (lifecycle) =>
        withProbes(lifecycle, (req, res) => {
            const path = (req.url ?? "/").split("?")[0];
            if (path === "/") {
                sendJson(res, 200, body);
            } else {
                sendJson(res, 404, { error: "not found" });
            }
        });
}
