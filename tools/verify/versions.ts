/**
 * The version claims: the cluster's Kubernetes version against the stack file and the EKS
 * release calendar (facts/awsData.ts EKS_VERSIONS), its upgrade policy, and every add-on the
 * program installs against its pin. At the end of standard support EKS upgrades a STANDARD
 * cluster by itself, and an EXTENDED one at the end of extended support
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpgradePolicyResponse.html).
 */
import { Addon, Cluster, DescribeAddonCommand, DescribeClusterCommand } from "@aws-sdk/client-eks";
import { EKS_VERSIONS, EKS_VERSIONS_SOURCE } from "../../facts/awsData";
import { METRICS_SERVER_ADDON } from "../../regions/cluster";
import { CLUSTER_DNS } from "../../services/networkPolicies";
import { Clients } from "./aws";
import { attempt, Claim, judged, Read, same, then, Verdict } from "./claim";
import { output, Target } from "./target";

const DAY_MS = 86_400_000;

/** Whether the cluster's version is still supported under its support type, and for how long. */
function supported(cluster: Cluster, now: number): Verdict {
    const version = cluster.version ?? "";
    const support = cluster.upgradePolicy?.supportType ?? "EXTENDED";
    const calendar = EKS_VERSIONS[version];
    if (!calendar)
        return {
            observed: `${version} ${support}`,
            status: "UNKNOWN",
            why: `${version} is not in the calendar read from ${EKS_VERSIONS_SOURCE.url}`,
        };
    const end = support === "STANDARD" ? calendar.endOfStandardSupport : calendar.endOfExtendedSupport;
    const days = Math.floor((Date.parse(`${end}T00:00:00Z`) - now) / DAY_MS);
    const observed = `${version} ${support}: support ends ${end} (${days} days)`;
    return { observed, status: days > 0 ? "PASS" : "FAIL", why: `past the end of ${support.toLowerCase()} support` };
}

/** One add-on's version and status against its pin; unpinned, any version EKS chose passes. */
function addonClaim(addon: Read<Addon>, name: string, pin: string | undefined): Claim {
    const expected = `${pin ?? "EKS's default at creation"} ACTIVE`;
    return judged(`eks.addon.${name}`, `the ${name} add-on's version and status`, expected, addon, (a) => {
        const observed = `${a.addonVersion ?? "none"} ${a.status ?? "none"}`;
        return pin === undefined ? { ...same("ACTIVE", a.status ?? "none"), observed } : same(expected, observed);
    });
}

/**
 * The cluster DNS address the pods use: the tenth address of the cluster's service range, which
 * EKS picks from 10.100.0.0/16 or 172.20.0.0/16 when none is set
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigResponse.html).
 * Auto Mode runs DNS on each node behind that address, with no kube-dns Service
 * (aws/containers-roadmap#2546), so the range is read, not a Service. The NetworkPolicies open
 * DNS to CLUSTER_DNS only.
 */
function dnsVerdict(k: Cluster): Verdict {
    const range = k.kubernetesNetworkConfig?.serviceIpv4Cidr;
    const base = /^(\d+\.\d+\.\d+)\.0\/\d+$/.exec(range ?? "")?.[1];
    if (base === undefined) return { observed: range ?? "no service range", status: "UNKNOWN", why: "no IPv4 service range to read" };
    const observed = `${base}.10 (service range ${range})`;
    const open = CLUSTER_DNS.includes(`${base}.10/32`);
    return {
        observed,
        status: open ? "PASS" : "FAIL",
        why: open ? undefined : `the pods' DNS egress allows only ${CLUSTER_DNS.join(" and ")}`,
    };
}

/** The cluster, found by the stack's clusterName output, and its add-ons. */
export async function versionClaims(clients: Clients, target: Target): Promise<Claim[]> {
    const c = target.config.cluster;
    const name = output(target, "clusterName");
    const [cluster, metricsServer] = await Promise.all([
        then(name, (n) =>
            attempt(
                `EKS DescribeCluster ${n}`,
                async () => (await clients.eks.send(new DescribeClusterCommand({ name: n }))).cluster ?? {},
            ),
        ),
        then(name, (n) =>
            attempt(
                `EKS DescribeAddon ${METRICS_SERVER_ADDON}`,
                async () =>
                    (await clients.eks.send(new DescribeAddonCommand({ clusterName: n, addonName: METRICS_SERVER_ADDON }))).addon ?? {},
            ),
        ),
    ]);
    return [
        judged("eks.version", "the cluster's Kubernetes version", c.kubernetesVersion, cluster, (k) =>
            same(c.kubernetesVersion, k.version ?? "none"),
        ),
        judged("eks.supportType", "the cluster's upgrade policy", c.eksSupportType, cluster, (k) =>
            same(c.eksSupportType, k.upgradePolicy?.supportType ?? "none"),
        ),
        judged("eks.support", "the version is within its support window", "support ends in the future", cluster, (k) =>
            supported(k, target.now),
        ),
        judged(
            "eks.dns",
            "the cluster DNS address is one the NetworkPolicies open",
            `one of ${CLUSTER_DNS.join(", ")}`,
            cluster,
            dnsVerdict,
        ),
        addonClaim(metricsServer, METRICS_SERVER_ADDON, c.metricsServerVersion),
    ];
}
