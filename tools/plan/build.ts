/**
 * A plan: what a stack would create, from the real `index.ts` with the stack file's
 * config under the Pulumi mock runtime. Values AWS would assign are placeholders, marked.
 */
import { isSecretValue } from "../offline/mocks";
import { runBootstrap } from "../offline/bootstrap";
import { ProgramRun, runProgram } from "../offline/run";

export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Parent URN; absent for the stack itself. */
    readonly parent?: string;
    readonly custom: boolean;
    /** Name of the provider resource, for resources with an explicit one. */
    readonly provider?: string;
    /** Every input, secrets shown as "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** The few inputs a reviewer looks at first. */
    readonly key: Record<string, unknown>;
    /** Input paths whose values the offline runtime made up: AWS assigns the real ones. */
    readonly placeholders: string[];
    readonly options: { protect?: true; ignoreChanges?: string[]; dependsOn?: string[]; import?: string; retainOnDelete?: true };
}

export interface PlannedOutput {
    readonly value: unknown;
    readonly secret: boolean;
    /** Made up by the mocks: AWS assigns the real value. */
    readonly placeholder: boolean;
}

export interface Plan {
    readonly stack: string;
    readonly project: string;
    readonly region: string;
    readonly role: string;
    /** The availability zones the region offered, in order. */
    readonly zones: string[];
    /** The regions of the table's other replicas, which this region's replication alarms name. */
    readonly peers: string[];
    readonly resources: PlannedResource[];
    readonly counts: Record<string, number>;
    readonly outputs: Record<string, PlannedOutput>;
    /** What the program warned about, as `pulumi up` would show it. */
    readonly warnings: string[];
}

/** What each type's reviewer wants to see first: CIDRs, zones, versions, sizes, images, Service types, DNS. */
const KEY_PROPERTIES: Record<string, string[]> = {
    "pulumi:providers:aws": ["region", "allowedAccountIds"],
    "aws:ec2/vpc:Vpc": ["cidrBlock"],
    "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone"],
    "aws:eks/cluster:Cluster": [
        "version",
        "accessConfig.authenticationMode",
        "computeConfig.nodePools",
        "vpcConfig.publicAccessCidrs",
        "encryptionConfig.resources",
    ],
    "aws:eks/addon:Addon": ["addonName", "addonVersion"],
    "aws:eks/accessEntry:AccessEntry": ["principalArn"],
    "aws:ecr/repository:Repository": ["name", "imageTagMutability"],
    "aws:route53/healthCheck:HealthCheck": ["type", "port", "fqdn", "resourcePath", "requestInterval", "failureThreshold", "regions"],
    "aws:acm/certificate:Certificate": ["domainName", "validationMethod"],
    "aws:cloudwatch/logGroup:LogGroup": ["retentionInDays"],
    "aws:ec2/flowLog:FlowLog": ["trafficType", "maxAggregationInterval"],
    "aws:kms/alias:Alias": ["name"],
    "aws:route53/record:Record": ["name", "type", "ttl", "setIdentifier", "failoverRoutingPolicies"],
    "aws:sns/topic:Topic": ["name"],
    "aws:sns/topicSubscription:TopicSubscription": ["protocol", "endpoint"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        "name",
        "namespace",
        "metricName",
        "statistic",
        "period",
        "comparisonOperator",
        "threshold",
        "treatMissingData",
    ],
    "aws:iam/role:Role": ["name", "maxSessionDuration"],
    "aws:iam/policy:Policy": ["name", "path"],
    "aws:s3/bucketVersioning:BucketVersioning": ["versioningConfiguration.status"],
    "aws:route53/zone:Zone": ["name", "enableAcceleratedRecovery"],
    "aws:organizations/account:Account": ["name", "email"],
    "github:index/repositoryEnvironment:RepositoryEnvironment": ["environment", "deploymentBranchPolicy.customBranchPolicies"],
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": ["environment", "branchPattern"],
    "github:index/actionsVariable:ActionsVariable": ["variableName"],
    "pulumiservice:index:OidcIssuer": ["url", "maxExpirationSeconds"],
    "kubernetes:core/v1:Namespace": ["metadata.name"],
    "kubernetes:core/v1:ConfigMap": ["metadata.namespace", "metadata.name", "data"],
    "kubernetes:apps/v1:Deployment": ["metadata.name", "spec.template.spec.containers[0].image"],
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": [
        "metadata.name",
        "spec.minReplicas",
        "spec.maxReplicas",
        "spec.metrics[0].resource.target.averageUtilization",
    ],
    "kubernetes:core/v1:Service": ["metadata.name", "spec.type", "spec.loadBalancerClass", "spec.ports"],
    "kubernetes:policy/v1:PodDisruptionBudget": ["metadata.name", "spec.maxUnavailable"],
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": ["metadata.name", "spec.podSelector.matchLabels"],
};

