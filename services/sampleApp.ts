import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BACKEND_IDENTITY } from "../facts/workload";
import { Scaling } from "./autoscaling";
import { loadBalancedTimings, NLB_CLASS, publicNlbAnnotations, TARGET_GROUP } from "./loadBalancer";
import { Microservice, MicroserviceArgs } from "./microservice";
import { networkPolicies } from "./networkPolicies";

/** The classic two-service example: a JSON backend and an HTML frontend that calls it. */
export interface SampleAppArgs {
    /** Region name the services report, so a page shows which region served it. */
    readonly region: string;
    /** Pinned backend image in this region's registry. */
    readonly backendImage: pulumi.Input<string>;
    /** Pinned frontend image in this region's registry. */
    readonly frontendImage: pulumi.Input<string>;
    /** Each service's autoscaler: the role's floor, the ceiling one region must carry, the CPU target. */
    readonly scaling: Scaling;
    /** The autoscalers' metrics source, which they wait for. */
    readonly metricsSource: pulumi.Resource;
    /** The public name users reach; the redirect from port 80 always points there. */
    readonly publicHost: string;
    /** The issued certificate for that name, which the load balancer's TLS listener presents. */
    readonly certificateArn: pulumi.Input<string>;
    /** What turns NetworkPolicy enforcement on; the policies are created after it. */
    readonly networkPolicyEnforcement: pulumi.Resource;
    /** The public subnets' CIDRs, where the internet-facing NLB's nodes sit: only they reach the probe port. */
    readonly loadBalancerSubnetCidrs: string[];
    /** The fleet's table, when the backend keeps state in it: its name, what the backend's pods wait for to get credentials (the Pod Identity association, settled), and the VPC's CIDR, which the backend's HTTPS egress leaves out. */
    readonly data?: { readonly tableName: string; readonly credentialsReady: pulumi.Resource; readonly vpcCidr: string };
}

export const NAMESPACE = BACKEND_IDENTITY.namespace;
export const BACKEND_SERVICE = "sample-app-backend-service";
/** The port both apps listen on. */
export const CONTAINER_PORT = 8080;
/** The frontend's second port: it only redirects plain HTTP to HTTPS. */
export const REDIRECT_PORT = 8081;
/**
 * Both apps' probe port: /livez and /readyz outside the app's connection cap, so a flood of
 * connections cannot fail the kubelet's probes or the NLB's target checks. No Service exposes it.
 */
export const PROBE_PORT = 9090;
const BACKEND = { app: "sample-app", tier: "backend" };
const FRONTEND = { app: "sample-app", tier: "frontend" };
// The API server rejects any pod here that is not non-root, seccomp-confined and capability-free.
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" };

// Shallow probes for both: a backend outage must not restart frontends; Route 53 uses the deep /health.
const PROBES = { livenessPath: "/livez", readinessPath: "/readyz" };

/** The frontend's public ports: TLS ends at the NLB on 443; plain HTTP on 80 reaches the pod's redirect port. */
export const FRONTEND_PORTS = { tls: 443, redirect: 80 } as const;

/** The frontend Service's NLB annotations; the verify tool reads its expectations from them too. */
export function frontendNlbAnnotations(certificateArn: pulumi.Input<string>): Record<string, pulumi.Input<string>> {
    return publicNlbAnnotations({ port: PROBE_PORT, path: PROBES.readinessPath }, { port: FRONTEND_PORTS.tls, certificateArn });
}
/** How long in-flight requests may take after the drain (SHUTDOWN_TIMEOUT_MS). */
const IN_FLIGHT_LIMIT_SECONDS = 10;

/**
 * When each tier may count a new pod available, and how long an old one keeps serving after
 * SIGTERM while traffic moves away. The backend leaves a ClusterIP Service in moments. The
 * frontend's figures follow from the NLB target group's health checks and deregistration delay
 * (see loadBalancedTimings), so a change to one moves the others.
 */
export const TIMINGS = {
    backend: { minReadySeconds: 0, drainSeconds: 5, terminationGracePeriodSeconds: 5 + IN_FLIGHT_LIMIT_SECONDS + 15 },
    frontend: loadBalancedTimings(TARGET_GROUP, IN_FLIGHT_LIMIT_SECONDS),
};

/** How long each tier keeps serving after SIGTERM; the switchover waits out the frontend's. */
export const DRAIN_SECONDS = { backend: TIMINGS.backend.drainSeconds, frontend: TIMINGS.frontend.drainSeconds };

/** What both services share. */
type Shared = Pick<MicroserviceArgs, "namespace" | "scaling" | "metricsSource">;

