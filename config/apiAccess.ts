/**
 * Who may reach the cluster's public Kubernetes API (`publicAccessCidrs`). Stage and production take
 * narrow blocks only: CI runners with fixed egress and a person's /32, never the internet.
 * EKS applies the list to the public endpoint only; nodes reach the API through the private
 * endpoint, which stays on (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html,
 * https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html).
 */
import { parseCidr } from "../facts/cidr";

/** Every IPv4 address. */
const INTERNET = 2 ** 32;

/** The most addresses a prod stack may open its API to, in all: a /16's worth. */
export const PROD_API_MAX_ADDRESSES = 2 ** 16;

/** The fleet a stack belongs to: its name up to the first dash (`prod-us` is in `prod`). */
export function fleetOf(stack: string): string {
    return stack.split("-")[0] ?? stack;
}

/** The fleet CI deploys to production. */
export const PROD_FLEET = "prod";

/**
 * The fleets deploy.yml deploys on every push to main, in this order, from runners with fixed
 * egress: their API must not face the internet. Stage runs before prod, as prod runs (docs/cicd.md).
 */
export const DEPLOY_FLEETS = ["stage", PROD_FLEET] as const;

const NARROW = `${DEPLOY_FLEETS.map((f) => `${f}-*`).join(" or ")} stack`;

/** Whether `stack` belongs to a fleet whose API takes narrow blocks only. */
export function isDeployedFleet(stack: string): boolean {
    return (DEPLOY_FLEETS as readonly string[]).includes(fleetOf(stack));
}

/** How many distinct addresses the blocks cover together; overlapping blocks count once. */
export function addressesCovered(cidrs: readonly string[]): number {
    const ranges = cidrs
        .map(parseCidr)
        .filter((c) => c !== undefined)
        .map((c) => [c.base, c.base + 2 ** (32 - c.prefix)] as const)
        .sort((a, b) => a[0] - b[0]);
    let total = 0;
    let end = 0;
    for (const [start, stop] of ranges) {
        if (stop <= end) continue;
        total += stop - Math.max(start, end);
        end = stop;
    }
    return total;
}

/** True when the blocks leave no IPv4 address out. */
export function coversInternet(cidrs: readonly string[]): boolean {
    return addressesCovered(cidrs) === INTERNET;
}

/** The problem of a prod stack's API open to more than narrow blocks, or undefined. */
export function publicApiProblem(project: string, stack: string, cidrs: readonly string[]): string | undefined {
    if (!isDeployedFleet(stack)) return undefined;
    const covered = addressesCovered(cidrs);
    if (covered <= PROD_API_MAX_ADDRESSES) return undefined;
    const what = covered < INTERNET ? `${covered} addresses` : cidrs.length === 1 ? "the whole internet" : "together the whole internet";
    return `${project}:publicAccessCidrs: got ${JSON.stringify(cidrs)}, ${what}; allowed in a ${NARROW}: at most ${PROD_API_MAX_ADDRESSES} addresses in all (a /16), such as your CI runners' fixed egress and a person's /32 (docs/deploying.md#who-reaches-the-kubernetes-api)`;
}

/** The warning for a stack outside prod whose API faces the whole internet, or undefined. */
export function publicApiWarning(project: string, cidrs: readonly string[]): string | undefined {
    if (!coversInternet(cidrs)) return undefined;
    return `${project}:publicAccessCidrs allows the whole internet to reach the Kubernetes API: fine for a throwaway fleet deployed from GitHub-hosted runners, refused in a ${NARROW}.`;
}
