/**
 * The stack's configuration: one typed object, built by a pure function from the
 * raw strings the Pulumi CLI hands the program, so every rule can be tested offline.
 * Nothing here creates resources; a bad value stops the program before any exist.
 */
import { Region } from "@pulumi/aws/types/enums";
import * as pulumi from "@pulumi/pulumi";

export type Role = "active" | "standby";
export type NatMode = "perAz" | "single";

export interface NetworkSettings {
    /** The VPC's IPv4 CIDR block. */
    readonly vpcCidr: string;
    /** How many availability zones the subnets span. */
    readonly azCount: number;
    /** One NAT gateway per AZ, or a single shared one. */
    readonly natGateways: NatMode;
}

export interface ClusterSettings {
    /** EKS Kubernetes minor version, `1.NN`. */
    readonly kubernetesVersion: string;
    /** EC2 instance types of the managed node group, all of one CPU architecture. */
    readonly instanceTypes: string[];
    /** The AL2023 AMI type matching the instance types' architecture. */
    readonly amiType: string;
    /** Node group bounds; min <= desired <= max. */
    readonly nodes: { readonly min: number; readonly desired: number; readonly max: number };
    /** IAM principals granted cluster admin through EKS access entries. */
    readonly adminPrincipalArns: string[];
    /** IAM principals granted read-only cluster access, such as the CI preview role. */
    readonly viewerPrincipalArns: string[];
    /** CIDRs allowed to reach the public API endpoint. */
    readonly publicAccessCidrs: string[];
}

/** A container image in this region's ECR: the repository plus a pinned tag or digest. */
export interface ImageRef {
    /** ECR repository name, such as `sample-app-backend`. */
    readonly repository: string;
    /** `:tag` or `@sha256:...`, appended to the repository URL. */
    readonly pin: string;
}

export interface ServicesSettings {
    readonly backendImage: ImageRef;
    readonly frontendImage: ImageRef;
    /** Pods per service now: the override, or the role's count. */
    readonly replicas: number;
    /** Pods per service whatever the role; 0 follows the role. */
    readonly replicasOverride: number;
    /** Pods per service when active; the switchover scales to this. */
    readonly activeReplicas: number;
    /** Pods per service when standby. */
    readonly standbyReplicas: number;
}

export interface FailoverSettings {
    /** The existing public hosted zone: its id (`Z...`) or its name. */
    readonly hostedZone: { readonly id: string } | { readonly name: string };
    /** The one name users reach, the same in every stack. */
    readonly recordName: string;
    /** `PRIMARY` for the active role, `SECONDARY` for the standby. */
    readonly failoverType: "PRIMARY" | "SECONDARY";
    /** Whether this stack publishes its record; the switchover withdraws it briefly. */
    readonly publishRecord: boolean;
    readonly healthCheck: {
        readonly path: string;
        /** Seconds between checks: 10 or 30; fixed once the check exists. */
        readonly interval: 10 | 30;
        /** Consecutive failures before the region counts as down. */
        readonly failureThreshold: number;
        /** Checker regions; empty means Route 53's defaults. */
        readonly regions: string[];
    };
}

export interface StackConfig {
    readonly project: string;
    readonly stack: string;
    readonly region: string;
    readonly role: Role;
    /** Tags for every AWS resource: the fixed ones plus the user's. */
    readonly tags: Record<string, string>;
    readonly network: NetworkSettings;
    readonly cluster: ClusterSettings;
    readonly services: ServicesSettings;
    readonly failover: FailoverSettings;
}

/** Raw values as the CLI passes them: every value a string, lists as JSON. */
export type RawConfig = Readonly<Record<string, string | undefined>>;

type KeyType = "string" | "integer" | "boolean" | "array";

export interface KeySpec {
    readonly type: KeyType;
    readonly description: string;
    /** Absent for required keys. */
    readonly default?: string | number | boolean | string[];
}

