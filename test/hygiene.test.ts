import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { ROOT } from "../tools/stacks";

/** Source files git knows, program and tools and tests alike. */
const SOURCES = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts", "*.mjs"], {
    cwd: ROOT,
    encoding: "utf8",
})
    .split("\n")
    .filter((f) => f && !f.startsWith("bench/reference/") && fs.existsSync(path.join(ROOT, f)));

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

/** Functions longer than the limit, except mocha's describe/it callbacks, which hold a file's tests. */
function longFunctions(file: string): string[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && "body" in node && node.body) {
            const isTestBlock =
                ts.isCallExpression(node.parent) && /^(describe|it|before|after)/.test(node.parent.expression.getText(source));
            const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
            const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
            if (!isTestBlock && end - start + 1 > MAX_FUNCTION_LINES) found.push(`${file}:${start + 1} is ${end - start + 1} lines`);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

describe("code hygiene", () => {
    it("finds the project's sources", () => assert.ok(SOURCES.length > 40, SOURCES.join(" ")));

    it(`keeps every source file to ${MAX_FILE_LINES} lines`, () => {
        const long = SOURCES.map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8").split("\n").length] as const).filter(
            ([, n]) => n > MAX_FILE_LINES,
        );
        assert.deepEqual(long, []);
    });

    it(`keeps every function to ${MAX_FUNCTION_LINES} lines, tests' describe and it blocks aside`, () => {
        assert.deepEqual(SOURCES.flatMap(longFunctions), []);
    });

    it("the length check does catch a long function", () => {
        const file = "hygiene-probe.tmp.ts";
        fs.writeFileSync(path.join(ROOT, file), `export function long() {\n${"    void 0;\n".repeat(70)}}\n`);
        try {
            assert.deepEqual(longFunctions(file), [`${file}:1 is 72 lines`]);
        } finally {
            fs.rmSync(path.join(ROOT, file));
        }
    });
});
