/**
 * How long a stack's Kubernetes version has left. With upgradePolicy STANDARD, EKS upgrades
 * the cluster itself once standard support ends, and the next `pulumi up`, still asking for
 * the old version, then tries a downgrade, which EKS refuses; with EXTENDED the same happens
 * at the end of extended support
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). CI fails
 * SUPPORT_NOTICE_DAYS before that, while there is time to upgrade on purpose.
 */
import { EKS_VERSIONS, EKS_VERSIONS_SOURCE } from "../facts/awsData";

/** Days before EKS would upgrade the cluster that CI starts failing: EKS itself announces at least 60 days ahead. */
export const SUPPORT_NOTICE_DAYS = 60;

const DAY_MS = 24 * 60 * 60 * 1000;

/** The day EKS starts upgrading a cluster on `version` with this upgrade policy, or undefined for a version the table lacks. */
export function upgradeDate(version: string, supportType: "STANDARD" | "EXTENDED"): string | undefined {
    const dates = EKS_VERSIONS[version];
    if (!dates) return undefined;
    return supportType === "STANDARD" ? dates.endOfStandardSupport : dates.endOfExtendedSupport;
}

/**
 * The problem of a stack whose version EKS upgrades within SUPPORT_NOTICE_DAYS of `today`
 * (or already has), naming the stack, the version, the date and what to do; undefined when
 * the version has longer.
 */
export function supportProblem(stack: string, version: string, supportType: "STANDARD" | "EXTENDED", today: Date): string | undefined {
    const date = upgradeDate(version, supportType);
    if (!date)
        return `${stack}: kubernetesVersion "${version}" has no line in facts/awsData.ts's EKS_VERSIONS; add it from ${EKS_VERSIONS_SOURCE.url}`;
    // Whole days between today's UTC date and the upgrade date.
    const days = Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(today.toISOString().slice(0, 10))) / DAY_MS);
    if (days > SUPPORT_NOTICE_DAYS) return undefined;
    const phase = supportType === "STANDARD" ? "standard" : "extended";
    const when = days > 0 ? `in ${days} days` : days === 0 ? "today" : `${-days} days ago`;
    return `${stack}: kubernetesVersion "${version}" leaves EKS ${phase} support on ${date} (${when}), when EKS upgrades the cluster itself and the next up would try a downgrade; upgrade it to a newer version in every stack of the fleet, standby first`;
}
