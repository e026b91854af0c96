/**
 * The live world the fake AWS answers from, and a healthy one for the prod fleet: what a good
 * `pulumi up` of prod-us (us-east-2, active) and prod-eu (eu-west-1, standby) leaves behind,
 * written out by hand from the AWS API references, not from the program's constants, so a
 * wrong constant or a wrong read shows. Tests break one thing in it and run verify.
 */
export interface LiveGroup {
    arn: string;
    port: number;
    protocol: string;
    targetType: string;
    healthCheck: { protocol: string; path: string; port: string; interval: number; timeout: number; healthy: number; unhealthy: number };
    attributes: Record<string, string>;
    targets: { id: string; port: number; state: string }[];
}

export interface LiveLoadBalancer {
    arn: string;
    dnsName: string;
    scheme: string;
    attributes: Record<string, string>;
    listeners: { port: number; protocol: string; sslPolicy?: string; certificateArn?: string; groupArn: string }[];
    groups: LiveGroup[];
}

export interface LiveRegion {
    loadBalancers: LiveLoadBalancer[];
    certificates: { arn: string; domain: string; status: string; notAfter: number }[];
    clusters: {
        name: string;
        version: string;
        supportType: string;
        /** The service range EKS picked, as DescribeCluster reports it. */
        serviceRange: string;
        addons: Record<string, { version: string; status: string }>;
    }[];
    tables: { name: string; deletionProtection: boolean; replicas: Record<string, string> }[];
    /** ReplicationLatency data points, keyed `<table> <receiving region>`. */
    latency: Record<string, { average: number; samples: number }[]>;
    /** `configuredAt`: when the alarm was created or last changed, epoch ms. */
    alarms: { name: string; state: string; healthCheckId: string; configuredAt: number }[];
}

export interface LiveCheck {
    id: string;
    type: string;
    port: number;
    sni: boolean;
    path: string;
    interval: number;
    threshold: number;
    regions: string[];
    fqdn: string;
    inverted: boolean;
}

export interface LiveRecord {
    name: string;
    type: "A" | "CNAME";
    setId: string;
    failover: string;
    target: string;
    healthCheckId: string;
}

export interface LiveWorld {
    regions: Record<string, LiveRegion>;
    checks: LiveCheck[];
    zone: { id: string; name: string; records: LiveRecord[] };
}

export const NOW = Date.UTC(2026, 4, 1, 9);
const DAY_MS = 86_400_000;
export const TABLE = "multiregion-prod-data";
export const STACKS = {
    "prod-us": {
        region: "us-east-2",
        peer: "eu-west-1",
        role: "PRIMARY",
        check: "hc-prod-us",
        lb: "prod-us-nlb-0123.elb.us-east-2.amazonaws.com",
    },
    "prod-eu": {
        region: "eu-west-1",
        peer: "us-east-2",
        role: "SECONDARY",
        check: "hc-prod-eu",
        lb: "prod-eu-nlb-4567.elb.eu-west-1.amazonaws.com",
    },
} as const;
export type FleetStack = keyof typeof STACKS;

function group(stack: string, port: number, podPort: number): LiveGroup {
    return {
        arn: `arn:aws:elasticloadbalancing:tg/${stack}-${port}`,
        port: podPort,
        protocol: "TCP",
        targetType: "ip",
        healthCheck: { protocol: "HTTP", path: "/readyz", port: "9090", interval: 10, timeout: 10, healthy: 3, unhealthy: 3 },
        attributes: {
            "deregistration_delay.timeout_seconds": "60",
            "preserve_client_ip.enabled": "false",
            "proxy_protocol_v2.enabled": "false",
        },
        targets: [
            { id: "10.10.1.5", port: podPort, state: "healthy" },
            { id: "10.10.2.6", port: podPort, state: "healthy" },
        ],
    };
}

