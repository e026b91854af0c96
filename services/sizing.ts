/**
 * How much one pod carries, and so what a region serves. The default throughput is
 * measured by `npm run bench`: one frontend pod with the backend behind it, each process
 * held to the pod's 500m CPU limit.
 */
import type { ServicesSettings } from "../config/types";

/** What a region serves: pods per service and requests per second, at its floor and its ceiling. */
export interface Capacity {
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly cpuTargetPercent: number;
    /** What the region serves the moment traffic arrives, before the autoscaler acts. */
    readonly floorRequestsPerSecond: number;
    /** What it serves once grown to its ceiling. */
    readonly maxRequestsPerSecond: number;
}

export function capacityOf(services: ServicesSettings): Capacity {
    const { minReplicas, maxReplicas, cpuTargetPercent, podRequestsPerSecond } = services;
    return {
        minReplicas,
        maxReplicas,
        cpuTargetPercent,
        floorRequestsPerSecond: minReplicas * podRequestsPerSecond,
        maxRequestsPerSecond: maxReplicas * podRequestsPerSecond,
    };
}
