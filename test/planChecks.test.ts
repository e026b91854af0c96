import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Plan, planStack } from "../tools/plan/build";
import { main as planMain } from "../tools/plan/main";
import { renderText } from "../tools/plan/render";
import { main as parityMain } from "../tools/parity";
import { setStackValue, setStackValues } from "../tools/stackFile";
import { rejectionOf } from "./support/assertions";
import { copyStackFiles, editStackFile, testIo } from "./support/fixtures";
import { loadStack } from "../tools/stacks";

const US = loadStack("prod-us");
const EU = loadStack("prod-eu");

describe("npm run plan and parity tell the truth", () => {
    describe("they apply the cross-stack rules, with the same messages, naming both stacks", () => {
        const cases: [string, Record<string, Record<string, string | number | boolean>>, string][] = [
            [
                "overlapping VPCs",
                { "prod-eu": { "multiregion:vpcCidr": "10.10.128.0/20" } },
                "VPC CIDRs overlap: prod-eu 10.10.128.0/20 and prod-us 10.10.0.0/16",
            ],
            [
                "two stacks in one region",
                { "prod-eu": { "multiregion:region": US.region } },
                `each stack must be its own region; prod-eu and prod-us are both in ${US.region}`,
            ],
            [
                "two active stacks",
                { "prod-eu": { "multiregion:role": "active" } },
                "exactly one stack must be active; active: prod-eu, prod-us",
            ],
            [
                "another record name",
                { "prod-eu": { "multiregion:recordName": "eu.example.com" } },
                "every stack must publish the same record name; prod-eu uses eu.example.com, prod-us uses app.example.com",
            ],
        ];
        for (const [what, edits, message] of cases) {
            it(`on ${what}, even when planning one stack`, async () => {
                const root = copyStackFiles();
                for (const [stack, values] of Object.entries(edits)) setStackValues(stack, values, root);
                for (const argv of [[], ["--stack", "prod-us"]]) {
                    const err = await rejectionOf(planMain(argv, testIo({ root })));
                    assert.equal((err as Error).name, "CrossStackError");
                    assert.equal((err as Error).message, `the prod-* stack files disagree:\n  - ${message}`);
                }
                const err = await rejectionOf(parityMain([], testIo({ root })));
                assert.equal((err as Error).message, `the prod-* stack files disagree:\n  - ${message}`);
            });
        }

        it("says which stacks one stack was checked against", async () => {
            const io = testIo();
            await planMain(["--stack", "prod-us"], io);
            assert.ok(
                io.text().endsWith(`\nCross-stack rules hold for prod-eu (standby, ${EU.region}), prod-us (active, ${US.region}).`),
                io.text(),
            );
        });
    });

    describe("config problems name the file, for every stack at once", () => {
        it("lists each broken stack file with all of its problems", async () => {
            const root = copyStackFiles();
            setStackValues("prod-eu", { "multiregion:role": "primary", "multiregion:azCount": 9 }, root);
            editStackFile(root, "prod-us", (t) => t.replace('kubernetesVersion: "1.35"', "kubernetesVersion: 1.30"));
            const err = await rejectionOf(planMain([], testIo({ root })));
            assert.equal(
                (err as Error).message,
                [
                    "Pulumi.prod-eu.yaml:",
                    '  - multiregion:role: got "primary"; allowed: "active" or "standby"',
                    '  - multiregion:azCount: got "9"; allowed: an integer from 2 to 6',
                    "Pulumi.prod-us.yaml:",
                    '  - multiregion:kubernetesVersion: got 1.30, read as a number; it is a string: quote it: "1.30"',
                ].join("\n"),
            );
        });

        it("names the file, line and column of malformed YAML", async () => {
            const root = copyStackFiles();
            editStackFile(root, "prod-eu", (t) => t.replace("198.51.100.10/32]", "198.51.100.10/32"));
            const err = await rejectionOf(planMain(["--stack", "prod-eu"], testIo({ root })));
            // YAML notices the unclosed list on the next line, at its key.
            const lines = fs.readFileSync(path.join(root, "Pulumi.prod-eu.yaml"), "utf8").split("\n");
            const next = lines.findIndex((l) => l.includes("[203.0.113.0/28")) + 2;
            assert.equal(
                (err as Error).message,
                `Pulumi.prod-eu.yaml:${next}:3:\n  - not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
            );
        });

        it("lists every missing key of an empty stack file", async () => {
            const root = copyStackFiles();
            editStackFile(root, "prod-eu", () => "");
            const err = await rejectionOf(planMain(["--stack", "prod-eu"], testIo({ root })));
            const missing = [...(err as Error).message.matchAll(/multiregion:(\w+): missing/g)].map((m) => m[1]);
            assert.deepEqual(missing, [
                "region",
                "accountId",
                "role",
                "vpcCidr",
                "deployRoleArn",
                "backendImage",
                "frontendImage",
                "hostedZone",
                "recordName",
            ]);
        });
    });

    describe("made-up values are marked, and never compared", () => {
        // With metrics-server unpinned, EKS picks its version: a value only AWS can give.
        const unpinned = () => {
            const root = copyStackFiles();
            for (const stack of ["prod-us", "prod-eu"]) setStackValue(stack, "multiregion:metricsServerVersion", "", root);
            return root;
        };
        let plan: Plan;
        before(async () => {
            plan = await planStack("prod-eu", unpinned());
        });

        it("marks them * in text, next to real values unmarked", () => {
            const text = renderText(plan);
            assert.match(text, /addonName=metrics-server {2}addonVersion=v1\.35\.0-eksbuild\.1\*\n/);
            assert.ok(text.includes(`fqdn=sample-app-frontend--0123456789abcdef.elb.${EU.region}.amazonaws.com*  resourcePath=/health `));
            assert.match(text, /aws:ec2\/vpc:Vpc {2}prod-eu-vpc {2}cidrBlock=10\.20\.0\.0\/16\n/);
        });

        it("flags them in JSON, by input path", () => {
            const addon = plan.resources.find((r) => r.name === "prod-eu-metrics-server")!;
            assert.deepEqual(addon.placeholders, ["addonVersion"]);
            const vpc = plan.resources.find((r) => r.name === "prod-eu-vpc")!;
            assert.deepEqual(vpc.placeholders, []);
        });

        it("parity reports a real difference but not the made-up values that follow from it", async () => {
            const root = unpinned();
            setStackValue("prod-eu", "multiregion:kubernetesVersion", "1.34", root);
            const io = testIo({ root });
            assert.equal(await parityMain([], io), 1);
            assert.match(io.text(), /aws:eks\/cluster:Cluster <stack>-eks version: "1\.35" in prod-us, "1\.34" in prod-eu/);
            assert.doesNotMatch(io.text(), /addonVersion/);
        });
    });

    it("--json-out writes clean JSON to a file, whatever wraps stdout", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-")), "plan.json");
        await planMain(["--stack", "prod-us", "--json-out", file], testIo());
        assert.equal((JSON.parse(fs.readFileSync(file, "utf8")) as Plan).stack, "prod-us");
    });
});
