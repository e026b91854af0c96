/**
 * How a key turns the CLI's raw string into a typed value, or says what is allowed.
 * Every problem reads `got <value>; allowed: <what>`; the parser prefixes the key.
 */

export type KeyType = "string" | "integer" | "boolean" | "array";

/** A key's value as YAML holds it, for its declared type: what `Pulumi.yaml` defaults are written as. */
export type YamlValue<T extends KeyType> = T extends "integer"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "array"
        ? string[]
        : string;

export type Parsed<V> = { readonly value: V } | { readonly problems: string[] };

/** A value kind: its type in `Pulumi.yaml` and how to read it. */
export interface Kind<V, T extends KeyType = KeyType> {
    readonly type: T;
    readonly parse: (raw: string) => Parsed<V>;
}

export function invalid(got: unknown, allowed: string): { problems: string[] } {
    return { problems: [`got ${JSON.stringify(got)}; allowed: ${allowed}`] };
}

/** A string that passes `rule`, optionally normalised by `as`. */
export function text(rule: (v: string) => boolean, allowed: string): Kind<string, "string">;
export function text<V>(rule: (v: string) => boolean, allowed: string, as: (v: string) => V): Kind<V, "string">;
export function text<V>(rule: (v: string) => boolean, allowed: string, as?: (v: string) => V): Kind<V | string, "string"> {
    return { type: "string", parse: (raw) => (rule(raw) ? { value: as ? as(raw) : raw } : invalid(raw, allowed)) };
}

export function oneOf<T extends string>(options: readonly T[]): Kind<T, "string"> {
    const allowed = options.map((o) => JSON.stringify(o)).join(" or ");
    return { type: "string", parse: (raw) => ((options as readonly string[]).includes(raw) ? { value: raw as T } : invalid(raw, allowed)) };
}

export function integer(min: number, max: number): Kind<number, "integer"> {
    const allowed = max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    return {
        type: "integer",
        parse: (raw) => {
            const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
            return Number.isInteger(n) && n >= min && n <= max ? { value: n } : invalid(raw, allowed);
        },
    };
}

/** An integer from a short list, such as 10 or 30. */
export function integerOf<T extends number>(options: readonly T[]): Kind<T, "integer"> {
    const allowed = options.join(" or ");
    return {
        type: "integer",
        parse: (raw) => (options.some((o) => String(o) === raw) ? { value: Number(raw) as T } : invalid(raw, allowed)),
    };
}

export function flag(): Kind<boolean, "boolean"> {
    return {
        type: "boolean",
        parse: (raw) => (raw === "true" ? { value: true } : raw === "false" ? { value: false } : invalid(raw, "true or false")),
    };
}

/** A JSON list of distinct strings that each pass `rule`. */
export function list(rule: (item: string) => boolean, allowed: string, minItems = 0): Kind<string[], "array"> {
    const listAllowed = `a list${minItems > 0 ? ` of at least ${minItems}` : ""} of ${allowed}`;
    return {
        type: "array",
        parse: (raw) => {
            let parsed: unknown;
            try {
                parsed = JSON.parse(raw);
            } catch {
                parsed = undefined;
            }
            if (!Array.isArray(parsed) || parsed.length < minItems) return invalid(raw, listAllowed);
            const bad = parsed.filter((item) => typeof item !== "string" || !rule(item));
            if (bad.length > 0) return invalid(bad.length === 1 ? bad[0] : bad, listAllowed);
            const dupes = parsed.filter((item, i) => parsed.indexOf(item) !== i);
            if (dupes.length > 0) return invalid(dupes, `${listAllowed}, without duplicates`);
            return { value: parsed as string[] };
        },
    };
}

/** A kind read by `kind`, then checked or reshaped by `next`. */
export function then<V, W, T extends KeyType>(kind: Kind<V, T>, next: (value: V) => Parsed<W>): Kind<W, T> {
    return {
        type: kind.type,
        parse: (raw) => {
            const parsed = kind.parse(raw);
            return "problems" in parsed ? parsed : next(parsed.value);
        },
    };
}