/** A tier's probes, rollout and shutdown timing, and environment. */
function lifecycle(tier: keyof typeof TIMINGS, env: Record<string, pulumi.Input<string>>) {
    const t = TIMINGS[tier];
    return {
        ...PROBES,
        minReadySeconds: t.minReadySeconds,
        terminationGracePeriodSeconds: t.terminationGracePeriodSeconds,
        env: {
            PORT: String(CONTAINER_PORT),
            PROBE_PORT: String(PROBE_PORT),
            DRAIN_MS: String(t.drainSeconds * 1000),
            SHUTDOWN_TIMEOUT_MS: String(IN_FLIGHT_LIMIT_SECONDS * 1000),
            ...env,
        },
    };
}

/**
 * The sample app in its restricted namespace: both autoscaled microservices, the frontend
 * behind a TLS load balancer, and NetworkPolicies that allow only the paths the app uses.
 */
export class SampleApp extends pulumi.ComponentResource {
    /** Public hostname of the frontend's load balancer. */
    public readonly frontendHostname: pulumi.Output<string>;

    constructor(name: string, args: SampleAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:services:SampleApp", name, {}, opts);

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: NAMESPACE, labels: RESTRICTED } },
            { parent: this },
        );
        const ns = namespace.metadata.name;
        const common: Shared = {
            namespace: ns,
            scaling: args.scaling,
            metricsSource: args.metricsSource,
        };

        const identity = args.data ? this.backendIdentity(name, ns) : undefined;
        const backend = new Microservice(
            `${name}-backend`,
            {
                ...common,
                ...lifecycle("backend", { REGION: args.region, ...(args.data ? { TABLE_NAME: args.data.tableName } : {}) }),
                serviceAccountName: identity?.metadata.name,
                podsNeed: args.data ? [args.data.credentialsReady] : undefined,
                appName: "sample-app-backend",
                selector: BACKEND,
                image: args.backendImage,
                containerPorts: { http: CONTAINER_PORT, probes: PROBE_PORT },
                servicePorts: [{ name: "http", port: 80, targetPort: "http" }],
                exposure: { type: "ClusterIP" },
                resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
            },
            { parent: this },
        );

        const frontend = this.frontend(name, args, common, backend.serviceName);

        networkPolicies(name, this, args.networkPolicyEnforcement, {
            namespace: ns,
            frontend: FRONTEND,
            backend: BACKEND,
            frontendPorts: [CONTAINER_PORT, REDIRECT_PORT],
            backendPort: CONTAINER_PORT,
            healthCheckPort: PROBE_PORT,
            healthCheckSources: args.loadBalancerSubnetCidrs,
            backendToAws: args.data ? { vpcCidr: args.data.vpcCidr } : undefined,
        });

        this.frontendHostname = frontend.loadBalancerHostname.apply((hostname) => {
            if (!hostname) throw new Error("the frontend Service has no load balancer hostname");
            return hostname;
        });
        this.registerOutputs({ frontendHostname: this.frontendHostname });
    }

    /** The backend's own service account, which the Pod Identity association names; no Kubernetes API token. */
    private backendIdentity(name: string, namespace: pulumi.Output<string>): k8s.core.v1.ServiceAccount {
        return new k8s.core.v1.ServiceAccount(
            `${name}-backend-identity`,
            { metadata: { name: BACKEND_IDENTITY.serviceAccount, namespace }, automountServiceAccountToken: false },
            { parent: this },
        );
    }

    /** The frontend, behind the NLB: TLS on 443, and 80 reaching a port that only redirects to HTTPS. */
    private frontend(name: string, args: SampleAppArgs, common: Shared, backendService: pulumi.Output<string>): Microservice {
        return new Microservice(
            `${name}-frontend`,
            {
                ...common,
                ...lifecycle("frontend", {
                    REGION: args.region,
                    BACKEND_URL: pulumi.interpolate`http://${backendService}`,
                    REDIRECT_PORT: String(REDIRECT_PORT),
                    PUBLIC_HOST: args.publicHost,
                }),
                appName: "sample-app-frontend",
                selector: FRONTEND,
                image: args.frontendImage,
                containerPorts: { http: CONTAINER_PORT, redirect: REDIRECT_PORT, probes: PROBE_PORT },
                servicePorts: [
                    { name: "https", port: FRONTEND_PORTS.tls, targetPort: "http" },
                    { name: "http", port: FRONTEND_PORTS.redirect, targetPort: "redirect" },
                ],
                exposure: {
                    type: "LoadBalancer",
                    loadBalancerClass: NLB_CLASS,
                    annotations: frontendNlbAnnotations(args.certificateArn),
                },
                resources: { requests: { cpu: "100m", memory: "96Mi" }, limits: { cpu: "500m", memory: "192Mi" } },
            },
            { parent: this },
        );
    }
}