/**
 * Every key this program reads, with its type, default and description.
 * `Pulumi.yaml` declares the same keys; a test keeps the two in step.
 */
export const CONFIG_KEYS = {
    region: { type: "string", description: "AWS region of this stack, such as us-east-2. Required." },
    role: { type: "string", description: "Failover role of this region: active or standby. Required; exactly one stack is active." },
    vpcCidr: {
        type: "string",
        description: "VPC IPv4 CIDR, /16 to /20 inside RFC 1918 space; must not overlap another region's. Required.",
    },
    azCount: { type: "integer", default: 3, description: "Availability zones to spread subnets and nodes over, 2 to 6." },
    natGateways: {
        type: "string",
        default: "perAz",
        description: "perAz (one NAT per AZ, survives a zone outage) or single (one shared NAT, a cheaper standby).",
    },
    kubernetesVersion: {
        type: "string",
        default: "1.35",
        description: "EKS Kubernetes version, 1.NN. 1.35 is in standard support until March 2027.",
    },
    nodeInstanceTypes: {
        type: "array",
        default: ["m6i.large"],
        description: "Node group instance types, one CPU architecture (x86_64 or Graviton).",
    },
    nodeMinSize: { type: "integer", default: 2, description: "Node group minimum size, 0 or more." },
    nodeDesiredSize: {
        type: "integer",
        default: 3,
        description: "Node group size at creation, between min and max; later drift is ignored so manual or autoscaler scaling sticks.",
    },
    nodeMaxSize: { type: "integer", default: 6, description: "Node group maximum size, at least 1 and at least min." },
    adminPrincipalArns: {
        type: "array",
        default: [],
        description:
            "IAM role or user ARNs given cluster admin via EKS access entries. Leave out the principal that creates the cluster: EKS grants it admin already.",
    },
    viewerPrincipalArns: {
        type: "array",
        default: [],
        description:
            "IAM role or user ARNs given read-only cluster access (AmazonEKSViewPolicy), such as the CI role that runs pulumi preview.",
    },
    publicAccessCidrs: {
        type: "array",
        default: ["0.0.0.0/0"],
        description: "CIDRs allowed to reach the public Kubernetes API endpoint; narrow this to your VPN and CI egress.",
    },
    tags: { type: "array", default: [], description: "Extra tags for every AWS resource, as Key=Value strings." },
    backendImage: {
        type: "string",
        description:
            "Backend image in this region's ECR, as repository:tag or repository@sha256:digest, such as sample-app-backend:1.0.0. Never latest. Required.",
    },
    frontendImage: {
        type: "string",
        description:
            "Frontend image in this region's ECR, as repository:tag or repository@sha256:digest, such as sample-app-frontend:1.0.0. Never latest. Required.",
    },
    activeReplicas: { type: "integer", default: 3, description: "Pods per service while this region is active, at least 2." },
    standbyReplicas: {
        type: "integer",
        default: 1,
        description: "Pods per service while this region is standby: a warm standby that takes traffic at once, 1 to activeReplicas.",
    },
    replicasOverride: {
        type: "integer",
        default: 0,
        description:
            "Pods per service whatever the role; 0 follows the role. Only the switchover sets it, to hold capacity while roles change.",
    },
    hostedZone: {
        type: "string",
        description:
            "The existing public Route 53 hosted zone, by id (Z...) or name (example.com); looked up, never created. Same in every stack. Required.",
    },
    recordName: {
        type: "string",
        description: "The failover record users reach, such as app.example.com, inside hostedZone. Same in every stack. Required.",
    },
    healthCheckPath: {
        type: "string",
        default: "/health",
        description: "Path Route 53 checks on this region's load balancer: the frontend's deep health check.",
    },
    healthCheckInterval: {
        type: "integer",
        default: 10,
        description: "Seconds between health checks, 10 or 30. Route 53 cannot change it after the check exists.",
    },
    healthCheckFailureThreshold: {
        type: "integer",
        default: 3,
        description: "Consecutive failed checks before Route 53 calls the region unhealthy, 1 to 10.",
    },
    healthCheckRegions: {
        type: "array",
        default: [],
        description: "Route 53 checker regions, at least 3 of its list; empty for Route 53's default set.",
    },
    failoverRecord: {
        type: "boolean",
        default: true,
        description:
            "Whether this stack publishes its failover record. Only the switchover turns it off, for a moment, so Route 53 never holds two PRIMARY or two SECONDARY records.",
    },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Tag keys the program owns; users can't override them. */
export const RESERVED_TAGS = ["ManagedBy", "Stack", "Region", "Role", "Name"] as const;

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

const ROLES: readonly Role[] = ["active", "standby"];
const NAT_MODES: readonly NatMode[] = ["perAz", "single"];
const REGIONS: readonly string[] = Object.values(Region);
const K8S_VERSION = /^1\.(\d{2})$/;
// family + generation + options, a dot, a size: m6i.large, c7gn.2xlarge, u-6tb1.metal
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/;
// Graviton families carry a "g" right after the generation digit: m7g, c6gn, t4g, is4gen.
const GRAVITON = /^[a-z]+\d+g[a-z]*\./;
const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/;
// An ECR repository name plus a tag or a sha256 digest; no registry host, since the
// program always pulls from this region's own registry.
const IMAGE =
    /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
/** A Route 53 hosted zone id, as opposed to a zone name. */
export const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** Where Route 53 can run health checkers from. */
export const HEALTH_CHECK_REGIONS = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Parses `a.b.c.d/n` strictly; returns undefined when malformed. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const hostBits = 2 ** (32 - prefix);
    if (base % hostBits !== 0) return undefined;
    return { base, prefix };
}

