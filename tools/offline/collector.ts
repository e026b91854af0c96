/**
 * Records every resource the program registers, with its inputs and options, and every
 * value the mocks invent, so a plan can mark what AWS would assign instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const ACCOUNT_ID = "123456789012";

/** One registered resource, as the engine would receive it. */
export interface ResourceRecord {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** The id the mocked provider returned. */
    readonly id: string;
    /** URN of the parent; the stack's own URN for top-level resources. */
    readonly parent: string;
    readonly custom: boolean;
    /** `urn::id` of the provider, or "" for the default one. */
    readonly provider: string;
    readonly inputs: Record<string, any>;
    /** What the mocked provider returned: the inputs plus computed outputs such as `arn`. */
    readonly outputs: Record<string, any>;
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly dependencies: string[];
    /** The `import` option: the ID of an existing resource to adopt. */
    readonly importId: string;
    readonly retainOnDelete: boolean;
    readonly replaceOnChanges: string[];
    readonly deleteBeforeReplace: boolean;
}

export class Collector {
    readonly resources: ResourceRecord[] = [];
    /** The token of every invoke the program made, in order, answered or not. */
    readonly calls: string[] = [];
    readonly failedCalls: string[] = [];
    /** Every string the mocks made up in place of what AWS would assign. */
    readonly invented = new Set<string>();

    /** Records a made-up value and returns it. */
    invent<T extends string>(value: T): T {
        this.invented.add(value);
        return value;
    }

    /** True when a value holds anything the mocks made up. */
    isPlaceholder(value: unknown): boolean {
        const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
        for (const made of this.invented) if (text.includes(made)) return true;
        return false;
    }
    /** Outputs each component registered, by URN, with secrets still marked. */
    readonly registeredOutputs = new Map<string, Record<string, any>>();

    ofType(type: string): ResourceRecord[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of `type` named `name`; fails when there is not exactly one. */
    get(type: string, name: string): ResourceRecord {
        const found = this.resources.filter((r) => r.type === type && r.name === name);
        if (found.length !== 1) {
            const names = this.ofType(type).map((r) => r.name);
            throw new Error(`expected one ${type} named ${name}, found ${found.length}; that type has: ${names.join(", ")}`);
        }
        return found[0]!;
    }

    byUrn(urn: string): ResourceRecord | undefined {
        return this.resources.find((r) => r.urn === urn);
    }

    /** `urn::id`, the form a resource's `provider` field takes. */
    providerRef(record: ResourceRecord): string {
        return `${record.urn}::${record.id}`;
    }
}

let current: Collector | undefined;
let patched = false;

/** Records options the mock API does not pass to `newResource`: parent, protect, ignoreChanges. */
function patchMonitor(): void {
    if (patched) return;
    patched = true;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the monitor as `this`
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = async function (this: MockMonitor, req: any, callback: any) {
        await original.call(this, req, (err: unknown, response: any) => {
            if (!err && current) {
                const urn: string = response.getUrn();
                current.resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn,
                    id: response.getId(),
                    parent: req.getParent(),
                    custom: req.getCustom(),
                    provider: req.getProvider(),
                    inputs: pulumi.runtime.deserializeProperties(req.getObject()),
                    outputs: pulumi.runtime.deserializeProperties(response.getObject()),
                    protect: req.getProtect() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    dependencies: req.getDependenciesList(),
                    importId: req.getImportid(),
                    retainOnDelete: req.getRetainondelete() === true,
                    replaceOnChanges: req.getReplaceonchangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                });
            }
            callback(err, response);
        });
    };
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the monitor as `this`
    const originalOutputs = MockMonitor.prototype.registerResourceOutputs;
    MockMonitor.prototype.registerResourceOutputs = function (this: MockMonitor, req: any, callback: any) {
        current?.registeredOutputs.set(req.getUrn(), pulumi.runtime.deserializeProperties(req.getOutputs()));
        return originalOutputs.call(this, req, callback);
    };
}

/** True when a recorded value is wrapped as a Pulumi secret. */
export function isSecretValue(value: unknown): boolean {
    const { specialSigKey, specialSecretSig } = pulumi.runtime;
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/** The plain value inside a recorded secret, or the value itself. */
export function unwrapSecret(value: any): any {
    return isSecretValue(value) ? value.value : value;
}

export function startCollecting(): Collector {
    patchMonitor();
    current = new Collector();
    return current;
}
