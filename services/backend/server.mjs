// Entry point: configuration from the environment, then serve until SIGTERM.
import { createLogger, serve } from "../shared/http.mjs";
import { backendSettings, main, serveOptions } from "../shared/settings.mjs";
import { createBackend } from "./app.mjs";

await main("backend", async () => {
    const settings = backendSettings(process.env);
    const logger = createLogger("backend", { level: settings.LOG_LEVEL });
    await serve({
        ...serveOptions(settings),
        name: "backend",
        logger,
        handleSignals: true,
        createHandler: createBackend({ region: settings.REGION }),
    });
});
