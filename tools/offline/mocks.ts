/**
 * Pulumi mocks that answer only the calls the program is known to make, from AWS's own
 * data where it exists (facts/awsData.ts) and with recorded placeholders where AWS
 * would assign a value.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { AWS_DATA_FILE, COMMERCIAL_REGIONS, zonesOf } from "../../facts/awsData";
import { ACCOUNT_ID, Collector } from "./collector";

export * from "./collector";

export interface HostedZone {
    readonly zoneId: string;
    readonly name: string;
    readonly privateZone: boolean;
}

export interface MockOptions {
    /** AWS region the stack runs in; invoke answers are shaped by it. */
    readonly region: string;
    /** Zones the region offers; by default the ones facts/awsData.ts lists. */
    readonly zones?: string[];
    /** Route 53 zones the account has; by default the public `example.com` and `stage.example.com`. */
    readonly hostedZones?: HostedZone[];
    /** ECR repositories the region has; by default the ones the stack names, as after `npm run images`. */
    readonly repositories?: string[];
    /** The account the stack deploys into, which owns the bootstrap's roles and keys; by default the mocks' own. */
    readonly accountId?: string;
    /** Whether the bootstrap has made the account's workload roles and this cluster's secrets key; by default it has. */
    readonly bootstrapped?: boolean;
    /** Where the fleet's table has replicas, as the bootstrap makes them: every region of the fleet. */
    readonly tableRegions?: string[];
}

export const PLACEHOLDER_ZONE_ID = "Z0123456789EXAMPLE";
export const EXAMPLE_ZONE: HostedZone = { zoneId: PLACEHOLDER_ZONE_ID, name: "example.com", privateZone: false };
/** Stage's own zone, in stage's account, delegated from example.com. */
export const STAGE_ZONE: HostedZone = { ...EXAMPLE_ZONE, name: "stage.example.com" };

/** What AWS answers for a lookup of something that does not exist. */
export class NotFound extends Error {}

type CallHandler = (inputs: Record<string, any>) => Record<string, unknown>;

function regionData(region: string) {
    const data = COMMERCIAL_REGIONS[region];
    if (!data) throw new Error(`no data for region ${region}; add its line to ${AWS_DATA_FILE}`);
    return data;
}

function callHandlers(opts: MockOptions, collector: Collector): Record<string, CallHandler> {
    return {
        "aws:index/getAvailabilityZones:getAvailabilityZones": () => {
            regionData(opts.region);
            return { names: opts.zones ?? zonesOf(opts.region), id: opts.region };
        },
        "aws:route53/getZone:getZone": (inputs) => {
            const zone = (opts.hostedZones ?? [EXAMPLE_ZONE, STAGE_ZONE]).find((z) =>
                inputs.zoneId ? z.zoneId === inputs.zoneId : z.name === inputs.name && z.privateZone === (inputs.privateZone ?? false),
            );
            if (!zone) throw new Error(`no matching Route 53 Hosted Zone found for ${JSON.stringify(inputs)}`);
            if (zone.zoneId === PLACEHOLDER_ZONE_ID) collector.invent(PLACEHOLDER_ZONE_ID);
            return { ...zone, id: zone.zoneId, arn: `arn:aws:route53:::hostedzone/${zone.zoneId}` };
        },
        "aws:lb/getHostedZoneId:getHostedZoneId": (inputs) => {
            const data = regionData(opts.region);
            return { id: inputs.loadBalancerType === "network" ? data.nlb : data.alb };
        },
        "aws:ecr/getRepositories:getRepositories": () => ({ names: opts.repositories ?? [], id: opts.region }),
        // As the bootstrap leaves them (facts/workload.ts); AWS would answer "not found" before it has run.
        "aws:kms/getAlias:getAlias": (inputs) => {
            if (opts.bootstrapped === false) throw new NotFound(`no KMS alias ${inputs.name}`);
            const targetKeyArn = collector.invent(bootstrappedKeyArn(inputs.name, opts.region, opts.accountId));
            const keyId = targetKeyArn.split("/")[1];
            return {
                name: inputs.name,
                arn: `arn:aws:kms:${opts.region}:${opts.accountId ?? ACCOUNT_ID}:${inputs.name}`,
                targetKeyId: keyId,
                targetKeyArn,
                id: inputs.name,
            };
        },
        "aws:iam/getRole:getRole": (inputs) => {
            if (opts.bootstrapped === false) throw new NotFound(`no IAM role ${inputs.name}`);
            return {
                name: inputs.name,
                arn: `arn:aws:iam::${opts.accountId ?? ACCOUNT_ID}:role/multiregion/${inputs.name}`,
                id: inputs.name,
            };
        },
        // DescribeTable in one region lists the table's replicas in the others.
        "aws:dynamodb/getTable:getTable": (inputs) => {
            const regions = opts.tableRegions ?? [opts.region];
            if (opts.bootstrapped === false || !regions.includes(opts.region)) throw new NotFound(`no DynamoDB table ${inputs.name}`);
            return {
                name: inputs.name,
                arn: `arn:aws:dynamodb:${opts.region}:${opts.accountId ?? ACCOUNT_ID}:table/${inputs.name}`,
                id: inputs.name,
                replicas: regions.filter((r) => r !== opts.region).map((regionName) => ({ regionName, kmsKeyArn: "" })),
            };
        },
        "aws:eks/getAddonVersion:getAddonVersion": (inputs) => ({
            addonName: inputs.addonName,
            kubernetesVersion: inputs.kubernetesVersion,
            version: collector.invent(`v${inputs.kubernetesVersion}.0-eksbuild.1`),
            id: inputs.addonName,
        }),
    };
}

