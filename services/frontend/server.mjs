// Entry point: configuration from the environment, then serve until SIGTERM.
import { createLogger, intFromEnv, serve } from "../shared/http.mjs";
import { createFrontend } from "./app.mjs";
import { createBackendClient } from "./backendClient.mjs";

const env = process.env;
const logger = createLogger("frontend", { level: env.LOG_LEVEL });
const backend = createBackendClient({ url: env.BACKEND_URL ?? "http://sample-app-backend-service" });

await serve({
    name: "frontend",
    logger,
    port: intFromEnv(env, "PORT", 8080),
    drainMs: intFromEnv(env, "DRAIN_MS", 5000),
    shutdownTimeoutMs: intFromEnv(env, "SHUTDOWN_TIMEOUT_MS", 10000),
    handleSignals: true,
    createHandler: createFrontend({
        region: env.REGION ?? "local",
        backend,
        timeoutMs: intFromEnv(env, "BACKEND_TIMEOUT_MS", 2000),
        healthTimeoutMs: intFromEnv(env, "HEALTH_TIMEOUT_MS", 1000),
        logger,
    }),
});
