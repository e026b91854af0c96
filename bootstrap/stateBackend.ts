/**
 * The self-managed state backend: an S3 bucket for the main program's state and a KMS key
 * as its secrets provider. With it the workflows need no Pulumi token, only AWS OIDC
 * (https://www.pulumi.com/docs/iac/concepts/state-and-backends/#aws-s3).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface StateBackendArgs {
    /** Region of the bucket and key; it goes into the backend and secrets-provider URLs. */
    readonly region: string;
    /** Alias of the secrets key, without `alias/`. */
    readonly keyAlias: string;
    readonly tags: Record<string, string>;
}

/** Every state bucket's name starts with this; the CI policies let only such buckets' objects be read. */
export const STATE_BUCKET_PREFIX = "multiregion-pulumi-state-";
/** The state key's alias, without `alias/`; the CI policies let only a key with it decrypt. */
export const STATE_KEY_ALIAS = "multiregion-pulumi-state";

export class StateBackend extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly keyArn: pulumi.Output<string>;
    /** What `pulumi login` takes: `s3://<bucket>?region=<region>`. */
    public readonly backendUrl: pulumi.Output<string>;
    /** What `pulumi stack init --secrets-provider` takes: `awskms://alias/<alias>?region=<region>`. */
    public readonly secretsProvider: pulumi.Output<string>;

    constructor(name: string, args: StateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:StateBackend", name, {}, opts);
        const { tags } = args;
        // State and its key outlive any mistake in this program: both are protected, and the
        // key waits the longest window before deletion
        // (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: "Pulumi state: secrets provider and bucket encryption",
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags,
            },
            { parent: this, protect: true },
        );
        const alias = new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.keyAlias}`, targetKeyId: key.keyId }, { parent: this });
        // The prefix and the alias are what iam/preview-policy.json and iam/deploy-boundary.json
        // exempt from their denies on reading objects and decrypting (STATE_BUCKET_PREFIX).
        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            { bucketPrefix: STATE_BUCKET_PREFIX, forceDestroy: false, tags },
            { parent: this, protect: true },
        );
        protectBucket(name, bucket, key, this);
        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.keyArn = key.arn;
        this.backendUrl = pulumi.interpolate`s3://${bucket.bucket}?region=${args.region}`;
        this.secretsProvider = pulumi.interpolate`awskms://${alias.name}?region=${args.region}`;
        this.registerOutputs({
            bucketName: this.bucketName,
            bucketArn: this.bucketArn,
            keyArn: this.keyArn,
            backendUrl: this.backendUrl,
            secretsProvider: this.secretsProvider,
        });
    }
}

/** Versioned, encrypted with the state key, closed to the public, TLS only. */
function protectBucket(name: string, bucket: aws.s3.Bucket, key: aws.kms.Key, parent: pulumi.Resource): void {
    // Every earlier state file stays recoverable: Pulumi's own advice for a self-managed backend.
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent });
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        {
            bucket: bucket.id,
            // A bucket key cuts the KMS calls per object (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
        },
        { parent },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-public-access`,
        { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
        { parent },
    );
    new aws.s3.BucketOwnershipControls(
        `${name}-ownership`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    // TLS only (https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit).
    new aws.s3.BucketPolicy(
        `${name}-tls-only`,
        {
            bucket: bucket.id,
            policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyPolicy(arn))),
        },
        // A policy put before the block could be public for a moment; AWS rejects none, but keep the order.
        { parent, dependsOn: [publicAccess] },
    );
}

/** Denies every request to the bucket that does not arrive over TLS. */
export function tlsOnlyPolicy(bucketArn: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "TlsOnly",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
