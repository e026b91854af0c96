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

export interface HostedZone {
    readonly zoneId: string;
    readonly name: string;
    readonly privateZone: boolean;
}

export interface MockOptions {
    /** AWS region the stack runs in; invoke answers are shaped by it. */
    readonly region: string;
    /** Zones the region offers; three by default, as us-east-2 and eu-west-1 do. */
    readonly zones?: string[];
    /** Route 53 zones the account has; by default one public `example.com`. */
    readonly hostedZones?: HostedZone[];
}

export const PLACEHOLDER_ZONE_ID = "Z0123456789EXAMPLE";
export const EXAMPLE_ZONE: HostedZone = { zoneId: PLACEHOLDER_ZONE_ID, name: "example.com", privateZone: false };

/** Strings the mocks make up in place of what AWS would assign; a plan marks values holding them. */
const PLACEHOLDER_MARKS = [ACCOUNT_ID, "_id", "-0123456", "EXAMPLE0123456789", "0123456789abcdef", PLACEHOLDER_ZONE_ID, "bW9jay1jYQ=="];

/** True when a value contains something the mocks made up. */
export function isPlaceholder(value: unknown): boolean {
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
    return PLACEHOLDER_MARKS.some((mark) => text.includes(mark));
}

/** Route 53's canonical hosted-zone ids of load balancers, by type and region (AWS's published table). */
export const LB_ZONE_IDS: Record<"network" | "application", Record<string, string>> = {
    network: { "us-east-1": "Z26RNL4JYFTOTI", "us-east-2": "ZLMOA37VPKANP", "eu-west-1": "Z2IFOLAFXWLO4F" },
    application: { "us-east-1": "Z35SXDOTRQ7X7K", "us-east-2": "Z3AADJGX6KTTL2", "eu-west-1": "Z32O12XQLNTSW2" },
};

type CallHandler = (inputs: Record<string, any>) => Record<string, unknown>;

function callHandlers(opts: MockOptions): Record<string, CallHandler> {
    const zones = opts.zones ?? ["a", "b", "c"].map((s) => `${opts.region}${s}`);
    return {
        "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
            names: zones,
            zoneIds: zones.map((_, i) => `use2-az${i + 1}`),
            id: opts.region,
        }),
        "aws:route53/getZone:getZone": (inputs) => {
            const zone = (opts.hostedZones ?? [EXAMPLE_ZONE]).find((z) =>
                inputs.zoneId ? z.zoneId === inputs.zoneId : z.name === inputs.name && z.privateZone === (inputs.privateZone ?? false),
            );
            if (!zone) throw new Error(`no matching Route 53 Hosted Zone found for ${JSON.stringify(inputs)}`);
            return { ...zone, id: zone.zoneId, arn: `arn:aws:route53:::hostedzone/${zone.zoneId}` };
        },
        "aws:lb/getHostedZoneId:getHostedZoneId": (inputs) => {
            const type = inputs.loadBalancerType === "network" ? "network" : "application";
            const id = LB_ZONE_IDS[type][opts.region];
            if (!id) throw new Error(`no load balancer zone id for ${opts.region} in the mock`);
            return { id };
        },
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
            // The SDK drops a thrown message, so record it for the runner to report.
            if (!handler) {
                collector.failedCalls.push(`Mock not implemented: ${args.token}`);
                throw new Error(`Mock not implemented: ${args.token}`);
            }
            try {
                return handler(args.inputs);
            } catch (err) {
                collector.failedCalls.push(`${args.token} failed: ${err instanceof Error ? err.message : String(err)}`);
                throw err;
            }
        },
    };
}

export function startCollecting(): Collector {
    patchMonitor();
    current = new Collector();
    return current;
}
