/**
 * `npm run images -- [--stack STACK ...] [--pin] [--dry-run]`
 *
 * Builds each image once and promotes the same bytes, by digest, to the named stacks' regions
 * (the targets), so the regions can never run different code under one tag. Only the targets
 * are written to: a deploy job names its own stack, so a region that is down stops its own
 * deploy and no other.
 *   1. in every target region, creates each repository unless it exists, with the settings and
 *      tags the stack adopts it with (so adoption finds no difference);
 *   2. finds each image's digest: a target that already holds its tag (or pinned digest) has
 *      it; else another region of the same fleet that holds it (only read, and skipped if it
 *      does not answer); otherwise it is built once, for the nodes' platform, and pushed to the
 *      first target;
 *   3. copies that digest to every target that lacks it, registry to registry, with
 *      `docker buildx imagetools create`: no rebuild, the same digest;
 *   4. prints each image's digest; `--pin` writes `repository:tag@sha256:...` into the targets' stack files.
 */
import { ImageRef, StackConfig } from "../config";
import { NODE_PLATFORM } from "../regions/cluster/autoMode";
import { REPOSITORY_SETTINGS } from "../services/registry";
import { CommandRunner, Io, Main, MissingToolError, parseCommand, processIo, runMain, shellQuote, UsageError } from "./cli";
import { setStackValues } from "./stackFile";
import { fleetStacks, loadStacks, readProject, regionStacks, requireStack, ROOT } from "./stacks";

export interface ImageSpec {
    readonly app: "backend" | "frontend";
    readonly repository: string;
    readonly tag: string;
    /** A digest the stack files already pin, which every region must end up holding. */
    readonly digest?: string;
}

/** How long a look into a region that is only a source may take to connect and to answer, in seconds. */
export const SOURCE_TIMEOUTS = ["--cli-connect-timeout", "10", "--cli-read-timeout", "20"];

/** One recipe builds both apps; APP picks which. */
export const DOCKERFILE = "services/Dockerfile";

export interface ImagePlan {
    /** Each target region's stack, with the tags its repositories carry: the only regions written to. */
    readonly targets: { readonly stack: string; readonly region: string; readonly tags: Record<string, string> }[];
    /** The fleet's other regions, only read: a copy's source when one already holds an image. */
    readonly sources: { readonly stack: string; readonly region: string }[];
    readonly images: ImageSpec[];
    readonly platform: string;
}

function spec(app: ImageSpec["app"], image: ImageRef): ImageSpec {
    const m = /^:([^@]+)(?:@(sha256:[a-f0-9]{64}))?$/.exec(image.pin);
    if (!m?.[1])
        throw new UsageError(
            `${app}Image ${image.repository}${image.pin} has no tag; pin it as repository:tag or repository:tag@sha256:<digest>`,
        );
    return { app, repository: image.repository, tag: m[1], digest: m[2] };
}

/**
 * What to put where (`configs`, the targets), and where else it may already be (`others`, the
 * rest of the fleet); every region must name the same images, since they run the same bytes.
 */
export function planImages(configs: StackConfig[], others: StackConfig[] = []): ImagePlan {
    const images = (config: StackConfig) => (["backend", "frontend"] as const).map((app) => spec(app, config.services[`${app}Image`]));
    const [first, ...rest] = configs;
    if (!first) throw new UsageError("no stacks to put images in");
    const targetRegions = new Set(configs.map((c) => c.region));
    for (const other of [...rest, ...others]) {
        if (JSON.stringify(images(other)) !== JSON.stringify(images(first))) {
            throw new UsageError(
                `${first.stack} and ${other.stack} name different images; every region runs the same ones, so set the same backendImage and frontendImage in both`,
            );
        }
    }
    return {
        targets: configs.map((c) => ({ stack: c.stack, region: c.region, tags: c.tags })),
        sources: others.filter((c) => !targetRegions.has(c.region)).map((c) => ({ stack: c.stack, region: c.region })),
        images: images(first),
        platform: NODE_PLATFORM,
    };
}

/** Runs the AWS and Docker commands for one plan. */
class Promoter {
    private registries: Record<string, string> = {};
    constructor(
        private readonly plan: ImagePlan,
        private readonly runner: CommandRunner,
        private readonly log: (line: string) => void,
    ) {}

    private aws(region: string, ...args: string[]) {
        return this.runner.run(["aws", ...args, "--region", region], { capture: true });
    }