function region(stack: FleetStack): LiveRegion {
    const s = STACKS[stack];
    const cert = `arn:aws:acm:${s.region}:123456789012:certificate/${stack}`;
    const tls = group(stack, 443, 8080);
    const redirect = group(stack, 80, 8081);
    return {
        loadBalancers: [
            {
                arn: "arn:aws:elasticloadbalancing:lb/other",
                dnsName: "other.elb.amazonaws.com",
                scheme: "internal",
                attributes: {},
                listeners: [],
                groups: [],
            },
            {
                arn: `arn:aws:elasticloadbalancing:lb/${stack}`,
                dnsName: s.lb,
                scheme: "internet-facing",
                attributes: { "load_balancing.cross_zone.enabled": "true", "deletion_protection.enabled": "false" },
                listeners: [
                    {
                        port: 443,
                        protocol: "TLS",
                        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
                        certificateArn: cert,
                        groupArn: tls.arn,
                    },
                    { port: 80, protocol: "TCP", groupArn: redirect.arn },
                ],
                groups: [tls, redirect],
            },
        ],
        certificates: [{ arn: cert, domain: "app.example.com", status: "ISSUED", notAfter: NOW + 200 * DAY_MS }],
        clusters: [
            {
                name: `multiregion-${stack}`,
                version: "1.35",
                supportType: "STANDARD",
                serviceRange: "172.20.0.0/16",
                addons: { "metrics-server": { version: "v0.8.1-eksbuild.5", status: "ACTIVE" } },
            },
        ],
        tables: [{ name: TABLE, deletionProtection: true, replicas: { "us-east-2": "ACTIVE", "eu-west-1": "ACTIVE" } }],
        latency: {
            [`${TABLE} ${s.peer}`]: [
                { average: 900, samples: 10 },
                { average: 1200, samples: 30 },
            ],
        },
        alarms: [],
    };
}

function check(stack: FleetStack): LiveCheck {
    const s = STACKS[stack];
    return {
        id: s.check,
        type: "HTTPS",
        port: 443,
        sni: true,
        path: "/health",
        interval: 10,
        threshold: 3,
        regions: [],
        fqdn: s.lb,
        inverted: false,
    };
}

/** Everything a good deploy of the prod fleet leaves, as AWS would describe it. */
export function healthyWorld(): LiveWorld {
    const regions: Record<string, LiveRegion> = { "us-east-2": region("prod-us"), "eu-west-1": region("prod-eu") };
    regions["us-east-1"] = { loadBalancers: [], certificates: [], clusters: [], tables: [], latency: {}, alarms: [] };
    for (const stack of Object.keys(STACKS) as FleetStack[])
        regions["us-east-1"].alarms.push({
            name: `multiregion-${stack}-health`,
            state: "OK",
            healthCheckId: STACKS[stack].check,
            configuredAt: NOW - 86_400_000,
        });
    const records = (Object.keys(STACKS) as FleetStack[]).map((stack) => ({
        name: "app.example.com",
        type: "A" as const,
        setId: stack,
        failover: STACKS[stack].role,
        target: `dualstack.${STACKS[stack].lb}`,
        healthCheckId: STACKS[stack].check,
    }));
    return { regions, checks: [check("prod-us"), check("prod-eu")], zone: { id: "Z0123456789ABC", name: "example.com", records } };
}

/** The outputs `pulumi up` left on a prod stack. */
export function outputsOf(stack: FleetStack): Record<string, unknown> {
    const s = STACKS[stack];
    return {
        region: s.region,
        healthCheckId: s.check,
        loadBalancerHostname: s.lb,
        clusterName: `multiregion-${stack}`,
        dataTable: TABLE,
        dataPeerRegions: [s.peer],
        kubeconfig: "{}",
    };
}

/** The stack's piece of the world, for tests to break. */
export function live(world: LiveWorld, stack: FleetStack) {
    const r = world.regions[STACKS[stack].region]!;
    const lb = r.loadBalancers[1]!;
    return {
        region: r,
        lb,
        tls: lb.groups[0]!,
        redirect: lb.groups[1]!,
        cert: r.certificates[0]!,
        cluster: r.clusters[0]!,
        table: r.tables[0]!,
        check: world.checks.find((c) => c.id === STACKS[stack].check)!,
        record: world.zone.records.find((x) => x.setId === stack)!,
        alarm: world.regions["us-east-1"]!.alarms.find((a) => a.name === `multiregion-${stack}-health`)!,
    };
}
