/** Envelope encryption of Kubernetes secrets with a customer-managed KMS key. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface SecretsKey {
    readonly key: aws.kms.Key;
    /** The cluster role's grant on the key; the cluster must wait for it. */
    readonly grant: aws.iam.RolePolicy;
}

export interface SecretsKeyArgs {
    /** The account that owns the key. */
    readonly accountId: string;
    /** The role that encrypts and decrypts the secrets: the control plane's. */
    readonly clusterRole: aws.iam.Role;
    /** Names the alias `alias/<aliasName>`. */
    readonly aliasName: string;
    readonly tags: Record<string, string>;
}

/**
 * The key policy, written out rather than left to KMS's default: the account owns the key
 * and IAM policies grant its use (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export function secretsKeyPolicy(accountId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EnableIamPolicies",
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    });
}

export function secretsKey(name: string, parent: pulumi.Resource, args: SecretsKeyArgs): SecretsKey {
    const key = new aws.kms.Key(
        `${name}-secrets-key`,
        {
            description: `${name} EKS secrets envelope encryption`,
            enableKeyRotation: true,
            policy: secretsKeyPolicy(args.accountId),
            // Deleting it leaves the cluster "permanently in a degraded state" (EKS user guide),
            // so a deletion waits the longest KMS allows, and Pulumi refuses it outright.
            deletionWindowInDays: 30,
            tags: args.tags,
        },
        { parent, protect: true },
    );
    new aws.kms.Alias(`${name}-secrets-key`, { name: `alias/${args.aliasName}`, targetKeyId: key.keyId }, { parent });
    // The cluster role encrypts and decrypts Kubernetes secrets with this key.
    const grant = new aws.iam.RolePolicy(
        `${name}-cluster-kms`,
        {
            role: args.clusterRole.name,
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
