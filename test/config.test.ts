import { strict as assert } from "node:assert";
import { ConfigError, parseConfig, projectValues, RawConfig } from "../config";
import { BAD_INPUT } from "./config.cases";
import { rejectionOf } from "./support/assertions";
import { createdResources } from "./support/fixtures";
import { ProgramError, runProgram } from "./support/run";
import { listStacks, loadStack, readProject, resolveStackConfig } from "../tools/stacks";

const project = readProject().name;
const ctx = { project, stack: "prod-us" };

/** prod-us's raw config without the project prefix, as loadConfig hands it to parseConfig. */
function rawFor(stack: string, overrides: Record<string, unknown> = {}): Record<string, string | undefined> {
    return projectValues(resolveStackConfig(stack, overrides), project);
}

function problemsOf(raw: RawConfig): string[] {
    try {
        parseConfig(raw, ctx);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err.problems;
    }
    return [];
}

describe("config", () => {
    for (const stack of listStacks()) {
        it(`parses ${stack} without problems`, () => {
            const config = parseConfig(rawFor(stack), { project, stack });
            assert.equal(config.stack, stack);
            assert.ok(config.services.maxReplicas >= config.services.minReplicas);
        });
    }

    describe("rejects bad input, naming the key, the value and what is allowed", () => {
        for (const [what, overrides, expected] of BAD_INPUT) {
            it(what, () => {
                const raw = { ...rawFor("prod-us") };
                for (const [key, value] of Object.entries(overrides)) {
                    raw[key] = typeof value === "string" ? value : JSON.stringify(value);
                }
                const problems = problemsOf(raw);
                assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
                assert.match(problems[0]!, expected);
            });
        }

        it("a missing required key, in the program's own check", () => {
            const raw = rawFor("prod-us");
            delete raw.region;
            assert.deepEqual(problemsOf(raw), [
                "multiregion:region: missing; required: AWS region of this stack, such as us-east-2 (pulumi config set region <value>)",
            ]);
        });

        it("every missing required key, in the CLI's check of Pulumi.yaml, naming the file", () => {
            assert.throws(
                () => resolveStackConfig("prod-us", { role: undefined, recordName: undefined }),
                (err: Error) =>
                    err.message ===
                    [
                        "Pulumi.prod-us.yaml:",
                        "  - multiregion:role: missing; required: Failover role of this region: active or standby. Required; exactly one stack is active. (pulumi config set role <value>)",
                        "  - multiregion:recordName: missing; required: The failover record users reach, such as app.example.com, inside hostedZone. Same in every stack (pulumi config set recordName <value>)",
                    ].join("\n"),
            );
        });

        it("a value of the wrong type, in the CLI's check of Pulumi.yaml, saying what to write", () => {
            assert.throws(
                () => resolveStackConfig("prod-us", { azCount: "3", failoverRecord: "yes", publicAccessCidrs: "203.0.113.0/24" }),
                (err: Error) =>
                    err.message ===
                    [
                        "Pulumi.prod-us.yaml:",
                        '  - multiregion:azCount: got the string "3"; it is an integer: write it without quotes: 3',
                        '  - multiregion:publicAccessCidrs: got "203.0.113.0/24"; it is a list: write [203.0.113.0/24]',
                        '  - multiregion:failoverRecord: got "yes"; it is true or false, without quotes',
                    ].join("\n"),
            );
        });

        it("accepts as many zones as the region has: six in us-east-1", () => {
            assert.deepEqual(problemsOf({ ...rawFor("prod-us"), region: "us-east-1", azCount: "6" }), []);
        });

        it("every problem at once, so one run shows them all", () => {
            const raw = { ...rawFor("prod-us"), role: "primary", azCount: "9", kubernetesVersion: "latest" };
            const problems = problemsOf(raw);
            assert.deepEqual(
                problems.map((p) => p.split(":")[1]),
                ["role", "azCount", "kubernetesVersion"],
            );
        });
    });

    describe("the program stops before creating anything", () => {
        it("on invalid config", async () => {
            const err = await rejectionOf(runProgram("prod-us", { overrides: { role: "primary" } }));
            assert.ok(err instanceof ProgramError);
            assert.equal(err.name, "ConfigError");
            assert.match(err.message, /multiregion:role: got "primary"/);
            assert.deepEqual(
                err.resources.resources.map((r) => r.type),
                ["pulumi:pulumi:Stack"],
            );
        });

        it("when the region has fewer zones than azCount", async () => {
            const region = loadStack("prod-eu").region;
            const zones = [`${region}a`, `${region}b`];
            const err = await rejectionOf(runProgram("prod-eu", { overrides: { azCount: 3 }, zones }));
            assert.ok(err instanceof ProgramError);
            assert.equal(
                err.message,
                `invalid configuration for stack prod-eu (Pulumi.prod-eu.yaml):\n  - multiregion:azCount: got 3; allowed: at most 2, the zones ${region} offers this account (${zones.join(", ")})`,
            );
            const created = createdResources(err.resources);
            assert.deepEqual(created, []);
        });
    });
});
