/**
 * The cluster, read-only: the stack's kubeconfig loaded by the real Kubernetes client, and only
 * the get and list calls the claims need. A failed read is an answer (forbidden, not found,
 * unreachable), never a thrown error, so one missing permission leaves one claim UNKNOWN.
 */
import {
    ApiException,
    AppsV1Api,
    AutoscalingV2Api,
    CoreV1Api,
    CustomObjectsApi,
    DiscoveryV1Api,
    KubeConfig,
    PolicyV1Api,
} from "@kubernetes/client-node";
import { firstLine } from "../claim";

/**
 * Why a read gave nothing: the API refused it, the object or its type is absent, the cluster could
 * not be asked, or the stack has no kubeconfig output to ask it with (not deployed).
 */
export type Refusal = { readonly ok: false; readonly reason: "forbidden" | "notFound" | "unusable" | "notDeployed"; readonly why: string };

/** A refusal that is the cluster not answering (Claim.unanswered), not a thing absent or not deployed yet. */
export function unanswered(r: Refusal): boolean {
    return r.reason === "forbidden" || r.reason === "unusable";
}
export type Read<T> = { readonly ok: true; readonly value: T } | Refusal;

/** A failed call as a refusal: 401 and 403 are the role's missing permission, 404 an absent object or type. */
export function refusal(what: string, err: unknown): Refusal {
    if (err instanceof ApiException) {
        const code = (err as ApiException<unknown>).code;
        if (code === 401 || code === 403) return { ok: false, reason: "forbidden", why: `forbidden: ${what} (HTTP ${code})` };
        if (code === 404) return { ok: false, reason: "notFound", why: `not found: ${what}` };
        return { ok: false, reason: "unusable", why: `${what}: HTTP ${code}` };
    }
    return { ok: false, reason: "unusable", why: `cannot ask the cluster (${what}): ${firstLine(err)}` };
}

/** One clients set per kubeconfig: reads only, each named by its verb and resource for the claims' reasons. */
export class KubeReader {
    private readonly apps: AppsV1Api;
    private readonly autoscaling: AutoscalingV2Api;
    private readonly policy: PolicyV1Api;
    private readonly custom: CustomObjectsApi;
    private readonly core: CoreV1Api;
    private readonly discovery: DiscoveryV1Api;

    private constructor(config: KubeConfig) {
        this.apps = config.makeApiClient(AppsV1Api);
        this.autoscaling = config.makeApiClient(AutoscalingV2Api);
        this.policy = config.makeApiClient(PolicyV1Api);
        this.custom = config.makeApiClient(CustomObjectsApi);
        this.core = config.makeApiClient(CoreV1Api);
        this.discovery = config.makeApiClient(DiscoveryV1Api);
    }

    /** The reader, or why the kubeconfig cannot be used. */
    static load(kubeconfig: string): KubeReader | Refusal {
        try {
            const config = new KubeConfig();
            config.loadFromString(kubeconfig);
            if (!config.getCurrentCluster())
                return { ok: false, reason: "unusable", why: "kubeconfig unusable: it names no current cluster" };
            return new KubeReader(config);
        } catch (err) {
            return { ok: false, reason: "unusable", why: `kubeconfig unusable: ${firstLine(err)}` };
        }
    }

    private async read<T>(what: string, call: () => Promise<T>): Promise<Read<T>> {
        try {
            return { ok: true, value: await call() };
        } catch (err) {
            return refusal(what, err);
        }
    }

    deployment(namespace: string, name: string) {
        return this.read("get deployments", () => this.apps.readNamespacedDeployment({ namespace, name }));
    }

    hpa(namespace: string, name: string) {
        return this.read("get horizontalpodautoscalers", () => this.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }));
    }

    pdb(namespace: string, name: string) {
        return this.read("get poddisruptionbudgets", () => this.policy.readNamespacedPodDisruptionBudget({ namespace, name }));
    }

    /**
     * Read untyped, as the API sends them: the typed client renames fields it cannot name in
     * TypeScript (`from` becomes `_from`), and the specs are compared with the program's as JSON.
     */
    networkPolicies(namespace: string): Promise<Read<{ items?: { metadata?: { name?: string }; spec?: unknown }[] }>> {
        return this.read("list networkpolicies", () =>
            this.custom.listNamespacedCustomObject({ group: "networking.k8s.io", version: "v1", namespace, plural: "networkpolicies" }),
        );
    }

    /** The network policy controller's PolicyEndpoints (networking.k8s.aws/v1alpha1), untyped: no client ships their type. */
    policyEndpoints(namespace: string): Promise<Read<{ items?: PolicyEndpoint[] }>> {
        return this.read("list policyendpoints", () =>
            this.custom.listNamespacedCustomObject({
                group: "networking.k8s.aws",
                version: "v1alpha1",
                namespace,
                plural: "policyendpoints",
            }),
        );
    }

    pods(namespace: string, selector: Record<string, string>) {
        const labelSelector = Object.entries(selector)
            .map(([k, v]) => `${k}=${v}`)
            .join(",");
        return this.read("list pods", () => this.core.listNamespacedPod({ namespace, labelSelector }));
    }

    node(name: string) {
        return this.read("get nodes", () => this.core.readNode({ name }));
    }

    /** A Service's EndpointSlices, found by the label the EndpointSlice controller sets. */
    endpointSlices(namespace: string, service: string) {
        return this.read("list endpointslices", () =>
            this.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` }),
        );
    }
}

/** The fields of a PolicyEndpoint the claims read (aws/amazon-network-policy-controller-k8s api/v1alpha1). */
export interface PolicyEndpoint {
    readonly metadata?: { readonly name?: string };
    readonly spec?: { readonly policyRef?: { readonly name?: string; readonly namespace?: string } };
}
