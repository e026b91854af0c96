import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { BOOTSTRAP_KEYS, BootstrapConfigError, parseBootstrapConfig, projectKeys, REPOSITORY_WIDE_KEYS } from "../bootstrap/config";
import { listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { knownFleets, readProject, resolveConfig } from "../config/stackFiles";
import { BOOTSTRAP_ROOT, runBootstrap } from "./support/bootstrap";
import { ProgramError } from "./support/run";
import { createdResources } from "./support/fixtures";

const project = "multiregion-bootstrap";
const P = `${project}:`;

/** A bootstrap stack file's raw values with `overrides`, as the CLI hands them to the program. */
function raw(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    return projectKeys(resolveConfig(readProject(BOOTSTRAP_ROOT), path.join(BOOTSTRAP_ROOT, `Pulumi.${stack}.yaml`), overrides), project);
}

function problemsOf(stack: string, overrides: Record<string, unknown>): string[] {
    try {
        parseBootstrapConfig(raw(stack, overrides), { project, stack, knownFleets: knownFleets() });
    } catch (err) {
        assert.ok(err instanceof BootstrapConfigError, String(err));
        return err.problems;
    }
    return [];
}

/** What a user writes, and the one line they must get back: the key, the value, what is allowed. */
const BAD: [string, string, Record<string, unknown>, string][] = [
    [
        "an owner starting with a hyphen",
        "prod",
        { githubOwner: "-octo" },
        `${P}githubOwner: got "-octo"; allowed: a GitHub user or organization login such as "octo-org", or "octo-org@123456" with its immutable id`,
    ],
    [
        "an owner with a double hyphen",
        "prod",
        { githubOwner: "octo--org" },
        `${P}githubOwner: got "octo--org"; allowed: a GitHub user or organization login such as "octo-org", or "octo-org@123456" with its immutable id`,
    ],
    [
        "an owner/repo pair as the owner",
        "prod",
        { githubOwner: "octo-org/multiregion" },
        `${P}githubOwner: got "octo-org/multiregion"; allowed: a GitHub user or organization login such as "octo-org", or "octo-org@123456" with its immutable id`,
    ],
    [
        "a repository with a slash",
        "prod",
        { githubRepository: "a/b" },
        `${P}githubRepository: got "a/b"; allowed: a repository name such as "multiregion", or "multiregion@654321" with its immutable id`,
    ],
    [
        "an account email that is not an address",
        "sandbox",
        { accountEmail: "not-an-address" },
        `${P}accountEmail: got "not-an-address"; allowed: an e-mail address such as "aws+prod@example.com" (6 to 64 characters), or ""`,
    ],
    [
        "an account email with two @",
        "sandbox",
        { accountEmail: "a@b@example.com" },
        `${P}accountEmail: got "a@b@example.com"; allowed: an e-mail address such as "aws+prod@example.com" (6 to 64 characters), or ""`,
    ],
    [
        "both an account id and an email",
        "prod",
        { accountEmail: "aws@example.com" },
        `${P}accountId, ${P}accountEmail: exactly one is set: accountId for an existing account, accountEmail to create one`,
    ],
    [
        "an account id of 11 digits",
        "prod",
        { accountId: "12345678901" },
        `${P}accountId: got "12345678901"; allowed: the 12-digit AWS account id, quoted, or "" when accountEmail creates the account`,
    ],
    [
        "the Individual edition, which cannot issue the deploys' organization tokens",
        "prod",
        { pulumiEdition: "individual" },
        `${P}pulumiEdition: got "individual", which issues only personal tokens through OIDC; deploys need organization tokens: allowed: team, enterprise or business-critical, or backend s3`,
    ],
    [
        "a team token for previews on the Team edition",
        "prod",
        { previewTokenType: "team", previewTeam: "ci-preview" },
        `${P}previewTokenType: got "team", but the team edition (${P}pulumiEdition) issues only personal and organization tokens through OIDC; allowed: "none", or a team token on enterprise or business-critical`,
    ],
    [
        "a team token for the rehearsal on the Team edition",
        "prod",
        { rehearsalTokenType: "team", rehearsalTeam: "ci-sandbox" },
        `${P}rehearsalTokenType: got "team", but the team edition (${P}pulumiEdition) issues only personal and organization tokens through OIDC; allowed: "organization", or a team token on enterprise or business-critical`,
    ],
    [
        "a team token without its team",
        "prod",
        { pulumiEdition: "enterprise", previewTokenType: "team" },
        `${P}previewTeam: required with previewTokenType team`,
    ],
    [
        "an unknown edition",
        "prod",
        { pulumiEdition: "pro" },
        `${P}pulumiEdition: got "pro"; allowed: "individual" or "team" or "enterprise" or "business-critical"`,
    ],
    ["an unknown backend", "prod", { backend: "gcs" }, `${P}backend: got "gcs"; allowed: "pulumi-cloud" or "s3"`],
    ["Pulumi Cloud without an organization", "prod", { pulumiOrg: "" }, `${P}pulumiOrg: required with backend pulumi-cloud`],
    [
        "a Pulumi setting in a stack that does not own the issuer",
        "sandbox",
        { pulumiOrg: "octo-org" },
        `${P}pulumiOrg: read only by the stack with repositoryWide: true, which owns the repository-wide settings; remove it here`,
    ],
    [
        "prod without a fixed-egress runner label",
        "prod",
        { prodRunner: "" },
        `${P}prodRunner: required with repositoryWide and the prod fleet: prod's Kubernetes API admits only fixed egress addresses, so its jobs need a runner label (docs/deploying.md)`,
    ],
    [
        "a runner label with a space",
        "prod",
        { prodRunner: "prod runner" },
        `${P}prodRunner: got "prod runner"; allowed: a runner label such as "prod-static-ip", or "" for none`,
    ],
    [
        "previews on the deploy jobs' runners",
        "prod",
        { previewRunner: "prod-static-ip" },
        `${P}previewRunner: got "prod-static-ip", the prodRunner too; allowed: a runner label of its own, since previews run a pull request's code`,
    ],
    [
        "a switchover actor that is no GitHub login",
        "prod",
        { switchoverActors: ["-octocat"] },
        `${P}switchoverActors: got "-octocat"; allowed: a list of GitHub logins`,
    ],
    [
        "an organization token for pull-request previews, which a PR's own preview.yml could use to write production state",
        "prod",
        { previewTokenType: "organization" },
        `${P}previewTokenType: got "organization"; allowed: "team" or "none"`,
    ],
    [
        "an App client ID that is not one",
        "prod",
        { switchoverAppClientId: "12345" },
        `${P}switchoverAppClientId: got "12345"; allowed: a GitHub App client ID such as "Iv23liABCDEF12345678", or "" for none`,
    ],
    [
        "a fleet without stack files",
        "prod",
        { fleets: ["stagging"] },
        `${P}fleets: got "stagging"; allowed: a fleet with stack files at the repository root: ${knownFleets().join(", ")}`,
    ],
    [
        "an account that serves nothing",
        "prod",
        { fleets: [] },
        `${P}fleets, ${P}rehearsal: this account serves nothing: list a fleet or set rehearsal: true`,
    ],
    [
        "a rehearsal without its record",
        "sandbox",
        { rehearsalRecordName: "" },
        `${P}rehearsalHostedZone, ${P}rehearsalRecordName: required with rehearsal: true (the ci pair's zone and failover name)`,
    ],
    [
        "reviewers on a plan without them",
        "prod",
        { environmentReviewers: ["user:1"] },
        `${P}environmentReviewers: got ["user:1"] but ${P}reviewersAvailable is false; required reviewers in a private repository need GitHub Enterprise: set reviewersAvailable: true if the repository is public or on Enterprise, or [] for none`,
    ],
    [
        "a reviewer by login",
        "prod",
        { environmentReviewers: ["alice"], reviewersAvailable: true },
        `${P}environmentReviewers: got "alice"; allowed: a list of "user:<id>" or "team:<id>" with GitHub's numeric ids`,
    ],
    [
        "a hosted zone that is not a DNS name",
        "prod",
        { hostedZone: "exa mple.com" },
        `${P}hostedZone: got "exa mple.com"; allowed: a DNS name such as "example.com", or "" for none`,
    ],
    [
        "an unknown key",
        "prod",
        { [`${P}colour`]: "blue" },
        `${P}colour: unknown key; known keys: ${Object.keys(BOOTSTRAP_KEYS).join(", ")}`,
    ],
];

describe("bootstrap config", () => {
    for (const stack of listBootstrapStacks()) {
        it(`parses bootstrap/Pulumi.${stack}.yaml without problems`, () => {
            const config = loadBootstrapStack(stack);
            assert.equal(config.stack, stack);
            assert.ok(config.fleets.length > 0 || config.rehearsal, "serves something");
        });

        it(`bootstrap/Pulumi.${stack}.yaml sets every key, each with a comment`, () => {
            const text = fs.readFileSync(path.join(BOOTSTRAP_ROOT, `Pulumi.${stack}.yaml`), "utf8");
            const lines = text.split("\n").filter((l) => l.startsWith(`  ${P}`));
            for (const line of lines) assert.match(line, / # \S/, line);
            const keys = lines.map((l) => l.trim().slice(P.length).split(":")[0]!);
            const declared = Object.keys(BOOTSTRAP_KEYS);
            for (const key of keys) assert.ok(declared.includes(key), key);
            // A stack that does not own the issuer leaves the Pulumi keys out, as the parser demands.
            const config = loadBootstrapStack(stack);
            const wide: readonly string[] = REPOSITORY_WIDE_KEYS;
            assert.deepEqual(keys.sort(), declared.filter((k) => config.repositoryWide || !wide.includes(k)).sort());
        });
    }

    it("bootstrap/Pulumi.yaml declares exactly the key table: type, description, default", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(BOOTSTRAP_ROOT, "Pulumi.yaml"), "utf8"));
        assert.equal(doc.name, project);
        assert.deepEqual(Object.keys(doc.config), Object.keys(BOOTSTRAP_KEYS));
        for (const [name, spec] of Object.entries(BOOTSTRAP_KEYS)) {
            assert.equal(doc.config[name].type, spec.type, name);
            assert.equal(doc.config[name].description, spec.description, name);
            assert.deepEqual(doc.config[name].default, (spec as { default?: unknown }).default, name);
        }
        // Its own entry point: otherwise the runtime finds the root package.json and runs the main program.
        assert.equal(doc.main, "index.ts");
        assert.ok(fs.existsSync(path.join(BOOTSTRAP_ROOT, doc.main)));
        // The same runtime as the main program, so the same node_modules and loader serve both.
        const root = YAML.parse(fs.readFileSync(path.join(BOOTSTRAP_ROOT, "..", "Pulumi.yaml"), "utf8"));
        assert.deepEqual(doc.runtime, root.runtime);
    });

    describe("bad config: one line naming the key, the value and what is allowed", () => {
        for (const [what, stack, overrides, expected] of BAD) {
            it(what, () => assert.deepEqual(problemsOf(stack, overrides), [expected]));
        }
    });

    it("every problem at once, in one error naming the stack file", () => {
        assert.throws(
            () =>
                parseBootstrapConfig(raw("prod", { githubOwner: "-x", backend: "gcs" }), {
                    project,
                    stack: "prod",
                    knownFleets: knownFleets(),
                }),
            (err: Error) => {
                assert.equal(
                    err.message,
                    `invalid bootstrap configuration for stack prod (bootstrap/Pulumi.prod.yaml):\n  - ${P}githubOwner: got "-x"; allowed: a GitHub user or organization login such as "octo-org", or "octo-org@123456" with its immutable id\n  - ${P}backend: got "gcs"; allowed: "pulumi-cloud" or "s3"`,
                );
                return true;
            },
        );
    });

    describe("bad config stops the program before any resource is registered", () => {
        const cases: [string, string, Record<string, unknown>, RegExp][] = [
            ["an unknown owner format", "prod", { githubOwner: "octo org" }, /githubOwner: got "octo org"/],
            [
                "an email that is not an address",
                "sandbox",
                { accountEmail: "sandbox-at-example.com" },
                /accountEmail: got "sandbox-at-example\.com"/,
            ],
            [
                "an edition that cannot issue the token asked for",
                "prod",
                { previewTokenType: "team", previewTeam: "ci-preview" },
                /previewTokenType: got "team"/,
            ],
            ["an unknown key", "sandbox", { [`${P}colour`]: "blue" }, /colour: unknown key/],
        ];
        for (const [what, stack, overrides, expected] of cases) {
            it(`${what} (${stack})`, async () => {
                const err = await runBootstrap(stack, overrides).then(
                    () => assert.fail("the program ran"),
                    (e: unknown) => e,
                );
                assert.ok(err instanceof ProgramError, String(err));
                assert.match(err.message, expected);
                assert.deepEqual(
                    createdResources(err.resources).map((r) => r.name),
                    [],
                );
                assert.deepEqual(
                    err.resources.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.name),
                    [],
                );
            });
        }
    });
});
