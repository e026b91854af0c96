/** The Pulumi stacks the tools drive: through the Automation API for real, a fake in tests. */
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

export interface HealthProbe {
    /** True when `url` answers 2xx within a few seconds. */
    healthy(url: string): Promise<boolean>;
}

export const httpProbe: HealthProbe = {
    async healthy(url) {
        try {
            return (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
        } catch {
            return false;
        }
    },
};
