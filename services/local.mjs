// `npm start`: the backend on :8081 and the frontend on :8080, wired together as in
// the cluster. Open http://localhost:8080. Ctrl-C stops both, gracefully.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const here = (/** @type {string} */ file) => fileURLToPath(new URL(file, import.meta.url));
const common = { REGION: process.env.REGION ?? "local", DRAIN_MS: "0" };

const children = [
    spawn(process.execPath, [here("./backend/server.mjs")], { env: { ...process.env, ...common, PORT: "8081" }, stdio: "inherit" }),
    spawn(process.execPath, [here("./frontend/server.mjs")], {
        env: { ...process.env, ...common, PORT: "8080", BACKEND_URL: "http://127.0.0.1:8081" },
        stdio: "inherit",
    }),
];

let stopping = false;
const stop = () => {
    stopping = true;
    for (const child of children) child.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children) {
    child.on("exit", (code) => {
        // One app dying takes the other down, so the page never half-works.
        if (!stopping) {
            console.error(`${child.spawnargs[1]} exited with ${code}; stopping`);
            stop();
            process.exitCode = 1;
        }
    });
}
