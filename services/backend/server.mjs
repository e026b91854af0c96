// Entry point: configuration from the environment, then serve until SIGTERM.
import { createLogger, intFromEnv, serve } from "../shared/http.mjs";
import { createBackend } from "./app.mjs";

const env = process.env;
const logger = createLogger("backend", { level: env.LOG_LEVEL });
const region = env.REGION ?? "local";

await serve({
    name: "backend",
    logger,
    port: intFromEnv(env, "PORT", 8080),
    drainMs: intFromEnv(env, "DRAIN_MS", 5000),
    shutdownTimeoutMs: intFromEnv(env, "SHUTDOWN_TIMEOUT_MS", 10000),
    handleSignals: true,
    createHandler: createBackend({ region, logger }),
});
