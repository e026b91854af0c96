/**
 * Edits a stack file in place with a comment-preserving YAML document, so every other
 * line and every comment stays. The files are kept in the form this writes (one space
 * before each comment), so an edit changes only the lines it means to.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ROOT, stackFilePath } from "./stacks";

const FORMAT = { flowCollectionPadding: false, lineWidth: 0 } as const;

/** The text as this editor writes it; a stack file that differs would churn on its first edit. */
export function canonicalStackFile(text: string): string {
    return YAML.parseDocument(text).toString(FORMAT);
}

/** Sets scalar keys in a stack file in one write, so it never holds half a change. */
export function setStackValues(stack: string, values: Record<string, string | number | boolean>, root = ROOT): void {
    const file = stackFilePath(stack, root);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    for (const [key, value] of Object.entries(values)) {
        const node = doc.getIn(["config", key], true);
        if (!YAML.isScalar(node)) throw new Error(`${path.basename(file)} has no scalar ${key}`);
        node.value = value;
    }
    fs.writeFileSync(file, doc.toString(FORMAT));
}

/** Sets one scalar key; see setStackValues. */
export function setStackValue(stack: string, key: string, value: string | number | boolean, root = ROOT): void {
    setStackValues(stack, { [key]: value }, root);
}
