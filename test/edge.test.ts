/**
 * The edge of both apps: the entry points' refusal of bad settings.
 */
import { strict as assert } from "node:assert";
import { spawnRefusal } from "./support/servers";

describe("edge: settings", function () {
    describe("entry points", () => {
        const refusals: ["backend" | "frontend", Record<string, string>, string][] = [
            ["backend", { LOG_LEVEL: "verbose" }, 'invalid LOG_LEVEL="verbose": expected one of debug, info, warn, error'],
            ["backend", { REGION: "EU West" }, 'invalid REGION="EU West": expected 1-32 lower-case letters, digits and hyphens'],
            [
                "backend",
                { DRAIN_MS: "20000", SHUTDOWN_TIMEOUT_MS: "10000" },
                "DRAIN_MS=20000 plus SHUTDOWN_TIMEOUT_MS=10000 must not exceed 25000, or Kubernetes kills the pod mid-shutdown",
            ],
            ["frontend", { BACKEND_URL: "ftp://backend" }, 'invalid BACKEND_URL="ftp://backend": expected an http:// or https:// URL'],
            ["frontend", { HEALTH_TIMEOUT_MS: "2000" }, 'invalid HEALTH_TIMEOUT_MS="2000": expected an integer from 1 to 1900 (ms)'],
        ];
        for (const [app, env, message] of refusals) {
            it(`${app} refuses ${Object.entries(env)
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")} in one line, exit code 2, no stack trace`, async () => {
                assert.deepEqual(await spawnRefusal(app, env), { code: 2, stderr: `${app}: ${message}\n` });
            });
        }
    });
});
