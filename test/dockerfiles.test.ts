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
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) as Lockfile;
interface Lockfile {
    dependencies?: Record<string, string>;
    packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}
/** The one package the backend's image installs; the tests run the version the root lockfile holds. */
const SDK = "@aws-sdk/client-dynamodb";
const DEPENDENCY_FILES = ["package.json", "package-lock.json"];

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

/** The packages (not `node:` built-ins, not relative paths) the modules import, statically or with import(). */
function packagesImported(modules: Iterable<string>): string[] {
    const found = new Set<string>();
    for (const file of modules) {
        const source = fs.readFileSync(path.join(CONTEXT, file), "utf8");
        for (const m of source.matchAll(/(?:^import [^"]*|\bimport\()"([^".][^"]*)"/gm)) if (!m[1]!.startsWith("node:")) found.add(m[1]!);
    }
    return [...found].sort();
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
                .filter((l) => l.startsWith("COPY ") && !l.includes("--from") && !l.endsWith(" /deps/"))
                .flatMap((l) => l.split(" ").slice(1, -1))
                .flatMap((pattern) => expand(pattern.replace("${APP}", app)))
                .sort();
            assert.deepEqual(copied, [...moduleGraph(`${app}/server.mjs`)].sort());
        });
    }

    it("sends only the apps' modules and the backend's dependency files as build context", () => {
        assert.ok(ignore.includes("*"), "everything is excluded first");
        const allowed = ignore.filter((l) => l.startsWith("!")).map((l) => l.slice(1));
        const needed = new Set(APPS.flatMap((app) => [...moduleGraph(`${app}/server.mjs`)]));
        assert.deepEqual(
            allowed
                .filter((l) => !DEPENDENCY_FILES.includes(l))
                .flatMap(expand)
                .sort(),
            [...needed].sort(),
        );
        assert.deepEqual(allowed.filter((l) => DEPENDENCY_FILES.includes(l)).sort(), DEPENDENCY_FILES.sort());
    });

    it("installs the AWS SDK's DynamoDB client for the backend alone, from the lockfile, without npm in the runtime", () => {
        const build = instructions.slice(0, instructions.indexOf(froms[1]!));
        assert.ok(build.includes("COPY package.json package-lock.json /deps/"));
        assert.ok(
            build.includes(
                'RUN if [ "$APP" = backend ]; then cd /deps && npm ci --omit=dev --ignore-scripts --no-audit --no-fund && mv node_modules /app/; fi',
            ),
        );
        assert.ok(
            build.some((l) => l.startsWith('RUN if [ "$APP" = backend ]; then node ') && l.includes("import('/app/backend/store.mjs')")),
        );
        assert.match(
            instructions.find((l) => l.startsWith("RUN rm -rf /usr/local/lib/node_modules "))!,
            / \/usr\/local\/bin\/npm /,
        );
    });

    it("pins in services/ exactly the SDK the tests run, and the apps import no other package", () => {
        const pkg = json("services/package.json");
        const root = json("package-lock.json").packages;
        assert.deepEqual(pkg.dependencies, { [SDK]: root[`node_modules/${SDK}`]!.version });
        const lock = json("services/package-lock.json").packages;
        assert.deepEqual(lock[""]!.dependencies, pkg.dependencies, "the lockfile matches package.json (npm ci refuses otherwise)");
        for (const [at, entry] of Object.entries(lock)) if (at) assert.equal(entry.version, root[at]?.version, at);
        assert.deepEqual(packagesImported(moduleGraph("backend/server.mjs")), [SDK]);
        assert.deepEqual(packagesImported(moduleGraph("frontend/server.mjs")), [], "the frontend's image needs no node_modules");
    });
});
