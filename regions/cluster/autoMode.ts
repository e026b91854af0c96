/**
 * EKS Auto Mode: AWS runs the nodes (Karpenter node pools), block storage, load balancing,
 * pod networking and DNS, so capacity follows pending pods with no node group to size.
 * https://docs.aws.amazon.com/eks/latest/userguide/automode.html
 */

/**
 * The built-in node pools: general-purpose for workloads, system (tainted CriticalAddonsOnly)
 * for cluster-critical pods that tolerate the taint and select the pool
 * (https://docs.aws.amazon.com/eks/latest/userguide/critical-workload.html). The metrics-server
 * add-on asks for neither today, so it may run on general-purpose; `npm run verify` reports where
 * (k8s.metrics-server.pool).
 * https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
 */
export const NODE_POOLS = ["general-purpose", "system"];

/** "general-purpose ... Uses only amd64 architecture", so images are built for it. */
export const NODE_PLATFORM = "linux/amd64";
