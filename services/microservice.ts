import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Scaling, scalingSpec } from "./autoscaling";

/** CPU and memory for one container. */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** How a Service is reached: inside the cluster, or through a load balancer of a class, configured by annotations. */
export type Exposure =
    | { readonly type: "ClusterIP" }
    | { readonly type: "LoadBalancer"; readonly loadBalancerClass: string; readonly annotations: Record<string, pulumi.Input<string>> };

/** What one stateless HTTP service needs: its image, ports, probes, environment, resources and scaling. */
export interface MicroserviceArgs {
    /** Namespace of every object. */
    readonly namespace: pulumi.Input<string>;
    /** Deployment name; the Service is `<appName>-service`, the name other pods resolve. */
    readonly appName: string;
    /** Labels that select this service's pods, such as `{ app: "sample-app", tier: "backend" }`. */
    readonly selector: Record<string, string>;
    /** Full image reference, pinned by tag or digest. */
    readonly image: pulumi.Input<string>;
    /** The autoscaler's floor, ceiling and CPU target. */
    readonly scaling: Scaling;
    /** What the autoscaler reads CPU from; it is created after it. */
    readonly metricsSource: pulumi.Resource;
    /** Container ports by name; `http` is the app, `probes` the port the kubelet probes, outside the app's connection cap. */
    readonly containerPorts: Record<string, number>;
    /** The Service's ports, each to a named container port. */
    readonly servicePorts: { readonly name: string; readonly port: number; readonly targetPort: string }[];
    readonly exposure: Exposure;
    /** Container environment. */
    readonly env: Record<string, pulumi.Input<string>>;
    /** Container CPU and memory. */
    readonly resources: ContainerResources;
    /** Liveness path: failing it restarts the container, so it must not depend on other services. */
    readonly livenessPath: string;
    /** Readiness path: failing it takes the pod out of the Service. */
    readonly readinessPath: string;
    /** How long a pod may take to stop after SIGTERM: its drain plus its in-flight limit, with room to spare. */
    readonly terminationGracePeriodSeconds: number;
    /** How long a ready pod must stay ready before it counts as available and an old one may go; 0 for at once. */
    readonly minReadySeconds: number;
    /** The pods' service account, when they take an AWS role through it; absent: the namespace's default. */
    readonly serviceAccountName?: pulumi.Input<string>;
    /** What must exist before the pods start, such as the Pod Identity association their credentials need. */
    readonly podsNeed?: pulumi.Resource[];
}

/** Non-root UID:GID of the images (the `node` user of the official Node.js image). */
export const APP_UID = 1000;

function probe(path: string) {
    return { httpGet: { path, port: "probes" }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 };
}

/** Pods started at once in a rollout: a quarter, rounded up, so a rollout takes at most four rounds of minReadySeconds. */
const MAX_SURGE_PERCENT = 25;
/** What a new pod may take to be scheduled (a new node included), pull its image and pass readiness. */
const POD_START_ALLOWANCE_SECONDS = 180;

/**
 * How long Pulumi may wait for a rollout: its rounds, each a pod's start plus minReadySeconds.
 * Pulumi's own default is 10 minutes, less than a load-balanced rollout takes.
 */
export function rolloutTimeoutSeconds(minReadySeconds: number): number {
    return Math.ceil(100 / MAX_SURGE_PERCENT) * (POD_START_ALLOWANCE_SECONDS + minReadySeconds);
}

