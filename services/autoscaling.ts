/**
 * The autoscaler every service gets: CPU-driven, quick to grow when a region takes over
 * the other's traffic, slow to shrink. Defaults and semantics:
 * https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#default-behavior
 */
import * as k8s from "@pulumi/kubernetes";

/** The autoscaler's floor, ceiling and CPU target for one service. */
export interface Scaling {
    /** The floor: the role's warm minimum, or the switchover's override. */
    readonly minReplicas: number;
    /** The ceiling: what one region alone must carry. */
    readonly maxReplicas: number;
    /** Average CPU, as a percentage of each pod's request, to keep the service at. */
    readonly cpuTargetPercent: number;
}

/** Seconds over which the autoscaler looks back before shrinking. */
export const SCALE_DOWN_WINDOW_SECONDS = 300;

export function scalingSpec(deployment: string, s: Scaling): k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment },
        minReplicas: s.minReplicas,
        maxReplicas: s.maxReplicas,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: s.cpuTargetPercent } } }],
        behavior: {
            // A failover lands the whole load at once: no stabilisation, and each 15 s the larger
            // of doubling or adding four pods.
            scaleUp: {
                stabilizationWindowSeconds: 0,
                selectPolicy: "Max",
                policies: [
                    { type: "Percent", value: 100, periodSeconds: 15 },
                    { type: "Pods", value: 4, periodSeconds: 15 },
                ],
            },
            // A dip right after taking over must not shed capacity: five minutes of history, then
            // at most half the pods a minute.
            scaleDown: {
                stabilizationWindowSeconds: SCALE_DOWN_WINDOW_SECONDS,
                selectPolicy: "Max",
                policies: [{ type: "Percent", value: 50, periodSeconds: 60 }],
            },
        },
    };
}
