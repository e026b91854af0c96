import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../config";
import { ROOT } from "../tools/stackConfig";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("README", () => {
    it("lists every config key in its config reference", () => {
        const table = readme.slice(readme.indexOf("## Config reference"));
        const documented = [...table.matchAll(/^\| `([A-Za-z]+)` +\|/gm)].map((m) => m[1]);
        assert.deepEqual(documented, Object.keys(CONFIG_KEYS));
    });

    it("gives the test command that .ci/run runs, as the last step", () => {
        const ci = fs
            .readFileSync(path.join(ROOT, ".ci", "run"), "utf8")
            .trim()
            .split("\n");
        const last = ci[ci.length - 1]!;
        assert.equal(last, "npm test");
        const setup = readme.slice(readme.indexOf("## Set up on a fresh machine: two commands"));
        assert.match(
            setup,
            /^```sh\nnpm ci && npm run plan +# the main job, offline[^\n]*\nnpm test +# the whole test suite, offline\n```$/m,
        );
    });
});