/** The ARN the mocks give the key behind the bootstrap's alias `alias` in `region`. */
export function bootstrappedKeyArn(alias: string, region: string, account = ACCOUNT_ID): string {
    return `arn:aws:kms:${region}:${account}:key/0123abcd-${createHash("sha256").update(alias).digest("hex").slice(0, 8)}`;
}

/** The shape of an internet-facing NLB's DNS name. */
export function nlbHostname(serviceName: string, region: string): string {
    return `${serviceName.slice(0, 20)}-0123456789abcdef.elb.${region}.amazonaws.com`;
}

/**
 * ACM's DNS validation record: the same for a name in every region of one account
 * ("the CNAME validation token works for any AWS Region"), so derived from the name alone.
 */
function acmValidationRecord(domainName: string, invent: (value: string) => string) {
    const token = createHash("sha256").update(`${ACCOUNT_ID}/${domainName}`).digest("hex");
    return {
        domainName,
        resourceRecordName: invent(`_${token.slice(0, 32)}.${domainName}.`),
        resourceRecordType: "CNAME",
        resourceRecordValue: invent(`_${token.slice(32)}.acm-validations.aws.`),
    };
}

/** Plausible provider outputs for the few types whose outputs the program reads; every made-up value is recorded. */
function outputsFor(args: pulumi.runtime.MockResourceArgs, region: string, collector: Collector): Record<string, unknown> {
    const invent = <T extends string>(value: T) => collector.invent(value);
    if (args.type.startsWith("kubernetes:") && args.type !== "kubernetes:core/v1:Service") return args.inputs;
    const arn = args.inputs.arn ?? invent(`arn:aws:${args.type.split(":")[1]?.split("/")[0]}:${region}:${ACCOUNT_ID}:${args.name}`);
    const base = { ...args.inputs, arn };
    switch (args.type) {
        case "aws:eks/cluster:Cluster":
            return {
                ...base,
                name: args.inputs.name ?? invent(`${args.name}-0123456`),
                endpoint: invent(`https://EXAMPLE0123456789.gr7.${region}.eks.amazonaws.com`),
                certificateAuthority: { data: invent(Buffer.from("mock-ca").toString("base64")) },
            };
        case "aws:iam/role:Role":
            return { ...base, name: args.inputs.name ?? invent(`${args.name}-0123456`) };
        case "aws:acm/certificate:Certificate":
            return { ...base, domainValidationOptions: [acmValidationRecord(args.inputs.domainName, invent)] };
        case "aws:route53/record:Record":
            return { ...base, fqdn: String(args.inputs.name).replace(/\.$/, "") };
        case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
            return { ...base, associationId: invent(`a-${args.name}`) };
        case "aws:kms/key:Key":
            return { ...base, keyId: invent(`${args.name}-0123456789abcdef`) };
        case "aws:route53/zone:Zone":
            return {
                ...base,
                zoneId: invent("Z0BOOTSTRAPEXAMPLE"),
                nameServers: [invent("ns-0000.awsdns-00.org"), invent("ns-0001.awsdns-01.net")],
            };
        case "aws:s3/bucket:Bucket": {
            // AWS names a bucket from its prefix, or Pulumi from the logical name; an S3 ARN has no region or account.
            const bucket = args.inputs.bucket ?? invent(`${args.inputs.bucketPrefix ?? `${args.name}-`}0123456789abcdef`);
            return { ...base, bucket, arn: `arn:aws:s3:::${bucket}` };
        }
        case "aws:ecr/repository:Repository":
            return { ...base, repositoryUrl: invent(`${ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${args.inputs.name}`) };
        case "kubernetes:core/v1:Service":
            return args.inputs.spec?.type === "LoadBalancer"
                ? {
                      ...args.inputs,
                      status: { loadBalancer: { ingress: [{ hostname: invent(nlbHostname(args.inputs.metadata.name, region)) }] } },
                  }
                : { ...args.inputs, status: { loadBalancer: {} } };
        default:
            return base;
    }
}

export function createMocks(collector: Collector, opts: MockOptions): pulumi.runtime.Mocks {
    const handlers = callHandlers(opts, collector);
    return {
        newResource: (args) => ({ id: collector.invent(`${args.name}_id`), state: outputsFor(args, opts.region, collector) }),
        call: (args) => {
            collector.calls.push(args.token);
            const handler = handlers[args.token];
            // The SDK drops a thrown message, so record it for the runner to report.
            if (!handler) {
                collector.failedCalls.push(`Mock not implemented: ${args.token}`);
                throw new Error(`Mock not implemented: ${args.token}`);
            }
            try {
                return handler(args.inputs);
            } catch (err) {
                // AWS's own "no such thing" is an answer the program may handle, not a mock defect.
                if (err instanceof NotFound) throw err;
                collector.failedCalls.push(`${args.token} failed: ${err instanceof Error ? err.message : String(err)}`);
                throw err;
            }
        },
    };
}
