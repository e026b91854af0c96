/**
 * Pulumi mocks that record every registered resource with its inputs and options,
 * and invoke mocks that answer only the calls the program is known to make.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";

export const ACCOUNT_ID = "123456789012";

/** One registered resource, as the engine would receive it. */
export interface ResourceRecord {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
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
}

export class Collector {
    readonly resources: ResourceRecord[] = [];
    readonly failedCalls: string[] = [];
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
        return `${record.urn}::${record.name}_id`;
    }
}

let current: Collector | undefined;
let patched = false;

/** Records options the mock API does not pass to `newResource`: parent, protect, ignoreChanges. */
function patchMonitor(): void {
    if (patched) return;
    patched = true;
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = async function (this: MockMonitor, req: any, callback: any) {
        await original.call(this, req, (err: unknown, response: any) => {
            if (!err && current) {
                const urn: string = response.getUrn();
                current.resources.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn,
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
                });
            }
            callback(err, response);
        });
    };
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

export interface MockOptions {
    /** AWS region the stack runs in; invoke answers are shaped by it. */
    readonly region: string;
    /** Zones the region offers; three by default, as us-east-2 and eu-west-1 do. */
    readonly zones?: string[];
}

type CallHandler = (inputs: Record<string, any>) => Record<string, unknown>;

function callHandlers(opts: MockOptions): Record<string, CallHandler> {
    const zones = opts.zones ?? ["a", "b", "c"].map((s) => `${opts.region}${s}`);
    return {
        "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
            names: zones,
            zoneIds: zones.map((_, i) => `use2-az${i + 1}`),
            id: opts.region,
        }),
        "aws:eks/getAddonVersion:getAddonVersion": (inputs) => ({
            addonName: inputs.addonName,
            kubernetesVersion: inputs.kubernetesVersion,
            version: `v${inputs.kubernetesVersion}.0-eksbuild.1`,
            id: inputs.addonName,
        }),
    };
}

/** The shape of an internet-facing NLB's DNS name. */
export function nlbHostname(serviceName: string, region: string): string {
    return `${serviceName.slice(0, 20)}-0123456789abcdef.elb.${region}.amazonaws.com`;
}

/** Plausible provider outputs for the few types whose outputs the program reads. */
function outputsFor(args: pulumi.runtime.MockResourceArgs, region: string): Record<string, unknown> {
    const arn = `arn:aws:${args.type.split(":")[1]?.split("/")[0]}:${region}:${ACCOUNT_ID}:${args.name}`;
    if (args.type.startsWith("kubernetes:") && args.type !== "kubernetes:core/v1:Service") return args.inputs;
    const base = { ...args.inputs, arn: args.inputs.arn ?? arn };
    switch (args.type) {
        case "aws:eks/cluster:Cluster":
            return {
                ...base,
                name: args.inputs.name ?? `${args.name}-0123456`,
                endpoint: `https://EXAMPLE0123456789.gr7.${region}.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from("mock-ca").toString("base64") },
            };
        case "aws:iam/role:Role":
            return { ...base, name: args.inputs.name ?? `${args.name}-0123456` };
        case "aws:ecr/repository:Repository":
            return { ...base, repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${args.inputs.name}` };
        case "kubernetes:core/v1:Service":
            return args.inputs.spec?.type === "LoadBalancer"
                ? { ...args.inputs, status: { loadBalancer: { ingress: [{ hostname: nlbHostname(args.inputs.metadata.name, region) }] } } }
                : { ...args.inputs, status: { loadBalancer: {} } };
        default:
            return base;
    }
}

export function createMocks(collector: Collector, opts: MockOptions): pulumi.runtime.Mocks {
    const handlers = callHandlers(opts);
    return {
        newResource: (args) => ({ id: `${args.name}_id`, state: outputsFor(args, opts.region) }),
        call: (args) => {
            const handler = handlers[args.token];
            if (!handler) {
                // The SDK drops a thrown message, so record the token for the runner to report.
                collector.failedCalls.push(args.token);
                throw new Error(`Mock not implemented: ${args.token}`);
            }
            return handler(args.inputs);
        },
    };
}

export function startCollecting(): Collector {
    patchMonitor();
    current = new Collector();
    return current;
}
