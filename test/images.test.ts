import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { CommandRunner } from "../tools/cli";
import { main, planImages, promoteImages, SOURCE_TIMEOUTS } from "../tools/images";
import { loadStack, regionStacks, ROOT } from "../tools/stacks";
import YAML from "yaml";
import { rejectionOf } from "./support/assertions";
import { copyStackFiles, testIo } from "./support/fixtures";
import { runProgram, stackRun } from "./support/run";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const OTHER = `sha256:${"cd".repeat(32)}`;

/**
 * A fake AWS and Docker: `held` says which `region/repository:tag` holds which digest;
 * a push or a copy adds to it, as ECR would.
 */
function fakeCloud(held: Record<string, string> = {}) {
    const calls: { argv: string[]; input?: string }[] = [];
    const store = { ...held };
    const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1] ?? "";
    const regionOf = (ref: string) => ref.split(".")[3];
    const runner: CommandRunner = {
        async run(argv, opts = {}) {
            calls.push({ argv, input: opts.input });
            if (argv[1] === "sts") return "210987654321";
            if (argv[2] === "get-login-password") return "secret-password";
            if (argv[2] === "describe-repositories") throw new Error("RepositoryNotFoundException");
            if (argv[2] === "describe-images") {
                const id = after(argv, "--image-ids");
                const key = `${after(argv, "--region")}/${after(argv, "--repository-name")}`;
                const hit = Object.entries(store).find(
                    ([k, d]) => k.startsWith(`${key}:`) && (id === `imageDigest=${d}` || k === `${key}:${id.replace("imageTag=", "")}`),
                );
                if (!hit) throw new Error("ImageNotFoundException");
                return hit[1];
            }
            if (argv[1] === "push") store[`${regionOf(argv[2]!)}/${argv[2]!.split("/")[1]}`] = DIGEST;
            if (argv[2] === "imagetools") {
                const to = after(argv, "--tag");
                store[`${regionOf(to)}/${to.split("/")[1]}`] = argv.at(-1)!.split("@")[1]!;
            }
            return "";
        },
    };
    return { runner, calls, store, lines: () => calls.map((c) => c.argv.join(" ")) };
}

