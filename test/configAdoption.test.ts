import { isDeployedFleet } from "../config";
/**
 * What a new user trips on, each refused or warned about in one line: the Kubernetes API open
 * to the internet in prod, keys the program would never read, a version EKS does not have, an
 * opt-in region; and admin access described as the program grants it.
 */
import { strict as assert } from "node:assert";
import {
    addressesCovered,
    CONFIG_KEYS,
    configWarnings,
    ConfigError,
    parseConfig,
    parseStackConfig,
    projectValues,
    publicApiProblem,
    StackConfig,
} from "../config";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import { listStacks, loadStack, readProject, resolveStackConfig, StackFileError } from "../tools/stacks";
import { rejectionOf } from "./support/assertions";
import { copyStackFiles, createdResources, editStackFile } from "./support/fixtures";
import { ProgramError, runProgram, stackRun } from "./support/run";

const project = readProject().name;
const CLUSTER = "aws:eks/cluster:Cluster";
const PROD_REFUSAL =
    "allowed in a stage-* or prod-* stack: at most 65536 addresses in all (a /16), such as your CI runners' fixed egress and a person's /32 (docs/deploying.md#who-reaches-the-kubernetes-api)";

/** The problems `stack`'s config with `overrides` gives: the CLI's check of the file, then the program's. */
function problemsOf(stack: string, overrides: Record<string, unknown>): string[] {
    try {
        parseStackConfig(resolveStackConfig(stack, overrides), { project, stack });
    } catch (err) {
        if (err instanceof StackFileError) return err.files.flatMap((f) => f.problems);
        assert.ok(err instanceof ConfigError, String(err));
        return err.problems;
    }
    return [];
}

describe("the Kubernetes API in prod", () => {
    const cases: [string, string, string[], string | undefined][] = [
        ["the whole internet", "prod-us", ["0.0.0.0/0"], `got ["0.0.0.0/0"], the whole internet; ${PROD_REFUSAL}`],
        [
            "two halves that cover everything",
            "prod-eu",
            ["0.0.0.0/1", "128.0.0.0/1"],
            `got ["0.0.0.0/1","128.0.0.0/1"], together the whole internet; ${PROD_REFUSAL}`,
        ],
        ["half the internet", "prod-us", ["128.0.0.0/1"], `got ["128.0.0.0/1"], 2147483648 addresses; ${PROD_REFUSAL}`],
        [
            "a /16 and a /32, one more than allowed",
            "prod-us",
            ["203.0.0.0/16", "198.51.100.10/32"],
            `got ["203.0.0.0/16","198.51.100.10/32"], 65537 addresses; ${PROD_REFUSAL}`,
        ],
        ["a runner range and a person's /32", "prod-us", ["203.0.113.0/28", "198.51.100.10/32"], undefined],
        ["exactly a /16", "prod-us", ["203.0.0.0/16"], undefined],
        ["a /16 and a block inside it, counted once", "prod-us", ["203.0.0.0/16", "203.0.113.0/24"], undefined],
        ["the whole internet outside prod (a throwaway fleet)", "ci-us", ["0.0.0.0/0"], undefined],
        ["the whole internet in a prodlike name that is not the prod fleet", "production-us", ["0.0.0.0/0"], undefined],
    ];
    for (const [what, stack, cidrs, expected] of cases) {
        it(`${expected ? "refuses" : "accepts"} ${what} in ${stack}`, () => {
            assert.equal(publicApiProblem(project, stack, cidrs), expected && `${project}:publicAccessCidrs: ${expected}`);
        });
    }

    it("counts overlapping blocks once", () => {
        assert.equal(addressesCovered(["10.0.0.0/24", "10.0.0.0/25", "10.0.1.0/24"]), 512);
        assert.equal(addressesCovered(["0.0.0.0/0", "10.0.0.0/8"]), 2 ** 32);
    });

    const prod = listStacks().filter(isDeployedFleet);
    it("has prod stack files", () => assert.ok(prod.length >= 2, prod.join(", ")));
    for (const stack of prod) {
        it(`${stack}: the program refuses 0.0.0.0/0 before creating anything`, async () => {
            const err = await rejectionOf(runProgram(stack, { overrides: { publicAccessCidrs: ["0.0.0.0/0"] } }));
            assert.ok(err instanceof ProgramError, String(err));
            assert.equal(
                err.message,
                `invalid configuration for stack ${stack} (Pulumi.${stack}.yaml):\n  - ${project}:publicAccessCidrs: got ["0.0.0.0/0"], the whole internet; ${PROD_REFUSAL}`,
            );
            assert.deepEqual(createdResources(err.resources), []);
        });

        it(`${stack}: its stack file opens the API to narrow blocks only, with no warning`, async () => {
            const run = await stackRun(stack);
            const cidrs = run.resources.get(CLUSTER, `${stack}-eks`).inputs.vpcConfig.publicAccessCidrs as string[];
            assert.deepEqual(cidrs, loadStack(stack).cluster.publicAccessCidrs);
            assert.ok(addressesCovered(cidrs) <= 2 ** 16, JSON.stringify(cidrs));
            assert.deepEqual(run.warnings, []);
        });
    }

    for (const stack of listStacks().filter((s) => !isDeployedFleet(s))) {
        it(`${stack}: the throwaway fleet keeps the whole internet, for GitHub-hosted runners, with a warning`, async () => {
            const run = await stackRun(stack);
            assert.deepEqual(run.resources.get(CLUSTER, `${stack}-eks`).inputs.vpcConfig.publicAccessCidrs, ["0.0.0.0/0"]);
            assert.deepEqual(run.warnings, [
                `${project}:publicAccessCidrs allows the whole internet to reach the Kubernetes API: fine for a throwaway fleet deployed from GitHub-hosted runners, refused in a stage-* or prod-* stack.`,
            ]);
        });
    }
});

