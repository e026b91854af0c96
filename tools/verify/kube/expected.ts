/**
 * What the cluster should hold, taken from the program itself: the real `index.ts` run offline
 * for the stack file, as `npm run plan` runs it. Names, labels, the autoscalers' floors and
 * ceilings (from the stack's config), the budgets, the spread rules and the NetworkPolicies are
 * the objects the program registers, so no value here is written a second time.
 */
import type { StackConfig } from "../../../config";
import { NODE_POOLS } from "../../../regions/cluster";
import { ProgramRun, ResourceRecord, runProgram } from "../../offline/run";

const TYPES = {
    deployment: "kubernetes:apps/v1:Deployment",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    service: "kubernetes:core/v1:Service",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    addon: "aws:eks/addon:Addon",
} as const;

/**
 * The built-in pool `regions/cluster/autoMode.ts` says holds metrics-server apart from the app;
 * it must be one the cluster enables. Auto Mode's `system` pool is tainted CriticalAddonsOnly
 * (https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html).
 */
const METRICS_POOL = "system";

/** Where EKS add-ons run, and so the metrics-server Deployment the add-on makes
 * (https://docs.aws.amazon.com/eks/latest/userguide/metrics-server.html). */
export const ADDON_NAMESPACE = "kube-system";

/** One topology spread rule of a pod template. */
export interface SpreadRule {
    readonly topologyKey: string;
    readonly maxSkew: number;
    /** `DoNotSchedule` makes the rule hard; `ScheduleAnyway` only a preference. */
    readonly whenUnsatisfiable: string;
}

/** One app Deployment and what the program puts around it. */
export interface ExpectedService {
    /** The Deployment's name; the claims' ids use it. */
    readonly name: string;
    readonly namespace: string;
    /** Labels that select its pods. */
    readonly selector: Record<string, string>;
    /** Its containers' images as the program sets them: `repo:tag` or `repo@sha256:…`. */
    readonly images: Record<string, string>;
    /** The autoscaler aimed at it. */
    readonly hpa?: { readonly name: string; readonly spec: Record<string, unknown> };
    /** The budget over its pods. */
    readonly pdb?: { readonly name: string; readonly spec: Record<string, unknown> };
    /** The Service over the same pods: its EndpointSlices say where the ready pods run. */
    readonly serviceName?: string;
    readonly spread: SpreadRule[];
}

export interface KubeExpected {
    readonly services: ExpectedService[];
    /** Every NetworkPolicy the program creates, with the spec it sets. */
    readonly networkPolicies: { readonly name: string; readonly namespace: string; readonly spec: Record<string, unknown> }[];
    /** The metrics-server add-on the autoscalers wait for: its Deployment's name, and the pool it should run on. */
    readonly metricsServer?: { readonly name: string; readonly namespace: string; readonly pool?: string };
    /** How many zones the cluster's subnets, and so its nodes, span. */
    readonly zoneCount: number;
}

type Meta = { name: string; namespace?: string; labels?: Record<string, string> };
/** The fields of a recorded Kubernetes object's inputs these expectations read. */
type Spec = Record<string, unknown> & {
    scaleTargetRef?: { name?: string };
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
};
const meta = (r: ResourceRecord) => r.inputs.metadata as Meta;
const specOf = (r: ResourceRecord) => (r.inputs.spec ?? {}) as Spec;
const sameLabels = (a: Record<string, string> = {}, b: Record<string, string> = {}) =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** One Deployment's expectations from the objects around it in the program. */
function serviceOf(deployment: ResourceRecord, of: (type: string) => ResourceRecord[]): ExpectedService {
    const { name, namespace = "default" } = meta(deployment);
    const spec = deployment.inputs.spec as {
        selector: { matchLabels: Record<string, string> };
        template: { spec: { containers: { name: string; image: string }[]; topologySpreadConstraints?: SpreadRule[] } };
    };
    const selector = spec.selector.matchLabels;
    const inNamespace = (r: ResourceRecord) => (meta(r).namespace ?? "default") === namespace;
    const hpa = of(TYPES.hpa).find((r) => inNamespace(r) && specOf(r).scaleTargetRef?.name === name);
    const pdb = of(TYPES.pdb).find((r) => inNamespace(r) && sameLabels(specOf(r).selector?.matchLabels, selector));
    const service = of(TYPES.service).find((r) => inNamespace(r) && sameLabels(specOf(r).selector, selector));
    return {
        name,
        namespace,
        selector,
        images: Object.fromEntries(spec.template.spec.containers.map((c) => [c.name, c.image])),
        hpa: hpa ? { name: meta(hpa).name, spec: specOf(hpa) } : undefined,
        pdb: pdb ? { name: meta(pdb).name, spec: specOf(pdb) } : undefined,
        serviceName: service ? meta(service).name : undefined,
        spread: (spec.template.spec.topologySpreadConstraints ?? []).map(({ topologyKey, maxSkew, whenUnsatisfiable }) => ({
            topologyKey,
            maxSkew,
            whenUnsatisfiable,
        })),
    };
}

/** The metrics source: the add-on the autoscalers depend on. */
function metricsServerOf(resources: ResourceRecord[]): KubeExpected["metricsServer"] {
    const hpaDependencies = new Set(resources.filter((r) => r.type === TYPES.hpa).flatMap((r) => r.dependencies));
    const addon = resources.find((r) => r.type === TYPES.addon && hpaDependencies.has(r.urn));
    if (!addon) return undefined;
    return {
        name: String(addon.inputs.addonName as string),
        namespace: ADDON_NAMESPACE,
        pool: NODE_POOLS.includes(METRICS_POOL) ? METRICS_POOL : undefined,
    };
}

/** What the program's registered resources say the cluster holds. */
export function expectedOf(resources: ResourceRecord[], config: Pick<StackConfig, "network">): KubeExpected {
    const of = (type: string) => resources.filter((r) => r.type === type);
    return {
        services: of(TYPES.deployment).map((d) => serviceOf(d, of)),
        networkPolicies: of(TYPES.networkPolicy).map((r) => ({
            name: meta(r).name,
            namespace: meta(r).namespace ?? "default",
            spec: specOf(r),
        })),
        metricsServer: metricsServerOf(resources),
        zoneCount: config.network.azCount,
    };
}

/** Runs the program offline for the stack, as the plan does, and reads its expectations. */
export async function programExpected(stack: string, config: StackConfig, root?: string): Promise<KubeExpected> {
    const run: ProgramRun = await runProgram(stack, { hostedZones: "assume", root });
    return expectedOf(run.resources.resources, config);
}
