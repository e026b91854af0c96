/**
 * EKS Auto Mode: AWS runs the nodes (Karpenter node pools), block storage, load balancing,
 * pod networking and DNS, so capacity follows pending pods with no node group to size.
 * https://docs.aws.amazon.com/eks/latest/userguide/automode.html
 */

/**
 * The built-in node pools: general-purpose for workloads, system (tainted CriticalAddonsOnly)
 * so metrics-server and other cluster-critical pods never compete with the app for nodes.
 * https://docs.aws.amazon.com/eks/latest/userguide/set-builtin-node-pools.html
 */
export const NODE_POOLS = ["general-purpose", "system"];

/** "general-purpose ... Uses only amd64 architecture", so images are built for it. */
export const NODE_PLATFORM = "linux/amd64";
