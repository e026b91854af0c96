import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../tools/stacks";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const DOCS = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
const PAGES = ["README.md", ...DOCS];
const scripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

describe("docs", () => {
    it("the README fits on a screen: at most 150 lines", () => {
        assert.ok(read("README.md").split("\n").length <= 150);
    });

    it("the README gives the two set-up commands, the second being the test command .ci/run ends with", () => {
        const ci = read(".ci/run").trim().split("\n");
        assert.equal(ci.at(-1), "npm test");
        assert.match(
            read("README.md"),
            /^```sh\nnpm ci && npm run plan +# the main job, offline[^\n]*\nnpm test +# the whole test suite, offline\n```$/m,
        );
    });

    it("the README links every page under docs/, and only pages that exist", () => {
        const linked = [...read("README.md").matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]);
        assert.deepEqual([...new Set(linked)].sort(), [...DOCS].sort());
        assert.deepEqual(DOCS.sort(), [
            "docs/alarms.md",
            "docs/bootstrap.md",
            "docs/cicd.md",
            "docs/config.md",
            "docs/deploying.md",
            "docs/drill.md",
            "docs/iam.md",
            "docs/runbook.md",
            "docs/services.md",
        ]);
    });

    for (const page of PAGES) {
        it(`${page}: every relative link resolves and every npm script it names exists`, () => {
            const text = read(page);
            for (const [, target] of text.matchAll(/\]\(((?!https?:|#|mailto:)[^)#]+)(#[^)]*)?\)/g)) {
                assert.ok(fs.existsSync(path.join(ROOT, path.dirname(page), target!)), `${page} links to ${target}`);
            }
            for (const [, script] of text.matchAll(/npm run (?:-s )?([\w:-]+)/g))
                assert.ok(scripts.includes(script!), `${page}: npm run ${script}`);
        });

        it(`${page}: tables stay unpadded, so an edit changes one row`, () => {
            const padded = read(page)
                .split("\n")
                .filter((l) => l.startsWith("|") && /\S {2,}\|| \| {2,}|-{4,}/.test(l));
            assert.deepEqual(padded, []);
        });
    }
});
