/** Envelope encryption of Kubernetes secrets with a customer-managed KMS key. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecretsKey {
    readonly key: aws.kms.Key;
    /** The cluster role's grant on the key; the cluster must wait for it. */
    readonly grant: aws.iam.RolePolicy;
}

export function secretsKey(name: string, parent: pulumi.Resource, clusterRole: aws.iam.Role, tags: Record<string, string>): SecretsKey {
    const key = new aws.kms.Key(
        `${name}-secrets-key`,
        { description: `${name} EKS secrets envelope encryption`, enableKeyRotation: true, tags },
        { parent },
    );
    // The cluster role encrypts and decrypts Kubernetes secrets with this key.
    const grant = new aws.iam.RolePolicy(
        `${name}-cluster-kms`,
        {
            role: clusterRole.name,
            policy: key.arn.apply((arn) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: arn },
                    ],
                }),
            ),
        },
        { parent },
    );
    return { key, grant };
}