    /** `extra` are AWS CLI options, such as the short timeouts a look into another region gets. */
    private async found(region: string, repository: string, imageId: string, extra: string[] = []): Promise<string | undefined> {
        const query = ["--query", "imageDetails[0].imageDigest", "--output", "text", ...extra];
        return this.aws(region, "ecr", "describe-images", "--repository-name", repository, "--image-ids", imageId, ...query).then(
            (digest) => digest || undefined,
            () => undefined,
        );
    }

    async prepare(): Promise<void> {
        const account = await this.runner
            .run(["aws", "sts", "get-caller-identity", "--query", "Account", "--output", "text"], { capture: true })
            .catch((err: unknown) => {
                if (err instanceof MissingToolError) throw err;
                throw new MissingToolError(
                    "no usable AWS credentials (aws sts get-caller-identity failed); sign in with aws sso login, or set AWS_PROFILE, then run this again",
                );
            });
        for (const s of this.plan.sources) this.registries[s.region] = `${account}.dkr.ecr.${s.region}.amazonaws.com`;
        for (const t of this.plan.targets) {
            this.registries[t.region] = `${account}.dkr.ecr.${t.region}.amazonaws.com`;
            for (const repository of [...new Set(this.plan.images.map((i) => i.repository))]) await this.ensureRepository(t, repository);
            await this.login(t.region);
        }
    }

    private loggedIn = new Set<string>();
    private async login(region: string): Promise<void> {
        if (this.loggedIn.has(region)) return;
        const password = await this.aws(region, "ecr", "get-login-password");
        await this.runner.run(["docker", "login", "--username", "AWS", "--password-stdin", this.registries[region]!], { input: password });
        this.loggedIn.add(region);
    }

    private async ensureRepository(t: ImagePlan["targets"][number], repository: string): Promise<void> {
        const exists = await this.aws(t.region, "ecr", "describe-repositories", "--repository-names", repository).then(
            () => true,
            () => false,
        );
        if (exists) return;
        await this.aws(
            t.region,
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
            ...Object.entries(t.tags).map(([Key, Value]) => `Key=${Key},Value=${Value}`),
        );
    }

    /** The image's digest in every target region, building it once if no region of the fleet has it yet. */
    async promote(image: ImageSpec): Promise<string> {
        const id = image.digest ? `imageDigest=${image.digest}` : `imageTag=${image.tag}`;
        const held = await Promise.all(
            this.plan.targets.map(async (t) => ({ region: t.region, digest: await this.found(t.region, image.repository, id) })),
        );
        const source = await this.source(image, held, id);
        for (const t of held.filter((h) => h.region !== source.region)) {
            const tagged = await this.found(t.region, image.repository, `imageTag=${image.tag}`);
            if (tagged && tagged !== source.digest) {
                throw new UsageError(
                    `${image.repository}:${image.tag} is ${tagged} in ${t.region} but ${source.digest} in ${source.region}: tags are immutable, so push a new tag`,
                );
            }
            if (tagged) continue;
            // A carbon copy: from one single-platform source, the default would wrap it in a new index, a new digest.
            const to = `${this.registries[t.region]}/${image.repository}:${image.tag}`;
            const from = `${this.registries[source.region]}/${image.repository}@${source.digest}`;
            await this.runner.run(["docker", "buildx", "imagetools", "create", "--prefer-index=false", "--tag", to, from]);
        }
        this.log(`${image.repository}:${image.tag} is ${source.digest} in ${held.map((h) => h.region).join(", ")}`);
        return source.digest;
    }

    /**
     * The target that holds the image already, else another region of the fleet that does (a
     * region that does not answer counts as not holding it), else the first target, after
     * building and pushing it there.
     */
    private async source(
        image: ImageSpec,
        held: { region: string; digest?: string }[],
        id: string,
    ): Promise<{ region: string; digest: string }> {
        for (const h of held) if (h.digest) return { region: h.region, digest: h.digest };
        for (const s of this.plan.sources) {
            // A region that is down must not hold this one's deploy for the CLI's default 60 s
            // per attempt: https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-options.html
            const digest = await this.found(s.region, image.repository, id, SOURCE_TIMEOUTS);
            if (!digest) continue;
            // Reading a source needs a login to its registry; a region that refuses is passed over.
            const reachable = await this.login(s.region).then(
                () => true,
                () => false,
            );
            if (reachable) return { region: s.region, digest };
            this.log(`${s.region} holds ${image.repository}:${image.tag} but refused a login; looking further`);
        }
        if (image.digest) {
            throw new UsageError(
                `${image.repository}@${image.digest} is in no region's registry; build it from its tag first (drop the digest, run this, then --pin)`,
            );
        }
        const region = held[0]?.region ?? "";
        const ref = `${this.registries[region]}/${image.repository}:${image.tag}`;
        await this.runner.run([
            "docker",
            "build",
            "--platform",
            this.plan.platform,
            "-f",
            DOCKERFILE,
            "--build-arg",
            `APP=${image.app}`,
            "-t",
            ref,
            "services",
        ]);
        await this.runner.run(["docker", "push", ref]);
        const digest = await this.found(region, image.repository, `imageTag=${image.tag}`);
        if (!digest) throw new Error(`${ref} was pushed but ECR reports no digest for it`);
        return { region, digest };
    }
}

