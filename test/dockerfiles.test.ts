import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tools/stacks";

const CONTEXT = path.join(ROOT, "services");

/** Every local module `entry` imports, transitively, relative to the build context. */
function moduleGraph(entry: string, seen = new Set<string>()): Set<string> {
    if (seen.has(entry)) return seen;
    seen.add(entry);
    const source = fs.readFileSync(path.join(CONTEXT, entry), "utf8");
    for (const m of source.matchAll(/^import [^"]*"(\.{1,2}\/[^"]+)";$/gm)) {
        moduleGraph(path.posix.normalize(path.posix.join(path.posix.dirname(entry), m[1]!)), seen);
    }
    return seen;
}

function ignoreAllowlist(app: string): string[] {
    return fs
        .readFileSync(path.join(CONTEXT, app, "Dockerfile.dockerignore"), "utf8")
        .split("\n")
        .filter((l) => l.startsWith("!"))
        .map((l) => l.slice(1));
}

for (const app of ["backend", "frontend"]) {
    describe(`${app} image`, () => {
        const dockerfile = fs.readFileSync(path.join(CONTEXT, app, "Dockerfile"), "utf8");
        const instructions = dockerfile.split("\n").filter((l) => l && !l.startsWith("#"));
        const froms = instructions.filter((l) => l.startsWith("FROM "));

        it("is multi-stage, on a base pinned to an exact version", () => {
            assert.equal(froms.length, 2);
            assert.match(froms[0]!, / AS build$/);
            for (const from of froms) {
                assert.match(from, /^FROM node:\d+\.\d+\.\d+-[a-z]+-slim( AS build)?$/, from);
                assert.doesNotMatch(from, /latest/);
            }
        });

        it("runs as a numeric non-root user and starts its own server", () => {
            const runtime = instructions.slice(instructions.indexOf(froms[1]!));
            const user = runtime.find((l) => l.startsWith("USER "));
            assert.equal(user, "USER 1000:1000");
            assert.ok(runtime.indexOf(user) < runtime.findIndex((l) => l.startsWith("CMD ")));
            assert.equal(runtime.at(-1), `CMD ["node", "${app}/server.mjs"]`);
            assert.ok(runtime.includes("COPY --from=build --chown=root:root /app /app"), "the runtime takes only the build stage's files");
        });

        it("copies every module its server imports, and nothing else", () => {
            const copied = instructions
                .filter((l) => l.startsWith("COPY ") && !l.includes("--from"))
                .flatMap((l) => {
                    const parts = l.split(" ").slice(1);
                    const dest = parts.pop()!;
                    return parts.map((p) => path.posix.join(dest.replace(/\/$/, ""), path.posix.basename(p)));
                })
                .sort();
            assert.deepEqual(copied, [...moduleGraph(`${app}/server.mjs`)].sort());
        });

        it("sends only the copied files as build context", () => {
            assert.deepEqual(ignoreAllowlist(app).sort(), [...moduleGraph(`${app}/server.mjs`)].sort());
            assert.match(fs.readFileSync(path.join(CONTEXT, app, "Dockerfile.dockerignore"), "utf8"), /^\*$/m);
        });
    });
}
