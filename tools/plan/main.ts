/**
 * `npm run plan -- [--stack prod-us ...] [--format json] [--out DIR]`
 * `npm run plan -- --diff prod-us prod-eu`
 *
 * What each region's stack would create, with no credentials, Pulumi CLI or network:
 * the real `index.ts` with the stack file's config, under the Pulumi mock runtime.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Io, Main, parseCommand, processIo, runMain, UsageError } from "../cli";
import { checkFleets } from "../crossStack";
import { listStacks, requireStack, ROOT, StackFileError } from "../stacks";
import { loadBootstrapStack } from "../../bootstrap/sources";
import { BOOTSTRAP_ROOT } from "../offline/bootstrap";
import { Plan, planBootstrapStack, planStack } from "./build";
import { diffPlans, renderDiff } from "./diff";
import { manifests } from "./manifests";
import { renderText } from "./render";

const USAGE = `usage: npm run plan -- [--stack STACK ...] [--format text|json] [--json-out FILE] [--out DIR]
       npm run plan -- --diff STACK_A STACK_B [--format text|json]
       npm run plan -- --bootstrap [--stack STACK ...] [--format text|json] [--json-out FILE]
  --bootstrap       plan the set-up program's stacks (bootstrap/Pulumi.<stack>.yaml) instead
  --stack STACK     plan this stack only (repeatable); default: every Pulumi.<stack>.yaml.
                    Either way each stack is checked against the other stacks of its fleet.
  --format F        text (default) or json, on stdout (use npm run -s, or npm's banner comes first)
  --json-out FILE   also write the plan as JSON to FILE
  --out DIR         also write every Kubernetes object as YAML under DIR/<stack>/
  --diff A B        how two stacks' plans differ, property by property`;

const SPEC = {
    usage: USAGE,
    options: {
        stack: { type: "string", multiple: true },
        format: { type: "string", default: "text" },
        out: { type: "string" },
        "json-out": { type: "string" },
        diff: { type: "boolean" },
        bootstrap: { type: "boolean" },
    },
    allowPositionals: true,
} as const;

async function diff(stacks: string[], format: string, io: Io): Promise<void> {
    if (stacks.length !== 2) throw new UsageError(`--diff takes two stacks: --diff prod-us prod-eu\n${USAGE}`);
    const a = await planStack(requireStack(stacks[0], io.root), io.root);
    const b = await planStack(requireStack(stacks[1], io.root), io.root);
    const diffs = diffPlans(a, b);
    io.out(format === "json" ? JSON.stringify(diffs, null, 2) : renderDiff(a, b, diffs));
}

/** The bootstrap's stacks; they run only offline here, like the main program's. */
async function bootstrap(stacks: string[] | undefined, format: string, jsonOut: string | undefined, io: Io): Promise<void> {
    const dir = path.join(io.root, path.relative(ROOT, BOOTSTRAP_ROOT));
    const chosen = (stacks ?? listStacks(dir)).map((s) => requireStack(s, dir));
    // Every bootstrap stack file is checked first, as the repository-wide stack reads them all.
    const failed = listStacks(dir).flatMap((s) => {
        try {
            loadBootstrapStack(s, dir, io.root);
            return [];
        } catch (err) {
            if (err instanceof StackFileError) return err.files;
            throw err;
        }
    });
    if (failed.length > 0) throw new StackFileError(failed);
    const plans: Plan[] = [];
    for (const stack of chosen) plans.push(await planBootstrapStack(stack));
    const json = JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2);
    if (jsonOut) fs.writeFileSync(jsonOut, `${json}\n`);
    io.out(format === "json" ? json : plans.map(renderText).join("\n\n"));
}

function writeManifests(plans: Plan[], dir: string): void {
    for (const plan of plans) {
        const stackDir = path.join(dir, plan.stack);
        fs.mkdirSync(stackDir, { recursive: true });
        for (const [file, text] of Object.entries(manifests(plan))) fs.writeFileSync(path.join(stackDir, file), text);
    }
}

export const main: Main = async (argv, io) => {
    const { values, positionals } = parseCommand(argv, SPEC);
    const format = values.format;
    if (format !== "text" && format !== "json") throw new UsageError(`--format is text or json, got ${format}\n${USAGE}`);
    if (values.diff) return diff(positionals, format, io);
    if (values.bootstrap) return bootstrap(values.stack, format, values["json-out"], io);
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}; use --stack\n${USAGE}`);
    const stacks = (values.stack ?? listStacks(io.root)).map((s) => requireStack(s, io.root));
    // Every stack file is checked, and its fleet's rules applied, before anything is planned or written.
    const checked = checkFleets(stacks, io.root);
    const plans: Plan[] = [];
    for (const stack of stacks) plans.push(await planStack(stack, io.root));
    const json = JSON.stringify(plans.length === 1 ? plans[0] : plans, null, 2);
    if (values.out) writeManifests(plans, values.out);
    if (values["json-out"]) fs.writeFileSync(values["json-out"], `${json}\n`);
    if (format === "json") {
        io.out(json);
        for (const line of checked) io.err(line);
    } else {
        io.out([...plans.map(renderText), checked.join("\n")].join("\n\n"));
    }
    if (values.out) {
        io.out(
            `\nKubernetes manifests written to ${values.out}/<stack>/; check them with: kubectl apply --dry-run=server -f ${values.out}/<stack>`,
        );
    }
};

if (require.main === module) runMain(main, processIo(ROOT));
