/**
 * verify's Kubernetes claims: the autoscalers, disruption budgets, NetworkPolicies and their
 * enforcement, metrics-server and its pool, the pods' spread over zones and the digests they run.
 * Expected values come from the program run offline for the stack (./expected.ts); observed ones
 * from the cluster, read with the stack's kubeconfig through get and list calls only.
 */
import type { StackConfig } from "../../../config";
import { Claim, firstLine, unknown } from "../claim";
import { KubeExpected, programExpected } from "./expected";
import { imageDigests, imagesClaim } from "./images";
import { metricsServerClaims } from "./metricsServer";
import { networkPolicyClaims } from "./networkPolicies";
import { KubeReader, Refusal, unanswered } from "./reader";
import { spreadClaim } from "./spread";
import { hpaClaim, pdbClaim } from "./workloads";

export { programExpected, expectedOf } from "./expected";
export type { KubeExpected, ExpectedService } from "./expected";

export interface KubeClaimsInput {
    /** The stack's `kubeconfig` output: it authenticates with `aws eks get-token`. */
    readonly kubeconfig: string;
    /** The stack's typed config (tools/stacks.ts loadStack). */
    readonly config: StackConfig;
    readonly stack: string;
    /** Folder with Pulumi.yaml and the stack files; the repository's by default. */
    readonly root?: string;
    /** Why there is no kubeconfig to read with (the output is missing, or the outputs unreadable: `unanswered`); every claim then says so. */
    readonly unreadable?: { readonly why: string; readonly unanswered?: true };
    /** What the cluster should hold; by default the program's run for the stack (programExpected). */
    readonly expected?: KubeExpected;
}

async function expectationsOf(input: KubeClaimsInput): Promise<KubeExpected> {
    return input.expected ?? programExpected(input.stack, input.config, input.root);
}

/** Every Kubernetes claim, PASS, FAIL or UNKNOWN; an unusable kubeconfig makes each one UNKNOWN, never an error. */
export async function kubeClaims(input: KubeClaimsInput): Promise<Claim[]> {
    let expected: KubeExpected;
    try {
        expected = await expectationsOf(input);
    } catch (err) {
        // Without the program's objects there is nothing to compare, and no claim ids to name.
        const why = `cannot run the program offline for ${input.stack}: ${firstLine(err)}`;
        return [unknown("k8s", "the cluster holds what the program creates", "", why)];
    }
    const reader: KubeReader | Refusal =
        input.unreadable === undefined
            ? KubeReader.load(input.kubeconfig)
            : { ok: false, reason: input.unreadable.unanswered ? "unusable" : "notDeployed", why: input.unreadable.why };
    const claims: Claim[] = [];
    for (const s of expected.services) {
        if (!(reader instanceof KubeReader)) {
            for (const kind of ["hpa", "pdb", "spread"])
                claims.push(unknown(`k8s.${kind}.${s.name}`, `${s.name}: ${kind}`, "", reader.why, unanswered(reader)));
            continue;
        }
        claims.push(await hpaClaim(reader, s), await pdbClaim(reader, s), await spreadClaim(reader, s, expected.zoneCount));
    }
    if (!(reader instanceof KubeReader)) {
        const ids = [
            ...expected.networkPolicies.map((p) => `k8s.netpol.${p.name}`),
            "k8s.metrics-server",
            "k8s.metrics-server.pool",
            "k8s.images",
        ];
        return [...claims, ...ids.map((id) => unknown(id, id, "", reader.why, unanswered(reader)))];
    }
    claims.push(...(await networkPolicyClaims(reader, expected.networkPolicies)));
    claims.push(...(await metricsServerClaims(reader, expected.metricsServer)));
    claims.push(imagesClaim(expected.services, await imageDigests(reader, expected.services)));
    return claims;
}
