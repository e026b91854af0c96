/**
 * The names the two programs agree on. The bootstrap (an administrator's one-time `up`) makes
 * the IAM roles AWS services run the program's resources as, and each cluster's secrets key;
 * the main program only refers to them. So CI's deploy role never creates a role or a key: a
 * role's trust policy has no condition key IAM can check, so a role CI could create is a role CI
 * could open to anyone (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html).
 */

/** The IAM path of every role the program's resources run as; CI may pass only these. */
export const WORKLOAD_ROLE_PATH = "/multiregion/";

/** The roles, by job: EKS's control plane, Auto Mode's nodes, VPC flow-log delivery. */
export const WORKLOAD_ROLES = {
    cluster: "multiregion-eks-cluster",
    node: "multiregion-eks-auto-node",
    flowLogs: "multiregion-flow-logs",
} as const;
export type WorkloadRole = keyof typeof WORKLOAD_ROLES;

export function workloadRoleArn(accountId: string, role: WorkloadRole): string {
    return `arn:aws:iam::${accountId}:role${WORKLOAD_ROLE_PATH}${WORKLOAD_ROLES[role]}`;
}

/** The boundary every workload role carries (iam/workload-boundary.json), under the CI policies' path. */
export function workloadBoundaryArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:policy/multiregion-ci/multiregion-workload-boundary`;
}

/** A cluster's name: unique in its account and region, and the stem of its key's alias. */
export function clusterName(project: string, stack: string): string {
    return `${project}-${stack}`;
}

/** The alias of the KMS key that encrypts a cluster's Kubernetes secrets, in the cluster's region. */
export function secretsKeyAlias(clusterName: string): string {
    return `alias/${clusterName}-eks-secrets`;
}

/**
 * The fleet's data (#19): one DynamoDB global table per fleet, a replica in each of its regions,
 * owned by the bootstrap so that no region stack's destroy can remove it. The backend counts
 * visits per page: the key is `page` (the path), the counter `visits`, added to atomically.
 */
export const DATA_TABLE = { hashKey: "page", counter: "visits" } as const;

/** Where the backend runs, which its role's trust names (EKS Pod Identity's session tags). */
export const BACKEND_IDENTITY = { namespace: "sample-app", serviceAccount: "sample-app-backend" } as const;

/** The role the backend's pods run as through EKS Pod Identity, one per fleet. */
export function dataRoleName(fleet: string): string {
    return `multiregion-${fleet}-backend-data`;
}

export function dataRoleArn(accountId: string, fleet: string): string {
    return `arn:aws:iam::${accountId}:role${WORKLOAD_ROLE_PATH}${dataRoleName(fleet)}`;
}
