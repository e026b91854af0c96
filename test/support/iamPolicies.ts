/**
 * The IAM policy files in iam/, and a small evaluator that answers what they allow the way IAM
 * evaluates identity-based policies: an explicit Deny wins, then any Allow, else an implicit deny
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * It knows only the condition operators these files use, and fails on any other.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../../tools/stacks";
import { mockName } from "./fixtures";
import type { ProgramRun, ResourceRecord } from "./run";

export const IAM_DIR = "iam";

/** Context values: a string for single-valued keys, a list for multivalued ones. */
export type Context = Record<string, string | string[]>;

export interface Statement {
    readonly Sid?: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | string[];
    readonly NotAction?: string | string[];
    readonly Resource?: string | string[];
    readonly NotResource?: string | string[];
    readonly Principal?: Record<string, string | string[]>;
    readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
    readonly Version: string;
    readonly Statement: Statement[];
}

/** A question for a policy: may `action` be done to `resource` (default "*") in this context? */
export interface Request {
    readonly action: string;
    readonly resource?: string;
    readonly context?: Context;
}

export const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : ([value].flat() as T[]));

/** The files under iam/, sorted. */
export function policyFiles(): string[] {
    return fs
        .readdirSync(path.join(ROOT, IAM_DIR))
        .filter((f) => !f.startsWith("."))
        .sort();
}

export function readPolicyText(file: string): string {
    return fs.readFileSync(path.join(ROOT, IAM_DIR, file), "utf8");
}

/** A policy file, its `<PLACEHOLDER>`s replaced by `values` (the way docs/iam.md's sed does). */
export function readPolicy(file: string, values: Record<string, string> = {}): PolicyDocument {
    let text = readPolicyText(file);
    for (const [name, value] of Object.entries(values)) text = text.split(`<${name}>`).join(value);
    return JSON.parse(text) as PolicyDocument;
}

/** The `<NAME>` placeholders a text holds. */
export function placeholdersIn(text: string): string[] {
    return [...new Set([...text.matchAll(/<([A-Z_]+)>/g)].map((m) => m[1]!))].sort();
}

/** IAM's wildcards: `*` any run of characters, `?` one. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
    const body = [...pattern].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
    return new RegExp(`^${body}$`, ignoreCase ? "i" : "").test(value);
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
    StringEquals: (e, a) => e === a,
    StringLike: (e, a) => wildcard(e, a),
    ArnEquals: (e, a) => e === a,
    ArnLike: (e, a) => wildcard(e, a),
    Bool: (e, a) => e.toLowerCase() === a.toLowerCase(),
};

/**
 * Negated operators hold when no value matches, and when the key is absent: "a negated matching
 * condition operator" is true for a missing key
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
 */
const NEGATED: Record<string, string> = {
    StringNotEquals: "StringEquals",
    StringNotLike: "StringLike",
    ArnNotEquals: "ArnEquals",
    ArnNotLike: "ArnLike",
};

/**
 * One condition. A single-valued key that is absent fails; `ForAllValues` holds when every value
 * matches, which an absent key satisfies, as in IAM; `ForAnyValue` needs one match.
 */
function holds(operator: string, key: string, expected: string | string[], context: Context): boolean {
    const [qualifier, name] = operator.includes(":") ? operator.split(":") : [undefined, operator];
    // "Null": true when the key is absent from the request, false when it is present.
    if (name === "Null") {
        if (qualifier !== undefined) throw new Error(`the evaluator does not know ${operator}; teach it before using it`);
        const absent = list(context[key]).length === 0;
        return list(expected).some((e) => (e.toLowerCase() === "true") === absent);
    }
    const positive = NEGATED[name ?? ""];
    if (positive) {
        // ForAllValues: no value of the request matches any listed value (true for none at all).
        const matchesAny = (a: string) => list(expected).some((e) => OPERATORS[positive]!(e, a));
        if (qualifier === "ForAllValues") return list(context[key]).every((a) => !matchesAny(a));
        if (qualifier !== undefined) throw new Error(`the evaluator does not know ${operator}; teach it before using it`);
        return !holds(positive, key, expected, context);
    }
    const test = OPERATORS[name ?? ""];
    if (!test) throw new Error(`the evaluator does not know the condition operator ${operator}; teach it before using it`);
    const matches = (actual: string) => list(expected).some((e) => test(e, actual));
    const actual = list(context[key]);
    if (qualifier === "ForAllValues") return actual.every(matches);
    if (qualifier === "ForAnyValue") return actual.some(matches);
    if (qualifier !== undefined) throw new Error(`unknown condition qualifier ${qualifier}`);
    return actual.length > 0 && actual.some(matches);
}

