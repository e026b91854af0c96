/**
 * `npm run gen:config [-- --check]`: writes the `config:` block of Pulumi.yaml and
 * docs/config.md from the key table in config/keys.ts. `--check` writes nothing and
 * exits 1 when either is out of date.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference, withConfigBlock } from "../config/generate";
import { Main, parseCommand, processIo, runMain } from "./cli";
import { readProject, ROOT } from "./stacks";

const USAGE = `usage: npm run gen:config [-- --check]
  Writes Pulumi.yaml's config: block and docs/config.md from config/keys.ts.
  --check   change nothing; exit 1 when either file is out of date`;

/** Each generated file's path and the text it should hold. */
export function generatedFiles(root: string): Record<string, string> {
    const pulumiYaml = path.join(root, "Pulumi.yaml");
    return {
        [pulumiYaml]: withConfigBlock(fs.readFileSync(pulumiYaml, "utf8")),
        [path.join(root, "docs", "config.md")]: configReference(readProject(root).name),
    };
}

export const main: Main = (argv, io) => {
    const { values } = parseCommand(argv, { usage: USAGE, options: { check: { type: "boolean" } } });
    const stale = Object.entries(generatedFiles(io.root)).filter(
        ([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text,
    );
    for (const [file, text] of stale) {
        const name = path.relative(io.root, file);
        if (values.check) {
            io.err(`${name} is out of date; run npm run gen:config`);
        } else {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, text);
            io.out(`wrote ${name}`);
        }
    }
    return Promise.resolve(values.check && stale.length > 0 ? 1 : 0);
};

if (require.main === module) runMain(main, processIo(ROOT));
