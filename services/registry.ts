import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * This region's ECR repositories, so a region never pulls images from another region.
 * Images must exist before the workloads that run them, so `npm run images` creates the
 * repositories and pushes; this component then adopts them by name and manages them.
 */
export interface ImageRegistryArgs {
    /** Repository names; each is a contract with the image push step, so it is set, not generated. */
    readonly repositories: string[];
    /** Tags for every repository. */
    readonly tags: Record<string, string>;
    /** Untagged images are expired after this many days. */
    readonly untaggedExpiryDays?: number;
}

/** An image in one of these repositories: the repository plus a pinned `:tag` or `@sha256:...`. */
export interface PinnedImage {
    readonly repository: string;
    readonly pin: string;
}

/** The settings `npm run images` creates a repository with; adoption needs them to match. */
export const REPOSITORY_SETTINGS = {
    // Pinned tags must mean one image forever, in every region.
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "AES256" }],
} as const;

export class ImageRegistry extends pulumi.ComponentResource {
    /** Repository URL by repository name. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>> = {};

    constructor(name: string, args: ImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:services:ImageRegistry", name, {}, opts);
        for (const repository of [...new Set(args.repositories)]) {
            const repo = new aws.ecr.Repository(
                `${name}-${repository}`,
                {
                    name: repository,
                    ...REPOSITORY_SETTINGS,
                    encryptionConfigurations: [...REPOSITORY_SETTINGS.encryptionConfigurations],
                    forceDelete: false,
                    tags: args.tags,
                },
                // Adopted by name; the images outlive a `pulumi destroy`, so a rebuilt region finds them.
                { parent: this, import: repository, retainOnDelete: true },
            );
            new aws.ecr.LifecyclePolicy(
                `${name}-${repository}`,
                {
                    repository: repo.name,
                    policy: JSON.stringify({
                        rules: [
                            {
                                rulePriority: 1,
                                description: "Expire untagged images; tagged ones are pinned by some stack.",
                                selection: {
                                    tagStatus: "untagged",
                                    countType: "sinceImagePushed",
                                    countUnit: "days",
                                    countNumber: args.untaggedExpiryDays ?? 14,
                                },
                                action: { type: "expire" },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
            this.repositoryUrls[repository] = repo.repositoryUrl;
        }
        this.registerOutputs({ repositoryUrls: this.repositoryUrls });
    }

    /** The full image reference for `image`, always in this region's registry. */
    imageFor(image: PinnedImage): pulumi.Output<string> {
        const url = this.repositoryUrls[image.repository];
        if (!url) throw new Error(`no repository ${image.repository} in this registry`);
        return pulumi.interpolate`${url}${image.pin}`;
    }
}
