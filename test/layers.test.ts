/**
 * Imports point one way (issue #18): facts at the bottom, then config, then the region and
 * service components, then the two programs, then the tools. A module may import its own
 * folder and any folder below it, never one above or beside it.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tools/stacks";

/** Each top-level folder's floor; folders on one floor may not import each other. */
const FLOORS: Record<string, number> = {
    facts: 0,
    config: 1,
    regions: 2,
    services: 2,
    "index.ts": 3,
    bootstrap: 3,
    tools: 4,
    bench: 4,
};

const IMPORT = /(?:from\s+|import\(\s*|import\s+)"(\.{1,2}\/[^"]*)"/g;

function sources(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" || e.name === "reference" ? [] : sources(rel);
        return /\.(ts|mjs)$/.test(e.name) ? [rel] : [];
    });
}

/** Every import from one top-level folder into another, as `from -> to (file)`. */
function crossImports(): { from: string; to: string; file: string }[] {
    const files = [
        "index.ts",
        ...Object.keys(FLOORS)
            .filter((d) => d !== "index.ts")
            .flatMap(sources),
    ];
    return files.flatMap((file) =>
        [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(IMPORT)].flatMap((m) => {
            const target = path.normalize(path.join(path.dirname(file), m[1]!));
            const [from, to] = [file.split(path.sep)[0]!, target.split(path.sep)[0]!];
            return from === to ? [] : [{ from, to, file }];
        }),
    );
}

describe("layers: every import points down", () => {
    const imports = crossImports();

    it("reads the imports of every top-level folder", () => {
        assert.ok(imports.length >= 40, String(imports.length));
        for (const floor of ["config", "regions", "services", "tools", "bootstrap"]) {
            assert.ok(
                imports.some((i) => i.from === floor),
                floor,
            );
        }
    });

    it("has no import up a floor or across one, and facts imports nothing of the program's", () => {
        const wrong = imports.filter((i) => FLOORS[i.to] === undefined || FLOORS[i.to]! >= FLOORS[i.from]!);
        assert.deepEqual(
            wrong.map((i) => `${i.file} imports ${i.to}`),
            [],
        );
    });
});
