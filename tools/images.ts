/**
 * `npm run images -- --stack prod-us [--dry-run]`
 *
 * Puts a region's images in place before its first (or next) `pulumi up`:
 *   1. creates each ECR repository the stack file names, unless it exists, with the
 *      settings and tags the stack adopts it with (so adoption finds no difference);
 *   2. builds each image for the nodes' CPU architecture (Auto Mode's general-purpose pool is amd64);
 *   3. pushes it with the tag the stack file pins, unless that tag is already there
 *      (tags are immutable, so an existing tag is the same image).
 * `--dry-run` prints the commands instead of running them.
 */
import { ImageRef, StackConfig } from "../config";
import { NODE_PLATFORM } from "../regions/cluster/autoMode";
import { REPOSITORY_SETTINGS } from "../services/registry";
import { CommandRunner, Main, MissingToolError, parseCommand, processIo, runMain, shellQuote, UsageError } from "./cli";
import { loadStack, requireStack, ROOT } from "./stacks";

export interface ImageBuild {
    readonly app: "backend" | "frontend";
    readonly repository: string;
    readonly tag: string;
    readonly dockerfile: string;
}

export interface ImagePlan {
    readonly stack: string;
    readonly region: string;
    /** Docker platform of the nodes. */
    readonly platform: string;
    /** Tags the stack puts on every repository. */
    readonly tags: Record<string, string>;
    readonly builds: ImageBuild[];
}

function tagOf(app: string, image: ImageRef): string {
    if (!image.pin.startsWith(":")) {
        throw new UsageError(
            `${app}Image is pinned by digest (${image.repository}${image.pin}); this tool builds tags. Push digest-pinned images from the CI that produced them.`,
        );
    }
    return image.pin.slice(1);
}

export function planImages(config: StackConfig): ImagePlan {
    const { stack, region, services } = config;
    const builds: ImageBuild[] = (["backend", "frontend"] as const).map((app) => {
        const image = app === "backend" ? services.backendImage : services.frontendImage;
        return { app, repository: image.repository, tag: tagOf(app, image), dockerfile: `services/${app}/Dockerfile` };
    });
    return { stack, region, platform: NODE_PLATFORM, tags: config.tags, builds };
}

export async function pushImages(plan: ImagePlan, runner: CommandRunner, log: (line: string) => void): Promise<void> {
    const aws = (...args: string[]) => ["aws", ...args, "--region", plan.region];
    const account = await runner
        .run(["aws", "sts", "get-caller-identity", "--query", "Account", "--output", "text"], { capture: true })
        .catch((err: unknown) => {
            if (err instanceof MissingToolError) throw err;
            throw new MissingToolError(
                `no usable AWS credentials (aws sts get-caller-identity failed); sign in with aws sso login, or set AWS_PROFILE, then run this again`,
            );
        });
    const registry = `${account}.dkr.ecr.${plan.region}.amazonaws.com`;

    for (const repository of [...new Set(plan.builds.map((b) => b.repository))]) {
        const exists = await runner.run(aws("ecr", "describe-repositories", "--repository-names", repository), { capture: true }).then(
            () => true,
            () => false,
        );
        if (exists) continue;
        await runner.run(
            aws(
                "ecr",
                "create-repository",
                "--repository-name",
                repository,
                "--image-tag-mutability",
                REPOSITORY_SETTINGS.imageTagMutability,
                "--image-scanning-configuration",
                `scanOnPush=${REPOSITORY_SETTINGS.imageScanningConfiguration.scanOnPush}`,
                "--encryption-configuration",
                `encryptionType=${REPOSITORY_SETTINGS.encryptionConfigurations[0].encryptionType}`,
                "--tags",
                ...Object.entries(plan.tags).map(([Key, Value]) => `Key=${Key},Value=${Value}`),
            ),
            { capture: true },
        );
    }

    const password = await runner.run(aws("ecr", "get-login-password"), { capture: true });
    await runner.run(["docker", "login", "--username", "AWS", "--password-stdin", registry], { input: password });
    for (const build of plan.builds) {
        const image = `${registry}/${build.repository}:${build.tag}`;
        const pushed = await runner
            .run(aws("ecr", "describe-images", "--repository-name", build.repository, "--image-ids", `imageTag=${build.tag}`), {
                capture: true,
            })
            .then(
                () => true,
                () => false,
            );
        if (pushed) {
            log(`# ${image} is already pushed; tags are immutable, so it is the same image`);
            continue;
        }
        await runner.run(["docker", "build", "--platform", plan.platform, "-f", build.dockerfile, "-t", image, "services"]);
        await runner.run(["docker", "push", image]);
    }
    log(`# ${plan.stack}: images in place in ${plan.region}; next: pulumi up --stack ${plan.stack}`);
}

/** Prints each command instead of running it: no repository or tag is assumed to exist yet. */
export function dryRunner(log: (line: string) => void): CommandRunner {
    return {
        run(argv, opts = {}) {
            const line = argv.map(shellQuote).join(" ");
            if (argv[2] === "describe-repositories" || argv[2] === "describe-images") {
                log(`${line}  # when this finds it, the next step is skipped`);
                return Promise.reject(new Error("dry run: assumed absent"));
            }
            log(opts.input === undefined ? line : `${line}  # the previous command's output on stdin`);
            return Promise.resolve(argv[1] === "sts" ? "<account-id>" : "");
        },
    };
}

const USAGE = `usage: npm run images -- --stack STACK [--dry-run]
  --stack STACK   the stack whose region gets the repositories and images
  --dry-run       print the commands instead of running them`;

export const main: Main = async (argv, io) => {
    const { values } = parseCommand(argv, { usage: USAGE, options: { stack: { type: "string" }, "dry-run": { type: "boolean" } } });
    const plan = planImages(loadStack(requireStack(values.stack, io.root), io.root));
    await pushImages(plan, values["dry-run"] ? dryRunner(io.out) : io.commands, io.out);
};

if (require.main === module) runMain(main, processIo(ROOT));
