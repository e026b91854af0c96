import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DOCKERFILE } from "../tools/images";
import { ROOT } from "../tools/stacks";

const CONTEXT = path.join(ROOT, "services");
const APPS = ["backend", "frontend"];
const dockerfile = fs.readFileSync(path.join(ROOT, DOCKERFILE), "utf8");
const instructions = dockerfile.split("\n").filter((l) => l && !l.startsWith("#"));
const froms = instructions.filter((l) => l.startsWith("FROM "));
const ignore = fs.readFileSync(path.join(ROOT, `${DOCKERFILE}.dockerignore`), "utf8").split("\n");

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

/** The files a `dir/*.mjs` pattern matches in the build context. */
function expand(pattern: string): string[] {
    const m = /^([a-z]+)\/\*\.mjs$/.exec(pattern);
    assert.ok(m, `${pattern}: only dir/*.mjs patterns are expected`);
    return fs
        .readdirSync(path.join(CONTEXT, m[1]!))
        .filter((f) => f.endsWith(".mjs"))
        .map((f) => `${m[1]}/${f}`);
}

describe("the apps' image recipe", () => {
    it("is multi-stage, on a base pinned by version and digest", () => {
        assert.equal(froms.length, 2);
        assert.match(froms[0]!, / AS build$/);
        for (const from of froms) {
            assert.match(from, /^FROM node:\d+\.\d+\.\d+-[a-z]+-slim@sha256:[a-f0-9]{64}( AS build)?$/, from);
        }
        assert.equal(froms[0]!.replace(" AS build", ""), froms[1], "both stages on the same base");
    });

    it("runs as a numeric non-root user, in its app's folder, and starts its server", () => {
        const runtime = instructions.slice(instructions.indexOf(froms[1]!));
        const user = runtime.find((l) => l.startsWith("USER "));
        assert.equal(user, "USER 1000:1000");
        assert.ok(runtime.indexOf(user) < runtime.findIndex((l) => l.startsWith("CMD ")));
        assert.ok(runtime.includes("WORKDIR /app/${APP}"));
        assert.equal(runtime.at(-1), 'CMD ["node", "server.mjs"]');
        assert.ok(runtime.includes("COPY --from=build --chown=root:root /app /app"), "the runtime takes only the build stage's files");
    });

    it("refuses to build without an app named", () => {
        assert.ok(instructions.some((l) => l.startsWith('RUN case "$APP" in backend|frontend) ;; *)') && l.includes("exit 2")));
    });

    for (const app of APPS) {
        it(`copies every module the ${app} imports, and nothing else`, () => {
            const copied = instructions
                .filter((l) => l.startsWith("COPY ") && !l.includes("--from"))
                .flatMap((l) => l.split(" ").slice(1, -1))
                .flatMap((pattern) => expand(pattern.replace("${APP}", app)))
                .sort();
            assert.deepEqual(copied, [...moduleGraph(`${app}/server.mjs`)].sort());
        });
    }

    it("sends only the apps' modules as build context", () => {
        assert.ok(ignore.includes("*"), "everything is excluded first");
        const allowed = ignore.filter((l) => l.startsWith("!")).flatMap((l) => expand(l.slice(1)));
        const needed = new Set(APPS.flatMap((app) => [...moduleGraph(`${app}/server.mjs`)]));
        assert.deepEqual(allowed.sort(), [...needed].sort());
    });
});
