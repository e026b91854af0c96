/** The Pulumi stacks the tools drive: through the Automation API for real, a fake in tests. */
import * as https from "node:https";
import { automation } from "@pulumi/pulumi";

export interface StackBackend {
    /** Whether the stack exists in the Pulumi backend. */
    exists(stack: string): Promise<boolean>;
    /** `pulumi up` with the stack file's current config. */
    up(stack: string): Promise<void>;
    /** The stack's outputs after its last update. */
    outputs(stack: string): Promise<Record<string, unknown>>;
}

/** The Pulumi Automation API, on the stacks of this project folder. */
export function automationBackend(root: string): StackBackend {
    const { LocalWorkspace } = automation;
    const workspace = (stack: string) => LocalWorkspace.selectStack({ stackName: stack, workDir: root });
    return {
        async exists(stack) {
            const ws = await LocalWorkspace.create({ workDir: root });
            return (await ws.listStacks()).some((s) => s.name === stack || s.name.endsWith(`/${stack}`));
        },
        async up(stack) {
            await (await workspace(stack)).up({ onOutput: (out) => process.stdout.write(out) });
        },
        async outputs(stack) {
            const outputs = await (await workspace(stack)).outputs();
            return Object.fromEntries(Object.entries(outputs).map(([key, o]) => [key, o.value]));
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