describe("npm run images: built once, the same bytes in every region", () => {
    it("builds each image once, pushes it to one region, and copies that digest to the others", async () => {
        const cloud = fakeCloud();
        const digests = await promoteImages(planImages(regionStacks()), cloud.runner, () => {});
        assert.deepEqual(digests, { backend: DIGEST, frontend: DIGEST });
        const [first, second] = regionStacks().map((s) => s.region);
        assert.deepEqual(
            cloud.lines().filter((l) => l.startsWith("docker build ")),
            ["backend", "frontend"].map(
                (app) =>
                    `docker build --platform linux/amd64 -f services/Dockerfile --build-arg APP=${app} -t 210987654321.dkr.ecr.${first}.amazonaws.com/sample-app-${app}:1.0.0 services`,
            ),
        );
        assert.ok(
            cloud
                .lines()
                .includes(
                    `docker buildx imagetools create --prefer-index=false --tag 210987654321.dkr.ecr.${second}.amazonaws.com/sample-app-backend:1.0.0 210987654321.dkr.ecr.${first}.amazonaws.com/sample-app-backend@${DIGEST}`,
                ),
        );
        assert.equal(cloud.store[`${second}/sample-app-frontend:1.0.0`], cloud.store[`${first}/sample-app-frontend:1.0.0`]);
    });

    it("creates each repository in every region exactly as the stack adopts it, and logs in with the password on stdin", async () => {
        const cloud = fakeCloud();
        await promoteImages(planImages(regionStacks()), cloud.runner, () => {});
        for (const stack of ["prod-us", "prod-eu"]) {
            const run = await stackRun(stack);
            for (const repo of run.resources.ofType("aws:ecr/repository:Repository")) {
                const create = cloud.calls.find(
                    (c) => c.argv[2] === "create-repository" && c.argv.includes(repo.inputs.name) && c.argv.includes(run.settings.region),
                )!;
                const flag = (name: string) => create.argv[create.argv.indexOf(name) + 1];
                assert.equal(flag("--image-tag-mutability"), repo.inputs.imageTagMutability);
                assert.equal(flag("--image-scanning-configuration"), `scanOnPush=${repo.inputs.imageScanningConfiguration.scanOnPush}`);
                assert.equal(
                    flag("--encryption-configuration"),
                    `encryptionType=${repo.inputs.encryptionConfigurations[0].encryptionType}`,
                );
                const tags = create.argv.slice(create.argv.indexOf("--tags") + 1, create.argv.indexOf("--region"));
                assert.deepEqual(
                    Object.fromEntries(tags.map((t) => /^Key=(.*),Value=(.*)$/.exec(t)!.slice(1, 3) as [string, string])),
                    repo.inputs.tags,
                );
            }
            const login = cloud.calls.find((c) => c.argv[1] === "login" && c.argv.at(-1)!.includes(run.settings.region))!;
            assert.equal(login.input, "secret-password", "never in argv");
        }
    });

    it("builds nothing when a region already holds the tag: it copies that region's digest", async () => {
        const cloud = fakeCloud({ "us-east-2/sample-app-backend:1.0.0": OTHER, "us-east-2/sample-app-frontend:1.0.0": OTHER });
        const digests = await promoteImages(planImages(regionStacks()), cloud.runner, () => {});
        assert.deepEqual(digests, { backend: OTHER, frontend: OTHER });
        assert.equal(cloud.lines().filter((l) => l.startsWith("docker build ")).length, 0);
        assert.equal(cloud.store["eu-west-1/sample-app-backend:1.0.0"], OTHER);
    });

    it("refuses one tag that holds different bytes in two regions", async () => {
        const cloud = fakeCloud({ "us-east-2/sample-app-backend:1.0.0": OTHER, "eu-west-1/sample-app-backend:1.0.0": DIGEST });
        const err = await rejectionOf(promoteImages(planImages(regionStacks()), cloud.runner, () => {}));
        assert.match(
            String(err),
            /^UsageError: sample-app-backend:1\.0\.0 is sha256:\w+ in \S+ but sha256:\w+ in \S+: tags are immutable, so push a new tag$/,
        );
    });

    it("--pin writes repository:tag@digest into every region's stack file, and the pods then run those exact bytes", async () => {
        const root = copyStackFiles();
        await main(["--pin"], testIo({ root, commands: fakeCloud().runner }));
        for (const stack of ["prod-us", "prod-eu"]) {
            assert.deepEqual(loadStack(stack, root).services.backendImage, { repository: "sample-app-backend", pin: `:1.0.0@${DIGEST}` });
            assert.match(
                fs.readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8"),
                new RegExp(`backendImage: sample-app-backend:1\\.0\\.0@${DIGEST} #`),
            );
        }
        const run = await runProgram("prod-eu", { root });
        const container = run.resources.get("kubernetes:apps/v1:Deployment", "prod-eu-backend-deployment").inputs.spec.template.spec
            .containers[0];
        assert.equal(container.image, `123456789012.dkr.ecr.${run.settings.region}.amazonaws.com/sample-app-backend:1.0.0@${DIGEST}`);
    });

    it("refuses stacks that name different images, or a digest no region holds", async () => {
        const us = loadStack("prod-us");
        const eu = loadStack("prod-eu");
        const other = { ...eu, services: { ...eu.services, backendImage: { repository: "sample-app-backend", pin: ":2.0.0" } } };
        assert.throws(() => planImages([us, other]), /prod-us and prod-eu name different images/);
        const pinned = { ...us, services: { ...us.services, backendImage: { repository: "sample-app-backend", pin: `:1.0.0@${OTHER}` } } };
        const err = await rejectionOf(promoteImages(planImages([pinned]), fakeCloud().runner, () => {}));
        assert.match(String(err), /sample-app-backend@sha256:(cd)+ is in no region's registry/);
    });

    it("builds amd64 images, the only architecture of Auto Mode's general-purpose node pool", () => {
        assert.equal(planImages(regionStacks()).platform, "linux/amd64");
    });

    it("prints every command under --dry-run, the copy included, and runs none", async () => {
        const io = testIo();
        await main(["--dry-run"], io);
        assert.ok(io.lines.some((l) => l.startsWith("aws ecr create-repository --repository-name sample-app-backend")));
        assert.ok(io.lines.some((l) => l.startsWith("docker buildx imagetools create --prefer-index=false --tag '<account-id>.dkr.ecr.")));
        assert.equal(io.lines.filter((l) => l.startsWith("docker build ")).length, 2, "each image built once");
    });

    describe("a deploy job writes to its own stack's region only, so a dead region blocks only its own deploy", () => {
        /** The fake cloud with `region` down: every call that names it, by flag or registry host, fails. */
        function withDeadRegion(region: string, held: Record<string, string> = {}) {
            const cloud = fakeCloud(held);
            const attempts: string[] = [];
            const runner: CommandRunner = {
                run(argv, opts) {
                    attempts.push(argv.join(" "));
                    if (argv.some((a) => a === region || a.includes(`.${region}.`)))
                        return Promise.reject(new Error(`Could not connect to the endpoint URL: https://api.ecr.${region}.amazonaws.com/`));
                    return cloud.runner.run(argv, opts);
                },
            };
            return { ...cloud, runner, attempts };
        }
        const touches = (lines: string[], region: string) => lines.filter((l) => l.includes(region));

        it("--stack prod-eu with us-east-2 down: builds into eu-west-1 and names us-east-2 only in a read", async () => {
            const cloud = withDeadRegion("us-east-2");
            const io = testIo({ commands: cloud.runner });
            await main(["--stack", "prod-eu"], io);
            const dead = touches(cloud.attempts, "us-east-2");
            assert.ok(dead.length > 0, "the fleet's other region is looked in");
            assert.deepEqual(
                dead.filter((l) => !l.startsWith("aws ecr describe-images ")),
                [],
                "only reads",
            );
            for (const l of dead) assert.ok(l.includes(SOURCE_TIMEOUTS.join(" ")), `short timeouts: ${l}`);
            assert.deepEqual(cloud.store, {
                "eu-west-1/sample-app-backend:1.0.0": DIGEST,
                "eu-west-1/sample-app-frontend:1.0.0": DIGEST,
            });
            assert.match(io.text(), /next: pulumi up for prod-eu, standby first$/);
        });

        it("--stack prod-us after prod-eu: copies eu-west-1's digest, builds nothing, and writes nothing to eu-west-1", async () => {
            const held = { "eu-west-1/sample-app-backend:1.0.0": OTHER, "eu-west-1/sample-app-frontend:1.0.0": OTHER };
            const cloud = fakeCloud(held);
            await main(["--stack", "prod-us"], testIo({ commands: cloud.runner }));
            const writes = cloud.lines().filter((l) => /create-repository|^docker (build|push)|imagetools create/.test(l));
            assert.deepEqual(
                writes.filter((l) => !l.startsWith("aws ecr create-repository")),
                ["backend", "frontend"].map(
                    (app) =>
                        `docker buildx imagetools create --prefer-index=false --tag 210987654321.dkr.ecr.us-east-2.amazonaws.com/sample-app-${app}:1.0.0 210987654321.dkr.ecr.eu-west-1.amazonaws.com/sample-app-${app}@${OTHER}`,
                ),
            );
            assert.deepEqual(
                touches(
                    writes.filter((l) => l.startsWith("aws ecr create-repository")),
                    "eu-west-1",
                ),
                [],
            );
            assert.equal(cloud.store["us-east-2/sample-app-backend:1.0.0"], OTHER);
        });

        it("--stack prod-us with eu-west-1 down and the image only in us-east-2: nothing to do but check", async () => {
            const held = { "us-east-2/sample-app-backend:1.0.0": OTHER, "us-east-2/sample-app-frontend:1.0.0": OTHER };
            const cloud = withDeadRegion("eu-west-1", held);
            const digests = await promoteImages(planImages([loadStack("prod-us")], [loadStack("prod-eu")]), cloud.runner, () => {});
            assert.deepEqual(digests, { backend: OTHER, frontend: OTHER });
            assert.deepEqual(
                cloud.lines().filter((l) => /^docker (build|push)|imagetools/.test(l)),
                [],
            );
        });

        it("a pinned digest held only by a dead region is refused, never rebuilt", async () => {
            const pin = (stack: string) => {
                const c = loadStack(stack);
                return { ...c, services: { ...c.services, backendImage: { repository: "sample-app-backend", pin: `:1.0.0@${OTHER}` } } };
            };
            const cloud = withDeadRegion("eu-west-1", { "eu-west-1/sample-app-backend:1.0.0": OTHER });
            const err = await rejectionOf(promoteImages(planImages([pin("prod-us")], [pin("prod-eu")]), cloud.runner, () => {}));
            assert.match(String(err), /sample-app-backend@sha256:(cd)+ is in no region's registry/);
            assert.deepEqual(
                cloud.lines().filter((l) => l.startsWith("docker build")),
                [],
            );
        });

        it("deploy-stack.yml runs it for the job's own stack", () => {
            const up = YAML.parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "deploy-stack.yml"), "utf8")).jobs.up;
            const images = up.steps.filter((s: { run?: string }) => /npm run (-s )?images/.test(s.run ?? ""));
            assert.deepEqual(
                images.map((s: { run: string }) => s.run),
                ['npm run images -- --stack "$STACK"'],
            );
            assert.equal(up.env.STACK, "${{ inputs.stack }}");
        });
    });
});
