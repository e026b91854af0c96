/**
 * `k8s.images`: the image digest each app container actually runs, from its pods'
 * `status.containerStatuses[].imageID` (the image the runtime resolved, `repo@sha256:…`;
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodStatus).
 * A tag can move; the digest cannot, so live parity (parity.ts) compares this claim's digests across regions,
 * whose repositories differ only in their registry's address.
 */
import type { V1Pod } from "@kubernetes/client-node";
import { Claim, unansweredIf } from "../claim";
import type { ExpectedService } from "./expected";
import { judged } from "./outcome";
import { KubeReader, Refusal, unanswered } from "./reader";

/** The digests of one Deployment's running containers, by container name. */
export type ContainerDigests = Record<string, string[]>;

/** `sha256:…` out of an imageID or an image reference; what follows the `@`, or "" when there is none. */
export function digestOf(image: string): string {
    const at = image.indexOf("@");
    return at < 0 ? "" : image.slice(at + 1);
}

/**
 * Every digest each container of running pods has, sorted and unique. A terminating pod (a
 * rollout's old one, draining for its grace period) still reports phase Running ("This
 * Terminating status is not one of the Pod phases", pod-lifecycle), so it is left out by its
 * deletionTimestamp.
 */
export function runningDigests(pods: V1Pod[]): ContainerDigests {
    const found: Record<string, Set<string>> = {};
    for (const pod of pods.filter((p) => p.status?.phase === "Running" && !p.metadata?.deletionTimestamp)) {
        for (const c of pod.status?.containerStatuses ?? []) {
            const digest = digestOf(c.imageID ?? "") || c.imageID || "";
            if (digest) (found[c.name] ??= new Set()).add(digest);
        }
    }
    return Object.fromEntries(Object.entries(found).map(([name, set]) => [name, [...set].sort()]));
}

/** Each app Deployment's running digests, or why they could not be read. */
export async function imageDigests(reader: KubeReader, services: ExpectedService[]): Promise<Record<string, ContainerDigests | Refusal>> {
    const result: Record<string, ContainerDigests | Refusal> = {};
    for (const s of services) {
        const pods = await reader.pods(s.namespace, s.selector);
        result[s.name] = pods.ok ? runningDigests(pods.value.items) : pods;
    }
    return result;
}

const isRefusal = (v: ContainerDigests | Refusal): v is Refusal => (v as Refusal).ok === false;

type Finding = { readonly settles: "FAIL" | "UNKNOWN"; readonly text: string; readonly unanswered?: boolean };

/** What is wrong with one Deployment's digests: none running (nothing to judge), more than one, or not the pinned one. */
function findings(s: ExpectedService, digests: ContainerDigests | Refusal | undefined): Finding[] {
    if (!digests || isRefusal(digests))
        return [
            { settles: "UNKNOWN", text: digests?.why ?? `${s.name}: not read`, unanswered: digests !== undefined && unanswered(digests) },
        ];
    return Object.entries(s.images).flatMap(([container, image]): Finding[] => {
        const running = digests[container] ?? [];
        const pinned = digestOf(image);
        if (running.length === 0) return [{ settles: "UNKNOWN", text: `${s.name}/${container}: no running pod` }];
        if (running.length > 1)
            return [{ settles: "FAIL", text: `${s.name}/${container}: ${running.length} digests (a rollout under way, or drift)` }];
        if (pinned && running[0] !== pinned)
            return [{ settles: "FAIL", text: `${s.name}/${container}: runs ${running[0]}, the stack pins ${pinned}` }];
        return [];
    });
}

/** The claim over every app Deployment: one digest per container, the pinned one when the stack pins a digest. */
export function imagesClaim(services: ExpectedService[], digests: Record<string, ContainerDigests | Refusal>): Claim {
    const id = "k8s.images";
    const what = "each app container runs one image digest in all its pods";
    const pins = services.flatMap((s) => Object.values(s.images).map(digestOf).filter(Boolean));
    const expected = `one digest per container${pins.length ? `; pinned ${pins.join(", ")}` : ""}`;
    const observed = services
        .map((s) => {
            const d = digests[s.name];
            return `${s.name}=${d && !isRefusal(d) ? Object.values(d).flat().join(",") || "none" : "?"}`;
        })
        .join("; ");
    const found = services.flatMap((s) => findings(s, digests[s.name]));
    const failures = found.filter((f) => f.settles === "FAIL");
    if (failures.length) return judged(id, what, expected, observed, failures.map((f) => f.text).join("; "));
    if (found.length) {
        const why = found.map((f) => f.text).join("; ");
        return { id, what, expected, observed, status: "UNKNOWN", why, ...unansweredIf(found.some((f) => f.unanswered)) };
    }
    return judged(id, what, expected, observed, "");
}