/** Reads `a.b[0].c` from an object. */
export function getPath(object: unknown, dotted: string): unknown {
    return dotted
        .split(/\.|\[(\d+)\]/)
        .filter((part) => part !== undefined && part !== "")
        .reduce<unknown>((value, part) => (value as Record<string, unknown> | undefined)?.[part], object);
}

/** Leaf values of an object by path: `a.b[0].c`. */
export function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
    if (Array.isArray(value) && value.length > 0) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
    else if (value && typeof value === "object" && Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    } else out[prefix] = value;
    return out;
}

function redact(value: unknown): unknown {
    if (isSecretValue(value)) return "[secret]";
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
    return value;
}

/** What a plan is built from: a run of the main program, or of the bootstrap (no zones, no failover role). */
export type PlanSource = Pick<ProgramRun, "stack" | "project" | "config" | "resources" | "outputs" | "warnings"> & { readonly zones?: string[] };

export function buildPlan(run: PlanSource): Plan {
    const byUrn = new Map(run.resources.resources.map((r) => [r.urn, r]));
    const nameOf = (ref: string) => byUrn.get(ref.split("::").slice(0, -1).join("::"))?.name ?? ref;
    const resources = run.resources.resources.map((r): PlannedResource => {
        const inputs = redact(r.inputs) as Record<string, unknown>;
        const key = Object.fromEntries(
            (KEY_PROPERTIES[r.type] ?? []).map((p) => [p, getPath(inputs, p)] as const).filter(([, v]) => v !== undefined),
        );
        const dependsOn = r.dependencies.map((urn) => byUrn.get(urn)?.name ?? urn);
        const placeholders = Object.entries(flatten(inputs))
            .filter(([, v]) => run.resources.isPlaceholder(v))
            .map(([path]) => path);
        return {
            urn: r.urn,
            type: r.type,
            name: r.name,
            ...(r.parent ? { parent: r.parent } : {}),
            custom: r.custom,
            ...(r.provider ? { provider: nameOf(r.provider) } : {}),
            inputs,
            key,
            placeholders,
            options: {
                ...(r.protect ? { protect: true as const } : {}),
                ...(r.ignoreChanges.length ? { ignoreChanges: r.ignoreChanges } : {}),
                ...(dependsOn.length ? { dependsOn } : {}),
                ...(r.importId ? { import: r.importId } : {}),
                ...(r.retainOnDelete ? { retainOnDelete: true as const } : {}),
            },
        };
    });
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const registered = run.resources.registeredOutputs.get(stackUrn) ?? {};
    const outputs = Object.fromEntries(
        Object.entries(run.outputs)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([name, value]) => {
                const secret = isSecretValue(registered[name]);
                return [name, { value: secret ? "[secret]" : value, secret, placeholder: run.resources.isPlaceholder(value) }];
            }),
    );
    return {
        stack: run.stack,
        project: run.project,
        region: run.config[`${run.project}:region`] ?? "",
        role: run.config[`${run.project}:role`] ?? "bootstrap",
        zones: run.zones ?? [],
        peers: Array.isArray(run.outputs.dataPeerRegions) ? (run.outputs.dataPeerRegions as string[]) : [],
        resources,
        counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b))),
        outputs,
        warnings: run.warnings,
    };
}

/** Plans a bootstrap stack (bootstrap/Pulumi.<stack>.yaml). */
export async function planBootstrapStack(stack: string): Promise<Plan> {
    return buildPlan(await runBootstrap(stack));
}

/** Plans a stack. Invalid config fails with the messages `pulumi up` would give. */
export async function planStack(stack: string, root?: string): Promise<Plan> {
    return buildPlan(await runProgram(stack, { hostedZones: "assume", root }));
}

