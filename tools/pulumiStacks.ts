/** The Pulumi stacks the tools drive: through the Automation API for real, a fake in tests. */
import { execFile } from "node:child_process";
import * as https from "node:https";
import { promisify } from "node:util";
import { automation } from "@pulumi/pulumi";

/** What a targeted operation touches: URNs, and nothing else in the stack. */
export interface UpdateOptions {
    readonly target?: string[];
}

export interface StackBackend {
    /** Whether the stack exists in the Pulumi backend. */
    exists(stack: string): Promise<boolean>;
    /** `pulumi up` with the stack file's current config; `target` limits it to those URNs. */
    up(stack: string, opts?: UpdateOptions): Promise<void>;
    /** `pulumi preview`; resolves with how many resources would change. */
    preview(stack: string, opts?: UpdateOptions): Promise<number>;
    /** The stack's outputs after its last update. */
    outputs(stack: string): Promise<Record<string, unknown>>;
    /** A stack tag's value, undefined when the stack has no such tag. */
    tag(stack: string, key: string): Promise<string | undefined>;
    /** Sets a stack tag, or removes it when `value` is undefined. */
    setTag(stack: string, key: string, value: string | undefined): Promise<void>;
}

/**
 * The Pulumi organisation stack names are qualified with: `PULUMI_ORG`, as CI sets it from
 * one repository variable, else the CLI's default org (`pulumi org get-default`).
 */
export async function pulumiOrg(env: Readonly<Record<string, string | undefined>>): Promise<string> {
    const fromEnv = env.PULUMI_ORG?.trim();
    if (fromEnv) return fromEnv;
    const { stdout } = await promisify(execFile)("pulumi", ["org", "get-default"]);
    return stdout.trim();
}

/** The Pulumi Automation API, on the stacks of this project folder, qualified with the org. */
export function automationBackend(root: string, env: Readonly<Record<string, string | undefined>>): StackBackend {
    const { LocalWorkspace } = automation;
    let org: Promise<string> | undefined;
    const qualified = async (stack: string) => `${await (org ??= pulumiOrg(env))}/${stack}`;
    // Each of these runs the Pulumi CLI: list the stacks once, and select each stack once.
    let listed: Promise<string[]> | undefined;
    const listStacks = async () => (await LocalWorkspace.create({ workDir: root })).listStacks().then((all) => all.map((s) => s.name));
    const selected = new Map<string, Promise<automation.Stack>>();
    const select = (stack: string) => {
        if (!selected.has(stack))
            selected.set(
                stack,
                qualified(stack).then((stackName) => LocalWorkspace.selectStack({ stackName, workDir: root })),
            );
        return selected.get(stack)!;
    };
    const print = { onOutput: (out: string) => process.stdout.write(out) };
    return {
        async exists(stack) {
            const name = await qualified(stack);
            return (await (listed ??= listStacks())).some((s) => s === name || s === stack);
        },
        async up(stack, opts = {}) {
            await (await select(stack)).up({ ...print, target: opts.target });
        },
        async preview(stack, opts = {}) {
            const result = await (await select(stack)).preview({ ...print, target: opts.target });
            return Object.entries(result.changeSummary)
                .filter(([op]) => op !== "same")
                .reduce((sum, [, n]) => sum + (n ?? 0), 0);
        },
        async outputs(stack) {
            const outputs = await (await select(stack)).outputs();
            return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, o.value]));
        },
        async tag(stack, key) {
            const tags = await (await select(stack)).workspace.listTags(await qualified(stack));
            return tags[key];
        },
        async setTag(stack, key, value) {
            const s = await select(stack);
            const name = await qualified(stack);
            await (value === undefined ? s.workspace.removeTag(name, key) : s.workspace.setTag(name, key, value));
        },
    };
}

/** One region's endpoint: the public name's URL, reached at that region's load balancer. */
export interface RegionEndpoint {
    /** `https://app.example.com/health`: the name the certificate is checked against. */
    readonly url: string;
    /** The region's load balancer hostname, where the connection goes. */
    readonly connectTo: string;
}

export interface HealthProbe {
    /** True when the endpoint answers 2xx within a few seconds, over TLS verified for the public name. */
    healthy(endpoint: RegionEndpoint): Promise<boolean>;
}

/** `curl --connect-to`: TLS and Host for the public name, the TCP connection to one region. */
export const httpsProbe: HealthProbe = {
    healthy({ url, connectTo }) {
        const target = new URL(url);
        return new Promise((resolve) => {
            const req = https.get(
                {
                    host: connectTo,
                    servername: target.hostname,
                    headers: { host: target.host },
                    path: `${target.pathname}${target.search}`,
                    timeout: 5000,
                },
                (res) => {
                    res.resume();
                    resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
                },
            );
            req.on("timeout", () => req.destroy(new Error("timed out")));
            req.on("error", () => resolve(false));
        });
    },
};
