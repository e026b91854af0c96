import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Microservice } from "./microservice";

/** The classic two-service example: a JSON backend and an HTML frontend that calls it. */
export interface SampleAppArgs {
    /** Region name the services report, so a page shows which region served it. */
    readonly region: string;
    /** Pinned backend image in this region's registry. */
    readonly backendImage: pulumi.Input<string>;
    /** Pinned frontend image in this region's registry. */
    readonly frontendImage: pulumi.Input<string>;
    /** Pods per service: full capacity when active, a warm standby otherwise. */
    readonly replicas: number;
}

export const NAMESPACE = "sample-app";
export const BACKEND_SERVICE = "sample-app-backend-service";
const CONTAINER_PORT = 8080;
const SERVICE_PORT = 80;
const BACKEND = { app: "sample-app", tier: "backend" };
const FRONTEND = { app: "sample-app", tier: "frontend" };
// The API server rejects any pod here that is not non-root, seccomp-confined and capability-free.
const RESTRICTED = { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" };

// Shallow probes for both: a backend outage must not restart frontends; Route 53 uses the deep /health.
const SHARED = { containerPort: CONTAINER_PORT, servicePort: SERVICE_PORT, livenessPath: "/livez", readinessPath: "/readyz" };

/** Only frontend pods may call the backend. */
function backendIngress(name: string, parent: pulumi.Resource, namespace: pulumi.Input<string>): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
        `${name}-backend-ingress`,
        {
            metadata: { name: "sample-app-backend-ingress", namespace },
            spec: {
                podSelector: { matchLabels: BACKEND },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: FRONTEND } }], ports: [{ protocol: "TCP", port: CONTAINER_PORT }] }],
            },
        },
        { parent },
    );
}

/** The sample app in its restricted namespace: both microservices and the policy that only lets the frontend reach the backend. */
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
        const common = { ...SHARED, namespace: ns, replicas: args.replicas };

        const backend = new Microservice(
            `${name}-backend`,
            {
                ...common,
                appName: "sample-app-backend",
                selector: BACKEND,
                image: args.backendImage,
                serviceType: "ClusterIP",
                env: { PORT: String(CONTAINER_PORT), REGION: args.region },
                resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
            },
            { parent: this },
        );

        const frontend = new Microservice(
            `${name}-frontend`,
            {
                ...common,
                appName: "sample-app-frontend",
                selector: FRONTEND,
                image: args.frontendImage,
                serviceType: "LoadBalancer",
                // An internet-facing NLB; Route 53 aliases it with the NLB hosted-zone id.
                serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
                env: {
                    PORT: String(CONTAINER_PORT),
                    REGION: args.region,
                    BACKEND_URL: pulumi.interpolate`http://${backend.serviceName}`,
                },
                resources: { requests: { cpu: "100m", memory: "96Mi" }, limits: { cpu: "500m", memory: "192Mi" } },
            },
            { parent: this },
        );

        backendIngress(name, this, ns);

        this.frontendHostname = frontend.loadBalancerHostname.apply((hostname) => {
            if (!hostname) throw new Error("the frontend Service has no load balancer hostname");
            return hostname;
        });
        this.registerOutputs({ frontendHostname: this.frontendHostname });
    }
}
