// Entry point: configuration from the environment, then serve until SIGTERM.
import { backendSettings, serveOptions } from "../shared/environment.mjs";
import { QUIET_PATHS, serve } from "../shared/http.mjs";
import { createLogger } from "../shared/log.mjs";
import { main } from "../shared/settings.mjs";
import { createBackend } from "./app.mjs";
import { createStore } from "./store.mjs";

await main("backend", async () => {
    const settings = backendSettings(process.env);
    const logger = createLogger("backend", { level: settings.LOG_LEVEL });
    const store =
        settings.TABLE_NAME === undefined
            ? undefined
            : await createStore({
                  tableName: settings.TABLE_NAME,
                  region: settings.REGION,
                  timeoutMs: settings.STORE_TIMEOUT_MS,
                  endpoint: settings.DYNAMODB_ENDPOINT,
              });
    if (store)
        logger.info("counting visits", { table: settings.TABLE_NAME, region: settings.REGION, endpoint: settings.DYNAMODB_ENDPOINT });
    await serve({
        ...serveOptions(settings),
        name: "backend",
        logger,
        quietPaths: QUIET_PATHS,
        handleSignals: true,
        createHandler: createBackend({ region: settings.REGION, store, logger }),
    });
});
