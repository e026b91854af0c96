/**
 * Which Chromium the browser tests drive: never a downloaded one. CHROME_PATH names one
 * outright; CHROME_BIN is what GitHub's Ubuntu runner images set for their Google Chrome
 * (https://github.com/actions/runner-images/blob/main/images/ubuntu/Ubuntu2404-Readme.md);
 * then the usual Debian and Ubuntu paths.
 */
import * as fs from "node:fs";

const PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];
const ENV_VARS = ["CHROME_PATH", "CHROME_BIN"] as const;

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** The browser to launch, or an error in one line saying what was tried and how to get one. */
export function findBrowser(env: Readonly<Record<string, string | undefined>> = process.env, usable = isExecutable): string {
    for (const name of ENV_VARS) {
        const file = env[name];
        if (!file) continue;
        if (usable(file)) return file;
        throw new Error(`${name}=${file} is not an executable file; point it at Chromium or Chrome, or unset it`);
    }
    const found = PATHS.find(usable);
    if (found) return found;
    throw new Error(
        `no Chromium or Chrome found (tried ${PATHS.join(", ")}): install one (Debian: sudo apt-get install -y chromium) or set CHROME_PATH`,
    );
}