export function formatCidr(base: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** True when two CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    if (!x || !y) throw new Error(`not a CIDR: ${x ? b : a}`);
    const xEnd = x.base + 2 ** (32 - x.prefix);
    const yEnd = y.base + 2 ** (32 - y.prefix);
    return x.base < yEnd && y.base < xEnd;
}

const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

function within(inner: string, outer: string): boolean {
    const i = parseCidr(inner)!;
    const o = parseCidr(outer)!;
    return i.prefix >= o.prefix && cidrsOverlap(inner, outer);
}

/** Collects every problem before failing, so one run shows them all. */
class Reader {
    readonly problems: string[] = [];
    constructor(
        private readonly project: string,
        private readonly raw: RawConfig,
    ) {}

    private fail(key: ConfigKey, got: unknown, allowed: string): undefined {
        this.problems.push(`${this.project}:${key}: got ${JSON.stringify(got)}; allowed: ${allowed}`);
        return undefined;
    }

    /** The raw string, or the declared default, or a "missing" problem. */
    private value(key: ConfigKey): string | undefined {
        const raw = this.raw[key];
        if (raw !== undefined) return raw;
        const spec: KeySpec = CONFIG_KEYS[key];
        if (spec.default === undefined) {
            this.problems.push(`${this.project}:${key}: missing; required: ${spec.description} (pulumi config set ${key} <value>)`);
            return undefined;
        }
        return typeof spec.default === "string" ? spec.default : JSON.stringify(spec.default);
    }

    string(key: ConfigKey, test: (v: string) => boolean, allowed: string): string | undefined {
        const v = this.value(key);
        if (v === undefined) return undefined;
        return test(v) ? v : this.fail(key, v, allowed);
    }

    oneOf<T extends string>(key: ConfigKey, options: readonly T[]): T | undefined {
        const allowed = options.map((o) => JSON.stringify(o)).join(" or ");
        return this.string(key, (v) => (options as readonly string[]).includes(v), allowed) as T | undefined;
    }

    integer(key: ConfigKey, min: number, max: number): number | undefined {
        const v = this.value(key);
        if (v === undefined) return undefined;
        const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
        const allowed = max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
        return Number.isInteger(n) && n >= min && n <= max ? n : this.fail(key, v, allowed);
    }

