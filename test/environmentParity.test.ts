/**
 * Parity across environments (issue #18): stage-<region> may differ from prod-<region> only in
 * the keys config/keys.ts marks PER_ENVIRONMENT; `npm run parity` prints each difference with its verdict.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS, PER_ENVIRONMENT } from "../config";
import { compareEnvironments, environmentPairs } from "../tools/environmentParity";
import { main as parityMain } from "../tools/parity";
import { setStackValue } from "../tools/stackFile";
import { listStacks, resolveStackConfig } from "../tools/stacks";
import { copyStackFiles, testIo } from "./support/fixtures";

async function parity(root: string) {
    const io = testIo({ root });
    const code = await parityMain([], io);
    return { code, text: io.text() };
}

describe("parity across environments: stage against prod, key by key", () => {
    it("pairs each stage stack with the prod stack of its region suffix; the rehearsal fleet is not an environment", () => {
        assert.deepEqual(environmentPairs(listStacks()), {
            pairs: [
                ["stage-eu", "prod-eu"],
                ["stage-us", "prod-us"],
            ],
            unpaired: [],
        });
        assert.deepEqual(environmentPairs(["stage-us", "prod-us", "prod-ap", "stage-sa", "ci-us"]).unpaired, ["stage-sa", "prod-ap"]);
    });

    it("the stack files pass: stage differs from prod in per-environment keys only, and each difference is printed with why", async () => {
        const { code, text } = await parity(copyStackFiles());
        assert.equal(code, 0, text);
        assert.match(text, /^prod-us against stage-us: only per-environment keys differ$/m);
        assert.match(
            text,
            /^ {2}accountId: 210987654321 in stage-us, 123456789012 in prod-us: allowed, per environment: each environment has its own AWS account$/m,
        );
        assert.match(text, /^ {2}maxReplicas: 4 in stage-us, 10 in prod-us: allowed, per environment: a size$/m);
        assert.match(text, /^ {2}the same in both: region, role, kubernetesVersion, /m);
    });

    for (const [key, value] of [
        ["kubernetesVersion", "1.34"],
        ["metricsServerVersion", "v0.8.0-eksbuild.3"],
        ["healthCheckPath", "/healthz"],
        ["backendImage", "sample-app-backend:1.0.1"],
    ] as const) {
        it(`fails when stage-eu's ${key} differs from prod-eu's, naming the key`, async () => {
            const root = copyStackFiles();
            setStackValue("stage-eu", `multiregion:${key}`, value, root);
            const { code, text } = await parity(root);
            assert.equal(code, 1, text);
            assert.match(text, /^prod-eu against stage-eu: 1 key\(s\) differ that must not$/m);
            assert.match(
                text,
                new RegExp(`^ {2}${key}: .* in stage-eu, .* in prod-eu: must be the same: change both files in one pull request$`, "m"),
            );
        });
    }

    it("passes a per-environment key that differs, and fails a region that skips stage", async () => {
        const root = copyStackFiles();
        for (const stack of ["stage-us", "stage-eu"]) setStackValue(stack, "multiregion:logRetentionDays", 7, root);
        assert.equal((await parity(root)).code, 0);
        fs.rmSync(path.join(root, "Pulumi.stage-eu.yaml"));
        const { code, text } = await parity(root);
        assert.equal(code, 1);
        assert.match(
            text,
            /^prod-eu has no counterpart of the same region suffix in stage and prod: every region goes through each environment$/m,
        );
    });

    it("marks only real keys, and compares every key of the table", () => {
        for (const key of Object.keys(PER_ENVIRONMENT)) assert.ok(key in CONFIG_KEYS, key);
        const verdicts = compareEnvironments("multiregion", resolveStackConfig("stage-us"), resolveStackConfig("prod-us"));
        assert.deepEqual(verdicts.map((v) => v.key).sort(), Object.keys(CONFIG_KEYS).sort());
        assert.ok(verdicts.every((v) => v.ok));
    });
});
