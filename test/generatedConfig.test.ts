import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_KEYS } from "../config";
import { main as genConfig, generatedFiles } from "../tools/genConfig";
import { canonicalStackFile } from "../tools/stackFile";
import { listStacks, readProject, ROOT, stackFilePath } from "../tools/stacks";
import { copyStackFiles, testIo } from "./support/fixtures";

const project = readProject().name;

describe("config generated from the key table", () => {
    for (const [file, text] of Object.entries(generatedFiles(ROOT))) {
        it(`${path.relative(ROOT, file)} is up to date (npm run gen:config)`, () => {
            assert.equal(fs.readFileSync(file, "utf8"), text);
        });
    }

    it("Pulumi.yaml declares exactly the table's keys, with the same type, default and description", () => {
        const fromTable = Object.entries(CONFIG_KEYS).map(([key, spec]) => [
            `${project}:${key}`,
            spec.type,
            spec.default,
            spec.description,
        ]);
        const fromYaml = Object.entries(readProject().config).map(([key, decl]) => [
            key,
            decl.type,
            decl.default,
            (decl as { description?: string }).description,
        ]);
        assert.deepEqual(fromYaml, fromTable);
    });

    it("--check fails on a stale file and names it; without it, the file is rewritten", async () => {
        const dir = copyStackFiles();
        fs.writeFileSync(
            path.join(dir, "Pulumi.yaml"),
            fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").replace("2 to 6.", "two to six."),
        );
        const check = testIo({ root: dir });
        assert.equal(await genConfig(["--check"], check), 1);
        assert.deepEqual(check.errors, [
            "Pulumi.yaml is out of date; run npm run gen:config",
            "docs/config.md is out of date; run npm run gen:config",
        ]);
        const write = testIo({ root: dir });
        assert.equal(await genConfig([], write), 0);
        assert.equal(await genConfig(["--check"], testIo({ root: dir })), 0);
        assert.match(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"), /spread subnets and nodes over, 2 to 6\./);
    });

    for (const stack of listStacks()) {
        it(`${stack}'s stack file sets every key, each with a comment, in the form the stack-file editor writes`, () => {
            const text = fs.readFileSync(stackFilePath(stack), "utf8");
            const lines = text.split("\n").filter((l) => /^\s+\S+:/.test(l));
            assert.deepEqual(
                lines.map((l) => l.trim().split(":").slice(0, 2).join(":")),
                Object.keys(readProject().config),
            );
            for (const line of lines) assert.match(line, /\s#\s\S/, `no comment on: ${line}`);
            assert.equal(canonicalStackFile(text), text, "an edit by the switchover would reformat this file");
        });
    }

    it("the stack files differ only in values: same keys, same comments, same order", () => {
        const shape = (stack: string) =>
            fs
                .readFileSync(stackFilePath(stack), "utf8")
                .split("\n")
                .filter((l) => /^\s+\S+:/.test(l))
                .map((l) => `${l.trim().split(":").slice(0, 2).join(":")} ${l.slice(l.indexOf(" # "))}`);
        const [first, ...rest] = listStacks();
        for (const stack of rest) assert.deepEqual(shape(stack), shape(first!));
    });
});