export async function promoteImages(plan: ImagePlan, runner: CommandRunner, log: (line: string) => void): Promise<Record<string, string>> {
    const promoter = new Promoter(plan, runner, log);
    await promoter.prepare();
    const digests: Record<string, string> = {};
    for (const image of plan.images) digests[image.app] = await promoter.promote(image);
    return digests;
}

/**
 * Prints each command instead of running it. Nothing is assumed to exist yet, and an
 * image it "pushed" is then found, under a stand-in digest, so the copies print too.
 */
export function dryRunner(log: (line: string) => void): CommandRunner {
    const pushed = new Set<string>();
    return {
        run(argv, opts = {}) {
            const line = argv.map(shellQuote).join(" ");
            const after = (flag: string) => argv[argv.indexOf(flag) + 1] ?? "";
            // A registry host is <account>.dkr.ecr.<region>.amazonaws.com.
            if (argv[1] === "push") pushed.add(`${argv[2]?.split(".")[3]}/${argv[2]?.split("/").slice(1).join("/")}`);
            const ref = `${after("--region")}/${after("--repository-name")}:${after("--image-ids").replace("imageTag=", "")}`;
            if (argv[2] === "describe-images" && pushed.has(ref)) return Promise.resolve("sha256:<digest>");
            if (argv[2] === "describe-repositories" || argv[2] === "describe-images") {
                log(`${line}  # when this finds it, the step it checks for is skipped`);
                return Promise.reject(new Error("dry run: assumed absent"));
            }
            log(opts.input === undefined ? line : `${line}  # the previous command's output on stdin`);
            return Promise.resolve(argv[1] === "sts" ? "<account-id>" : "");
        },
    };
}

function pin(io: Io, plan: ImagePlan, digests: Record<string, string>): void {
    const project = readProject(io.root).name;
    const values = Object.fromEntries(plan.images.map((i) => [`${project}:${i.app}Image`, `${i.repository}:${i.tag}@${digests[i.app]}`]));
    for (const t of plan.targets) setStackValues(t.stack, values, io.root);
    io.out(`pinned by digest in ${plan.targets.map((t) => `Pulumi.${t.stack}.yaml`).join(" and ")}; commit them`);
}

const USAGE = `usage: npm run images -- [--stack STACK ...] [--pin] [--dry-run]
  --stack STACK   a stack whose region gets the images (repeatable); the only regions written to,
                  the fleet's others are only read; default: every Pulumi.prod-*.yaml
  --pin           write repository:tag@sha256:<digest> into those stack files
  --dry-run       print the commands instead of running them`;

export const main: Main = async (argv, io) => {
    const { values } = parseCommand(argv, {
        usage: USAGE,
        options: { stack: { type: "string", multiple: true }, pin: { type: "boolean" }, "dry-run": { type: "boolean" } },
    });
    const configs = values.stack
        ? loadStacks(
              values.stack.map((s) => requireStack(s, io.root)),
              io.root,
          )
        : regionStacks(io.root);
    const fleet = configs[0] ? fleetStacks(configs[0].stack, io.root) : [];
    const others = fleet.filter((s) => !configs.some((c) => c.stack === s));
    const plan = planImages(configs, loadStacks(others, io.root));
    const dryRun = values["dry-run"] === true;
    const digests = await promoteImages(plan, dryRun ? dryRunner(io.out) : io.commands, io.out);
    if (values.pin && !dryRun) pin(io, plan, digests);
    io.out(`next: pulumi up for ${plan.targets.map((t) => t.stack).join(", ")}, standby first`);
};

if (require.main === module) runMain(main, processIo(ROOT));