    boolean(key: ConfigKey): boolean | undefined {
        const v = this.value(key);
        if (v === undefined) return undefined;
        return v === "true" ? true : v === "false" ? false : this.fail(key, v, "true or false");
    }

    list(key: ConfigKey, test: (item: string) => boolean, allowed: string, minItems = 0): string[] | undefined {
        const v = this.value(key);
        if (v === undefined) return undefined;
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        const listAllowed = `a list${minItems > 0 ? ` of at least ${minItems}` : ""} of ${allowed}`;
        if (!Array.isArray(parsed) || parsed.length < minItems) return this.fail(key, v, listAllowed);
        const bad = parsed.filter((item) => typeof item !== "string" || !test(item));
        if (bad.length > 0) return this.fail(key, bad.length === 1 ? bad[0] : bad, listAllowed);
        const dupes = parsed.filter((item, i) => parsed.indexOf(item) !== i);
        if (dupes.length > 0) return this.fail(key, dupes, `${listAllowed}, without duplicates`);
        return parsed as string[];
    }

    check(ok: boolean, message: string): void {
        if (!ok) this.problems.push(message);
    }
}

export interface ConfigContext {
    readonly project: string;
    readonly stack: string;
}

/**
 * Builds the typed config from raw CLI values. Throws one ConfigError listing
 * every problem: unknown keys, missing keys and invalid values.
 */
