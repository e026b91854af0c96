/**
 * A kubeconfig that authenticates with `aws eks get-token`, so no token is stored in state;
 * as `roleArn` when given. https://awscli.amazonaws.com/v2/documentation/api/latest/reference/eks/get-token.html
 */
export function kubeconfigFor(clusterName: string, endpoint: string, caData: string, region: string, roleArn?: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: [
                            ...["eks", "get-token", "--cluster-name", clusterName, "--region", region],
                            ...(roleArn ? ["--role-arn", roleArn] : []),
                            ...["--output", "json"],
                        ],
                    },
                },
            },
        ],
    });
}