/**
 * A resource with its policy variables replaced from the request's context; a variable the request
 * lacks matches nothing (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
 */
function resolved(resource: string, context: Context): string | undefined {
    let missing = false;
    const text = resource.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
        const value = list(context[key])[0];
        if (value === undefined) missing = true;
        return value ?? "";
    });
    return missing ? undefined : text;
}

function applies(statement: Statement, request: Request): boolean {
    if (statement.NotAction) throw new Error(`${statement.Sid ?? "a statement"} uses NotAction`);
    if (!list(statement.Action).some((a) => wildcard(a, request.action, true))) return false;
    const matching = (patterns: string | string[] | undefined) =>
        list(patterns).some((r) => {
            const pattern = resolved(r, request.context ?? {});
            return pattern !== undefined && wildcard(pattern, request.resource ?? "*");
        });
    // NotResource: every resource but those (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html).
    if (statement.NotResource !== undefined && matching(statement.NotResource)) return false;
    const resources = list(statement.Resource);
    // Trust policies name a Principal instead of a Resource.
    if (resources.length > 0 && !matching(resources)) return false;
    return Object.entries(statement.Condition ?? {}).every(([operator, block]) =>
        Object.entries(block).every(([key, expected]) => holds(operator, key, expected, request.context ?? {})),
    );
}

export type Decision = "allow" | "deny" | "implicit";

export function evaluate(policy: PolicyDocument, request: Request): Decision {
    const matching = policy.Statement.filter((s) => applies(s, request));
    if (matching.some((s) => s.Effect === "Deny")) return "deny";
    return matching.some((s) => s.Effect === "Allow") ? "allow" : "implicit";
}

/** What a role with `policy` and the permissions boundary `boundary` may do: both must allow. */
export function allowedWithin(policy: PolicyDocument, boundary: PolicyDocument, request: Request): boolean {
    return evaluate(policy, request) === "allow" && evaluate(boundary, request) === "allow";
}

/** Every action pattern of the policy's statements with this effect. */
export function actionsOf(policy: PolicyDocument, effect: Statement["Effect"]): string[] {
    return policy.Statement.filter((s) => s.Effect === effect).flatMap((s) => list(s.Action));
}

/** The service prefix of an action pattern: `ec2` for `ec2:Describe*`. */
export const serviceOf = (action: string) => action.split(":")[0]!;

/** Facts about one created resource that its IAM checks need. */
export interface ResourceFacts {
    readonly region: string;
    readonly account: string;
    /** Its physical name: the one it is given, or the auto-name the mocks make. */
    readonly name: string;
    readonly id: string;
    /** Its tags, or the stack's, for types that take none (their parents carry them). */
    readonly tags: Record<string, string>;
    readonly inputs: Record<string, any>;
    readonly outputs: Record<string, any>;
    /** For role policies and attachments: the ARN of the role they belong to. */
    readonly roleArn?: string;
    /** For role policies and attachments: that role's permissions boundary, which IAM checks them against. */
    readonly roleBoundary?: string;
}

/** A role's ARN as IAM writes it: the path is part of it. */
export function roleArnOf(account: string, role: ResourceRecord): string {
    return `arn:aws:iam::${account}:role${role.inputs.path ?? "/"}${role.outputs.name ?? mockName(role.name)}`;
}

export function factsOf(run: ProgramRun, record: ResourceRecord): ResourceFacts {
    // A provider reference is `<urn>::<id>`, and a URN has `::` of its own.
    const provider = run.resources.byUrn(record.provider.slice(0, record.provider.lastIndexOf("::")));
    const account = run.settings.accountId;
    const role = record.inputs.role
        ? run.resources.ofType("aws:iam/role:Role").find((r) => (r.outputs.name ?? mockName(r.name)) === record.inputs.role)
        : undefined;
    return {
        region: provider?.inputs.region ?? run.settings.region,
        account,
        name: record.inputs.name ?? record.outputs.name ?? mockName(record.name),
        id: record.id,
        tags: record.inputs.tags ?? run.settings.tags,
        inputs: record.inputs,
        outputs: record.outputs,
        roleArn: role && roleArnOf(account, role),
        roleBoundary: role?.inputs.permissionsBoundary,
    };
}