/** The pod every replica runs: locked down, spread over zones, probed on the shallow endpoints. */
export function podTemplate(args: MicroserviceArgs, labels: Record<string, string>): k8s.types.input.core.v1.PodTemplateSpec {
    return {
        metadata: { labels },
        spec: {
            automountServiceAccountToken: false,
            serviceAccountName: args.serviceAccountName,
            terminationGracePeriodSeconds: args.terminationGracePeriodSeconds,
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
                    ports: Object.entries(args.containerPorts).map(([portName, containerPort]) => ({
                        name: portName,
                        containerPort,
                        protocol: "TCP",
                    })),
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

/**
 * One stateless HTTP service on Kubernetes: its Deployment, the autoscaler that sizes it,
 * its Service and a PodDisruptionBudget.
 */
export class Microservice extends pulumi.ComponentResource {
    /** The Service's name: the DNS name callers use inside the namespace. */
    public readonly serviceName: pulumi.Output<string>;
    /** The load balancer's hostname, for `LoadBalancer` Services. */
    public readonly loadBalancerHostname: pulumi.Output<string | undefined>;

    constructor(name: string, args: MicroserviceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:services:Microservice", name, {}, opts);
        const labels = { ...args.selector, "app.kubernetes.io/name": args.appName, "app.kubernetes.io/managed-by": "pulumi" };
        const namespace = args.namespace;

        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: args.appName, namespace, labels },
                spec: {
                    // No replicas: the autoscaler owns them. A value here would reset what it chose on every
                    // update; Kubernetes advises leaving it out of the manifest (kubernetes.io/docs/tasks/
                    // run-application/horizontal-pod-autoscale/#migrating-deployments-and-statefulsets-to-horizontal-autoscaling).
                    selector: { matchLabels: args.selector },
                    // New pods must be available before old ones go, so capacity never dips; behind a
                    // load balancer "available" waits minReadySeconds, until the NLB sends it traffic.
                    minReadySeconds: args.minReadySeconds,
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: `${MAX_SURGE_PERCENT}%` } },
                    template: podTemplate(args, labels),
                },
            },
            {
                parent: this,
                dependsOn: args.podsNeed,
                // https://www.pulumi.com/registry/packages/kubernetes/api-docs/apps/v1/deployment/ (the 10-minute default)
                customTimeouts: {
                    create: `${rolloutTimeoutSeconds(args.minReadySeconds)}s`,
                    update: `${rolloutTimeoutSeconds(args.minReadySeconds)}s`,
                },
            },
        );

        new k8s.autoscaling.v2.HorizontalPodAutoscaler(
            `${name}-hpa`,
            {
                // The stack file owns the floor: after an emergency `kubectl patch` of minReplicas,
                // the next `pulumi up` takes it back rather than failing on the field conflict.
                metadata: { name: args.appName, namespace, labels, annotations: { "pulumi.com/patchForce": "true" } },
                spec: scalingSpec(args.appName, args.scaling),
            },
            { parent: this, dependsOn: [deployment, args.metricsSource] },
        );

        const service = this.service(name, args, labels, deployment);
        // One pod may go at a time, even at a floor of one, and a pod that is not ready never
        // holds up a node drain or an Auto Mode consolidation.
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: { name: args.appName, namespace, labels },
                spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: args.selector } },
            },
            { parent: this },
        );

        this.serviceName = service.metadata.name;
        this.loadBalancerHostname = service.status.loadBalancer.ingress.apply((ingress) => ingress?.[0]?.hostname);
        this.registerOutputs({ serviceName: this.serviceName, loadBalancerHostname: this.loadBalancerHostname });
    }

    /** The Service: in-cluster, or an internet-facing load balancer of the exposure's class. */
    private service(name: string, args: MicroserviceArgs, labels: Record<string, string>, deployment: k8s.apps.v1.Deployment) {
        const lb = args.exposure.type === "LoadBalancer" ? args.exposure : undefined;
        return new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: `${args.appName}-service`, namespace: args.namespace, labels, annotations: lb?.annotations },
                spec: {
                    type: args.exposure.type,
                    loadBalancerClass: lb?.loadBalancerClass,
                    selector: args.selector,
                    ports: args.servicePorts.map((p) => ({ ...p, protocol: "TCP" })),
                },
            },
            {
                parent: this,
                // Pulumi waits for ready endpoints (and the load balancer), so the Deployment comes first.
                dependsOn: [deployment],
                // The class is immutable once set; moving to another controller means a new Service.
                replaceOnChanges: ["spec.loadBalancerClass"],
                deleteBeforeReplace: true,
            },
        );
    }
}