export function parseConfig(raw: RawConfig, ctx: ConfigContext): StackConfig {
    const r = new Reader(ctx.project, raw);
    const p = ctx.project;

    const known = Object.keys(CONFIG_KEYS);
    for (const key of Object.keys(raw)) {
        if (!known.includes(key)) {
            r.check(false, `${p}:${key}: unknown key; known keys: ${known.join(", ")}`);
        }
    }

    const region = r.string("region", (v) => REGIONS.includes(v), 'an AWS region code known to @pulumi/aws, such as "us-east-2"');
    const role = r.oneOf("role", ROLES);
    const vpcCidr = r.string(
        "vpcCidr",
        (v) => {
            const c = parseCidr(v);
            return !!c && c.prefix >= 16 && c.prefix <= 20 && RFC1918.some((range) => within(v, range));
        },
        "an aligned IPv4 CIDR from /16 to /20 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
    );
    const azCount = r.integer("azCount", 2, 6);
    const natGateways = r.oneOf("natGateways", NAT_MODES);
    const kubernetesVersion = r.string("kubernetesVersion", (v) => K8S_VERSION.test(v), 'a minor version "1.NN", such as "1.35"');
    const instanceTypes = r.list("nodeInstanceTypes", (v) => INSTANCE_TYPE.test(v), 'EC2 instance types such as "m6i.large"', 1);
    const min = r.integer("nodeMinSize", 0, 450);
    const desired = r.integer("nodeDesiredSize", 0, 450);
    const max = r.integer("nodeMaxSize", 1, 450);
    const adminPrincipalArns = r.list(
        "adminPrincipalArns",
        (v) => IAM_PRINCIPAL.test(v),
        'IAM role or user ARNs such as "arn:aws:iam::123456789012:role/Admin"',
    );
    const viewerPrincipalArns = r.list(
        "viewerPrincipalArns",
        (v) => IAM_PRINCIPAL.test(v),
        'IAM role or user ARNs such as "arn:aws:iam::123456789012:role/PulumiPreview"',
    );
    const both = (adminPrincipalArns ?? []).filter((arn) => viewerPrincipalArns?.includes(arn));
    if (both.length > 0) {
        r.check(
            false,
            `${p}:viewerPrincipalArns: got ${JSON.stringify(both)}, also in adminPrincipalArns; allowed: each principal in one list`,
        );
    }
    const publicAccessCidrs = r.list(
        "publicAccessCidrs",
        (v) => parseCidr(v) !== undefined,
        'aligned IPv4 CIDRs such as "203.0.113.0/24"',
        1,
    );
    const userTagList = r.list("tags", (v) => /^[^=]+=/.test(v), '"Key=Value" strings');

    const image = (key: "backendImage" | "frontendImage"): ImageRef | undefined => {
        const allowed =
            'a repository in this region\'s ECR with a pinned tag or digest, such as "sample-app-backend:1.0.0" or "sample-app-backend@sha256:<64 hex>"; no registry host, no "latest"';
        // Docker reads a first path segment with a dot, or "localhost", as a registry host.
        const hasHost = (v: string) => v.includes("/") && (/^[^/]*\./.test(v) || v.startsWith("localhost/"));
        const v = r.string(key, (v) => IMAGE.test(v) && !hasHost(v) && !v.endsWith(":latest"), allowed);
        const m = v === undefined ? null : IMAGE.exec(v);
        return m ? { repository: m[1]!, pin: m[2]! } : undefined;
    };
    const backendImage = image("backendImage");
    const frontendImage = image("frontendImage");
    const activeReplicas = r.integer("activeReplicas", 2, 100);
    const standbyReplicas = r.integer("standbyReplicas", 1, 100);
    const replicasOverride = r.integer("replicasOverride", 0, 100);
    if (activeReplicas !== undefined && standbyReplicas !== undefined) {
        r.check(
            standbyReplicas <= activeReplicas,
            `${p}:standbyReplicas: got ${standbyReplicas}; allowed: at most activeReplicas (${activeReplicas})`,
        );
    }

    const hostedZone = r.string(
        "hostedZone",
        (v) => ZONE_ID.test(v) || DNS_NAME.test(v.replace(/\.$/, "")),
        'a hosted zone id such as "Z0123456789ABCDEFGHIJ" or a lower-case domain name such as "example.com"',
    );
    const recordName = r.string(
        "recordName",
        (v) => DNS_NAME.test(v.replace(/\.$/, "")),
        'a lower-case DNS name such as "app.example.com"',
    );
    const healthCheckPath = r.string(
        "healthCheckPath",
        (v) => /^\/[\x21-\x7e]{0,254}$/.test(v),
        'a path starting with "/", at most 255 printable characters',
    );
    const interval = r.string("healthCheckInterval", (v) => v === "10" || v === "30", "10 or 30");
    const failureThreshold = r.integer("healthCheckFailureThreshold", 1, 10);
    const checkerRegions = r.list(
        "healthCheckRegions",
        (v) => HEALTH_CHECK_REGIONS.includes(v),
        `Route 53 checker regions (${HEALTH_CHECK_REGIONS.join(", ")})`,
    );
    if (checkerRegions && checkerRegions.length > 0 && checkerRegions.length < 3) {
        r.check(
            false,
            `${p}:healthCheckRegions: got ${JSON.stringify(checkerRegions)}; allowed: none (Route 53's defaults) or at least 3 regions`,
        );
    }
    const publishRecord = r.boolean("failoverRecord");
    if (hostedZone && recordName && !ZONE_ID.test(hostedZone)) {
        const zone = hostedZone.replace(/\.$/, "");
        const record = recordName.replace(/\.$/, "");
        r.check(
            record === zone || record.endsWith(`.${zone}`),
            `${p}:recordName: got ${JSON.stringify(recordName)}; allowed: a name inside hostedZone ${JSON.stringify(hostedZone)}`,
        );
    }

    if (min !== undefined && desired !== undefined && max !== undefined) {
        r.check(
            min <= desired && desired <= max,
            `${p}:nodeMinSize/nodeDesiredSize/nodeMaxSize: got ${min}/${desired}/${max}; allowed: min <= desired <= max`,
        );
    }

    let amiType: string | undefined;
    if (instanceTypes) {
        const arm = instanceTypes.filter((t) => GRAVITON.test(t));
        r.check(
            arm.length === 0 || arm.length === instanceTypes.length,
            `${p}:nodeInstanceTypes: got ${JSON.stringify(instanceTypes)}; allowed: one CPU architecture per node group (Graviton ${JSON.stringify(arm)} mixed with x86_64)`,
        );
        amiType = arm.length > 0 ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
    }

    const userTags: Record<string, string> = {};
    for (const entry of userTagList ?? []) {
        const eq = entry.indexOf("=");
        const key = entry.slice(0, eq);
        const value = entry.slice(eq + 1);
        if ((RESERVED_TAGS as readonly string[]).includes(key)) {
            r.check(false, `${p}:tags: got ${JSON.stringify(entry)}; allowed: any key but the program's own ${RESERVED_TAGS.join(", ")}`);
        } else if (!TAG_KEY.test(key) || !TAG_VALUE.test(value)) {
            r.check(
                false,
                `${p}:tags: got ${JSON.stringify(entry)}; allowed: keys of 1-128 and values of 0-256 letters, digits, spaces and _.:/=+-@, keys not starting with "aws:"`,
            );
        } else if (key in userTags) {
            r.check(false, `${p}:tags: got ${JSON.stringify(key)} twice; allowed: each key once`);
        } else {
            userTags[key] = value;
        }
    }

    if (r.problems.length > 0) throw new ConfigError(r.problems);

    // Every value is defined here: any undefined one added a problem above.
    const base = { ManagedBy: "pulumi", Stack: `${ctx.project}/${ctx.stack}`, Region: region!, Role: role! };
    return {
        project: ctx.project,
        stack: ctx.stack,
        region: region!,
        role: role!,
        tags: { ...userTags, ...base },
        network: { vpcCidr: vpcCidr!, azCount: azCount!, natGateways: natGateways! },
        cluster: {
            kubernetesVersion: kubernetesVersion!,
            instanceTypes: instanceTypes!,
            amiType: amiType!,
            nodes: { min: min!, desired: desired!, max: max! },
            adminPrincipalArns: adminPrincipalArns!,
            viewerPrincipalArns: viewerPrincipalArns!,
            publicAccessCidrs: publicAccessCidrs!,
        },
        services: {
            backendImage: backendImage!,
            frontendImage: frontendImage!,
            replicas: replicasOverride! > 0 ? replicasOverride! : role === "active" ? activeReplicas! : standbyReplicas!,
            activeReplicas: activeReplicas!,
            standbyReplicas: standbyReplicas!,
            replicasOverride: replicasOverride!,
        },
        failover: {
            hostedZone: ZONE_ID.test(hostedZone!) ? { id: hostedZone! } : { name: hostedZone!.replace(/\.$/, "") },
            recordName: recordName!.replace(/\.$/, ""),
            failoverType: role === "active" ? "PRIMARY" : "SECONDARY",
            publishRecord: publishRecord!,
            healthCheck: {
                path: healthCheckPath!,
                interval: Number(interval) as 10 | 30,
                failureThreshold: failureThreshold!,
                regions: checkerRegions!,
            },
        },
    };
}

/** This project's keys from a flat `namespace:key` config map, without the namespace. */
export function projectValues(all: Readonly<Record<string, string>>, project: string): Record<string, string> {
    const prefix = `${project}:`;
    return Object.fromEntries(
        Object.entries(all).flatMap(([key, value]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), value]] : [])),
    );
}

/** Reads this project's keys from the Pulumi runtime and parses them. */
export function loadConfig(): StackConfig {
    const project = pulumi.getProject();
    const config = parseConfig(projectValues(pulumi.runtime.allConfig(), project), { project, stack: pulumi.getStack() });
    if (config.cluster.publicAccessCidrs.includes("0.0.0.0/0")) {
        void pulumi.log.warn(
            `${project}:publicAccessCidrs allows the whole internet to reach the Kubernetes API; narrow it to your VPN and CI egress.`,
        );
    }
    return config;
}
