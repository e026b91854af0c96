import { strict as assert } from "node:assert";
import { CommandRunner } from "../tools/cli";
import { main, planImages, pushImages } from "../tools/images";
import { loadStack } from "../tools/stacks";
import { imageOf, testIo } from "./support/fixtures";
import { stackRun } from "./support/run";
import { listStacks } from "../tools/stacks";

/** Records commands; `exists` decides which describe-* lookups find something. */
function recorder(exists: (argv: string[]) => boolean = () => false) {
    const calls: { argv: string[]; input?: string }[] = [];
    const runner: CommandRunner = {
        async run(argv, opts = {}) {
            calls.push({ argv, input: opts.input });
            if (argv[2]?.startsWith("describe-") && !exists(argv)) throw new Error("not found");
            if (argv[1] === "sts") return "210987654321";
            if (argv[2] === "get-login-password") return "secret-password";
            return "";
        },
    };
    return { runner, calls, lines: () => calls.map((c) => c.argv.join(" ")) };
}

describe("npm run images", () => {
    for (const stack of listStacks()) {
        it(`${stack}: creates the repositories exactly as the stack adopts them`, async () => {
            const rec = recorder();
            await pushImages(planImages(loadStack(stack)), rec.runner, () => {});
            const run = await stackRun(stack);
            const region = run.settings.region;
            for (const repo of run.resources.ofType("aws:ecr/repository:Repository")) {
                const create = rec.calls.find((c) => c.argv[2] === "create-repository" && c.argv.includes(repo.inputs.name))!;
                assert.ok(create, `creates ${repo.inputs.name}`);
                const flag = (name: string) => create.argv[create.argv.indexOf(name) + 1];
                assert.equal(flag("--region"), region);
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
        });

        it(`${stack}: builds for the nodes' architecture and pushes the pinned tags to its own region`, async () => {
            const rec = recorder();
            await pushImages(planImages(loadStack(stack)), rec.runner, () => {});
            const run = await stackRun(stack);
            const region = run.settings.region;
            const registry = `210987654321.dkr.ecr.${region}.amazonaws.com`;
            const login = rec.calls.find((c) => c.argv[1] === "login")!;
            assert.deepEqual(login.argv, ["docker", "login", "--username", "AWS", "--password-stdin", registry]);
            assert.equal(login.input, "secret-password", "the password goes on stdin, never argv");
            for (const app of ["backend", "frontend"] as const) {
                const image = `${registry}/${imageOf(run, app)}`;
                assert.ok(rec.lines().includes(`docker build --platform linux/amd64 -f services/${app}/Dockerfile -t ${image} services`));
                assert.ok(rec.lines().includes(`docker push ${image}`));
            }
        });
    }

    it("skips repositories and tags that already exist", async () => {
        const rec = recorder(() => true);
        const log: string[] = [];
        await pushImages(planImages(loadStack("prod-us")), rec.runner, (l) => log.push(l));
        const changes = rec.calls.filter((c) => c.argv[2] === "create-repository" || (c.argv[0] === "docker" && c.argv[1] !== "login"));
        assert.deepEqual(changes, []);
        assert.equal(log.filter((l) => l.includes("already pushed")).length, 2);
    });

    it("builds amd64 images, the only architecture of Auto Mode's general-purpose node pool", () => {
        assert.equal(planImages(loadStack("prod-us")).platform, "linux/amd64");
    });

    it("refuses a digest-pinned image, which it cannot build", () => {
        const config = loadStack("prod-us");
        const pinned = {
            ...config,
            services: { ...config.services, backendImage: { repository: "sample-app-backend", pin: `@sha256:${"0".repeat(64)}` } },
        };
        assert.throws(() => planImages(pinned), /backendImage is pinned by digest .*; this tool builds tags/);
    });

    it("names the stacks that exist when given an unknown one", async () => {
        await assert.rejects(
            main(["--stack", "prod-ap", "--dry-run"], testIo()),
            /^UsageError: unknown stack "prod-ap"; stacks: prod-eu, prod-us$/,
        );
    });

    it("prints every command under --dry-run without running any", async () => {
        const rec = recorder();
        const io = testIo({ commands: rec.runner });
        await main(["--stack", "prod-eu", "--dry-run"], io);
        const out = io.lines;
        assert.deepEqual(rec.calls, []);
        assert.ok(out.some((l) => l.startsWith("aws ecr create-repository --repository-name sample-app-backend")));
        const region = loadStack("prod-eu").region;
        assert.ok(out.includes(`docker push '<account-id>.dkr.ecr.${region}.amazonaws.com/sample-app-frontend:1.0.0'`));
    });
});
