// Preloaded with --import into an app's process: any attempt to load the AWS SDK fails, as in an
// image without node_modules, so a test can show the stateless backend never loads it.
// A resolve hook, registered from a data: URL (https://nodejs.org/api/module.html#customization-hooks).
import { register } from "node:module";

const HOOKS = `export async function resolve(specifier, context, next) {
    if (specifier.startsWith("@aws-sdk/")) throw new Error("Cannot find package " + specifier + " (hidden by the test)");
    return next(specifier, context);
}`;

register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
