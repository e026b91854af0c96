/**
 * Writes the key table out for its two readers: the `config:` block of Pulumi.yaml,
 * which the Pulumi CLI checks types and required keys against, and docs/config.md.
 * `npm run gen:config` writes both; a test fails when either is out of date.
 */
import YAML from "yaml";
import { CONFIG_GROUPS } from "./keys";
import { PER_ENVIRONMENT } from "./perEnvironment";
import type { ConfigKey, Key } from "./keys";

type AnyKey = Key<unknown>;

/** Each group's title, keys, and the page under docs/ that explains it, if any. */
function groups(): { title: string; keys: [string, AnyKey][]; more?: string }[] {
    return CONFIG_GROUPS.map((g) => ({
        title: g.title,
        keys: Object.entries(g.keys as Record<string, AnyKey>),
        ...("more" in g ? { more: g.more } : {}),
    }));
}

/** The `config:` block: every key's type, description and default, grouped under banners. */
export function pulumiConfigBlock(): string {
    const doc = new YAML.Document({ config: {} });
    const config = doc.get("config") as YAML.YAMLMap;
    for (const { title, keys } of groups()) {
        for (const [i, [name, spec]] of keys.entries()) {
            const decl: Record<string, unknown> = { type: spec.type };
            if (spec.type === "array") decl.items = { type: "string" };
            decl.description = spec.description;
            if (spec.default !== undefined)
                decl.default = Array.isArray(spec.default) ? doc.createNode(spec.default, { flow: true }) : spec.default;
            const pair = doc.createPair(name, decl);
            if (i === 0) (pair.key as YAML.Scalar).commentBefore = ` ---- ${title} ----`;
            config.add(pair);
        }
    }
    return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** Pulumi.yaml with its `config:` block regenerated; everything above the block is kept. */
export function withConfigBlock(pulumiYaml: string): string {
    const at = pulumiYaml.search(/^config:/m);
    return `${at < 0 ? `${pulumiYaml.trimEnd()}\n` : pulumiYaml.slice(0, at)}${pulumiConfigBlock()}`;
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|");
}

function defaultCell(spec: AnyKey): string {
    if (spec.default === undefined) return "required";
    return `\`${typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default)}\``;
}

/** docs/config.md: one table per concern, unpadded, so an edit changes one row. */
export function configReference(project: string): string {
    const lines = [
        "# Config reference",
        "",
        "<!-- Generated from config/keys.ts by `npm run gen:config`; edit the table there, not here. -->",
        "",
        `Keys live in the \`${project}:\` namespace. Each \`Pulumi.<stack>.yaml\` sets every key, with a comment;`,
        "`Pulumi.yaml` declares each with its type, default and description, and the CLI fills in the",
        "default for a key a stack file leaves out. A bad value stops the program before anything is",
        "created, with every problem listed at once, each naming the key, the value and what is allowed.",
        "A key in another namespace than the project's or a provider's (`aws:`, `kubernetes:`, `pulumi:`) is",
        "refused, as is a key without one (the Pulumi CLI refuses those itself); an unknown key close to a",
        'known one is named next to it ("did you mean").',
        "",
        "**Per environment** marks the keys an environment (the `stage` fleet, the `prod` fleet) sets its own",
        "way, and why. Every other key must hold the same value in `stage-<region>` as in `prod-<region>`, so a",
        "change to it reaches prod only as it already ran in stage; `npm run parity` checks that.",
    ];
    for (const { title, keys, more } of groups()) {
        lines.push("", `## ${title}`, "");
        if (more) lines.push(`Explained in [${more.split("#")[0]}](${more}).`, "");
        lines.push("| Key | Type | Default | Per environment | Meaning |", "| --- | --- | --- | --- | --- |");
        for (const [name, spec] of keys) {
            const own = PER_ENVIRONMENT[name as ConfigKey];
            lines.push(
                `| \`${name}\` | ${spec.type} | ${defaultCell(spec)} | ${own ? `yes: ${cell(own)}` : "no"} | ${cell(spec.description)} |`,
            );
        }
    }
    return `${lines.join("\n")}\n`;
}
