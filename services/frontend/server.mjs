// Entry point: configuration from the environment, then serve until SIGTERM.
import { frontendSettings, serveOptions } from "../shared/environment.mjs";
import { QUIET_PATHS, serve } from "../shared/http.mjs";
import { createLogger } from "../shared/log.mjs";
import { main } from "../shared/settings.mjs";
import { createFrontend } from "./app.mjs";
import { createBackendClient } from "./backendClient.mjs";

await main("frontend", async () => {
    const settings = frontendSettings(process.env);
    const logger = createLogger("frontend", { level: settings.LOG_LEVEL });
    await serve({
        ...serveOptions(settings),
        name: "frontend",
        logger,
        publicHost: settings.PUBLIC_HOST,
        redirectPort: settings.REDIRECT_PORT,
        quietPaths: QUIET_PATHS,
        handleSignals: true,
        createHandler: createFrontend({
            region: settings.REGION,
            backend: createBackendClient({ url: settings.BACKEND_URL }),
            timeoutMs: settings.BACKEND_TIMEOUT_MS,
            healthTimeoutMs: settings.HEALTH_TIMEOUT_MS,
            logger,
        }),
    });
});
