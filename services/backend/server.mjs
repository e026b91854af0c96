// Entry point: configuration from the environment, then serve until SIGTERM.
import { backendSettings, serveOptions } from "../shared/environment.mjs";
import { serve } from "../shared/http.mjs";
import { createLogger } from "../shared/log.mjs";
import { main } from "../shared/settings.mjs";
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
