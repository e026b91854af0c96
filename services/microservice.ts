import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** CPU and memory for one container. */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** What one stateless HTTP service needs: its image, ports, probes, environment and resources. */
export interface MicroserviceArgs {
    /** Namespace of every object. */
    readonly namespace: pulumi.Input<string>;
    /** Deployment name; the Service is `<appName>-service`, the name other pods resolve. */
    readonly appName: string;
    /** Labels that select this service's pods, such as `{ app: "sample-app", tier: "backend" }`. */
    readonly selector: Record<string, string>;
    /** Full image reference, pinned by tag or digest. */
    readonly image: pulumi.Input<string>;
    /** Pod count. */
    readonly replicas: number;
    /** Port the container listens on. */
    readonly containerPort: number;
    /** Port the Service exposes. */
    readonly servicePort: number;
    /** `ClusterIP` for in-cluster callers, `LoadBalancer` for the internet. */
    readonly serviceType: "ClusterIP" | "LoadBalancer";
    /** Service annotations, such as the load balancer type. */
    readonly serviceAnnotations?: Record<string, string>;
    /** Container environment. */
    readonly env: Record<string, pulumi.Input<string>>;
    /** Container CPU and memory. */
    readonly resources: ContainerResources;
    /** Liveness path: failing it restarts the container, so it must not depend on other services. */
    readonly livenessPath: string;
    /** Readiness path: failing it takes the pod out of the Service. */
    readonly readinessPath: string;
}

/** Non-root UID:GID of the images (the `node` user of the official Node.js image). */
export const APP_UID = 1000;

function probe(path: string) {
    return { httpGet: { path, port: "http" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
}

/** The pod every replica runs: locked down, spread over zones, probed on the shallow endpoints. */
export function podTemplate(args: MicroserviceArgs, labels: Record<string, string>): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels },
        spec: {
            automountServiceAccountToken: false,
            // Drain (5 s) plus the in-flight limit (10 s) fit well inside this.
            terminationGracePeriodSeconds: 30,
            securityContext: {
                runAsNonRoot: true,
                runAsUser: APP_UID,
                runAsGroup: APP_UID,
                seccompProfile: { type: "RuntimeDefault" },
            },
            // Spread over zones first, then nodes; soft, so a lost zone never blocks rescheduling.
            topologySpreadConstraints: ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({
                maxSkew: 1,
                topologyKey,
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: args.selector },
            })),
            containers: [
                {
                    name: args.appName,
                    image: args.image,
                    imagePullPolicy: "IfNotPresent",
                    ports: [{ name: "http", containerPort: args.containerPort, protocol: "TCP" }],
                    env: Object.entries(args.env).map(([envName, value]) => ({ name: envName, value })),
                    resources: args.resources,
                    readinessProbe: probe(args.readinessPath),
                    livenessProbe: { ...probe(args.livenessPath), initialDelaySeconds: 5 },
                    securityContext: {
                        runAsNonRoot: true,
                        readOnlyRootFilesystem: true,
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        seccompProfile: { type: "RuntimeDefault" },
                    },
                },
            ],
        },
    };
}

/** One stateless HTTP service on Kubernetes: its Deployment, its Service and a PodDisruptionBudget. */
export class Microservice extends pulumi.ComponentResource {
    /** The Service's name: the DNS name callers use inside the namespace. */
    public readonly serviceName: pulumi.Output<string>;
    /** The load balancer's hostname, for `LoadBalancer` Services. */
    public readonly loadBalancerHostname: pulumi.Output<string | undefined>;

    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:services:Microservice", name, {}, opts);
        const labels = { ...args.selector, "app.kubernetes.io/name": args.appName, "app.kubernetes.io/managed-by": "pulumi" };

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: args.appName, namespace: args.namespace, labels },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: args.selector },
                    // New pods must be ready before old ones go, so capacity never dips.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                    template: podTemplate(args, labels),
                },
            },
            { parent: this },
        );

        const service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: {
                    name: `${args.appName}-service`,
                    namespace: args.namespace,
                    labels,
                    annotations: args.serviceAnnotations,
                },
                spec: {
                    type: args.serviceType,
                    selector: args.selector,
                    ports: [{ name: "http", port: args.servicePort, targetPort: "http", protocol: "TCP" }],
                },
            },
            // Pulumi waits for ready endpoints (and the load balancer), so the Deployment comes first.
            { parent: this, dependsOn: [deployment] },
        );

        // One pod may go at a time for node maintenance; with a single standby pod this still lets nodes drain.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: args.appName, namespace: args.namespace, labels },
                spec: { maxUnavailable: 1, selector: { matchLabels: args.selector } },
            },
            { parent: this },
        );

        this.serviceName = service.metadata.name;
        this.loadBalancerHostname = service.status.loadBalancer.ingress.apply((ingress) => ingress?.[0]?.hostname);
        this.registerOutputs({ serviceName: this.serviceName, loadBalancerHostname: this.loadBalancerHostname });
    }
}