describe("keys the program would never read", () => {
    const cases: [string, Record<string, unknown>, string[]][] = [
        [
            "a known key under another namespace",
            { "multi-region:azCount": 3 },
            [
                "multi-region:azCount: not read: namespace \"multi-region\" is neither this project's (multiregion) nor a provider's (aws, kubernetes, pulumi); did you mean multiregion:azCount?",
            ],
        ],
        [
            "an unknown key under another namespace",
            { "acme:owner": "ops" },
            [
                "acme:owner: not read: namespace \"acme\" is neither this project's (multiregion) nor a provider's (aws, kubernetes, pulumi); remove it",
            ],
        ],
        ["a provider's own keys", { "aws:region": "us-east-2", "kubernetes:enableServerSideApply": "true", "pulumi:tags": "{}" }, []],
        ["a key in the wrong case", { azcount: 3 }, ["multiregion:azcount: unknown key; did you mean azCount?"]],
        [
            "a renamed required key, named next to the key it leaves missing",
            { recordName: undefined, recordname: "app.example.com" },
            ["multiregion:recordname: unknown key, and recordName is missing: did you mean recordName? rename it in the stack file"],
        ],
    ];
    for (const [what, overrides, expected] of cases) {
        it(`${expected.length ? "refuses" : "accepts"} ${what}`, () => assert.deepEqual(problemsOf("prod-us", overrides), expected));
    }

    it("the program names a renamed key next to the key it leaves missing, when the CLI let it through", () => {
        const raw = { ...projectValues(resolveStackConfig("prod-us"), project), vpcCidr: undefined, vpcCIDR: "10.10.0.0/16" };
        assert.throws(
            () => parseConfig(raw, { project, stack: "prod-us" }),
            (err: Error) =>
                err instanceof ConfigError &&
                err.problems.join("\n") ===
                    "multiregion:vpcCIDR: unknown key, and vpcCidr is missing: did you mean vpcCidr? rename it in the stack file",
        );
    });

    it("the program itself refuses a key under another namespace", async () => {
        const err = await rejectionOf(runProgram("prod-us", { overrides: { "multi-region:azCount": 2 } }));
        assert.ok(err instanceof ProgramError, String(err));
        assert.match(err.message, /\n {2}- multi-region:azCount: not read: .*did you mean multiregion:azCount\?$/);
    });

    it("a bare key, which the Pulumi CLI refuses, in the CLI's check of the stack file", () => {
        const root = copyStackFiles();
        editStackFile(root, "prod-eu", (t) => t.replace("config:\n", "config:\n  azCount: 2\n"));
        assert.throws(
            () => resolveStackConfig("prod-eu", {}, root),
            (err: Error) =>
                err instanceof StackFileError &&
                err.message ===
                    "Pulumi.prod-eu.yaml:\n  - azCount: a key without a namespace, which the Pulumi CLI refuses (keys are <namespace>:<name>); did you mean multiregion:azCount?",
        );
    });

    it("a renamed required key, in the CLI's check of the stack file", () => {
        assert.throws(
            () => resolveStackConfig("prod-us", { vpcCidr: undefined, "multiregion:vpcCIDR": "10.10.0.0/16" }),
            (err: Error) =>
                err.message ===
                "Pulumi.prod-us.yaml:\n  - multiregion:vpcCIDR: unknown key, and vpcCidr is missing: did you mean vpcCidr? rename it in the stack file",
        );
    });
});

describe("warnings a valid stack still gets", () => {
    const base = loadStack("prod-eu");
    const withRegion = (region: string, accountId = base.accountId): StackConfig => ({ ...base, region, accountId });

    it("names the one-time opt-in of an opt-in region", () => {
        assert.deepEqual(configWarnings(withRegion("eu-south-1", "123456789012")), [
            "multiregion:region: eu-south-1 is an opt-in region: enable it once for account 123456789012 before the first up (aws account enable-region --region-name eu-south-1), https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html",
        ]);
    });

    it("says nothing of a region enabled by default", () => {
        assert.equal(COMMERCIAL_REGIONS["eu-west-1"]?.optIn, false);
        assert.deepEqual(configWarnings(withRegion("eu-west-1")), []);
    });

    it("the program logs the opt-in warning", async () => {
        const run = await runProgram("prod-eu", { overrides: { region: "eu-south-1" } });
        assert.deepEqual(
            run.warnings.filter((w) => w.startsWith(`${project}:region:`)),
            [
                `${project}:region: eu-south-1 is an opt-in region: enable it once for account ${base.accountId} before the first up (aws account enable-region --region-name eu-south-1), https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html`,
            ],
        );
    });
});

describe("admin access says what the program does", () => {
    it("the key table no longer claims EKS makes the creator an admin, since the cluster turns that off", async () => {
        const run = await stackRun("prod-us");
        assert.equal(run.resources.get(CLUSTER, "prod-us-eks").inputs.accessConfig.bootstrapClusterCreatorAdminPermissions, false);
        const text = CONFIG_KEYS.adminPrincipalArns.description;
        assert.doesNotMatch(text, /grants it admin already/);
        assert.match(text, /bootstrapClusterCreatorAdminPermissions is off/);
        assert.match(text, /pulumi up from a laptop/);
    });

    it("accepts an IAM Identity Center role ARN, path and region included, as an admin", () => {
        const sso = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef";
        const config = parseConfig(
            { ...projectValues(resolveStackConfig("prod-eu"), project), adminPrincipalArns: JSON.stringify([sso]) },
            { project, stack: "prod-eu" },
        );
        assert.deepEqual(config.cluster.adminPrincipalArns, [sso]);
    });
});
