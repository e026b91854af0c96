/**
 * `npm run verify` as a user runs it: --help and bad input, the lines and exit codes, the JSON,
 * --fleet, a stack never deployed, and the proof that it never writes.
 */
import { strict as assert } from "node:assert";
import { ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { NOW } from "./support/fakeAwsWorld";
import { loadStack } from "../tools/stacks";
import { ASSUMED_KEY } from "./support/fakeAws";
import { copyStackFiles, editStackFile } from "./support/fixtures";
import { deny, startVerify, VerifyWorld } from "./support/verifyRun";

describe("npm run verify", () => {
    let v: VerifyWorld;
    beforeEach(async () => (v = await startVerify()));
    afterEach(async () => v.close());

    it("--help prints the usage with the exit codes, exit 0", async () => {
        const r = await v.run(["--help"]);
        assert.equal(r.code, 0);
        assert.match(r.out, /^usage: npm run verify -- \(--stack STACK \| --fleet FLEET\) \[--out FILE\] \[--strict\]$/m);
        assert.match(r.out, /exit: 0 every claim PASS, 1 any FAIL, 3 no FAIL but some UNKNOWN, 2 bad input/);
    });

    for (const [argv, message] of [
        [["--stack", "prod-us", "--bogus"], /^error: unknown option --bogus$/],
        [[], /^error: --stack is required; stacks: ci-eu, ci-us, prod-eu, prod-us, stage-eu, stage-us$/],
        [["--stack", "prod-xx"], /^error: unknown stack "prod-xx"; stacks: /],
        [["--fleet", "qa"], /^error: unknown fleet "qa"; fleets: ci, prod, stage$/],
        [["--stack", "prod-us", "--fleet", "prod"], /^error: give --stack or --fleet, not both$/],
    ] as const) {
        it(`${argv.join(" ") || "no arguments"}: one line saying what is wrong, exit 2, no AWS call`, async () => {
            const r = await v.run([...argv]);
            assert.equal(r.code, 2);
            assert.match(r.err.split("\n")[0]!, message);
            assert.deepEqual(v.fake.calls, []);
        });
    }

    it("a good deploy: one PASS line per claim with expected and observed, exit 0, the JSON", async () => {
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /^verify prod-us \(us-east-2\)$/m);
        assert.match(
            r.out,
            /^PASS {5}lb\.tlsPolicy +expected ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 {2}observed ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09$/m,
        );
        assert.match(r.out, /^prod-us: 55 claims, 55 PASS, 0 FAIL, 0 UNKNOWN$/m);
        assert.deepEqual(Object.keys(r.json), ["stack", "region", "at", "claims"]);
        assert.deepEqual([r.json.stack, r.json.region, r.json.at], ["prod-us", "us-east-2", new Date(NOW).toISOString()]);
        assert.deepEqual(Object.keys(r.json.claims[0]), ["id", "what", "expected", "observed", "status", "why"]);
    });

    it("any FAIL: exit 1, and the line says why", async () => {
        v.us.cert.status = "EXPIRED";
        v.us.alarm.state = "INSUFFICIENT_DATA";
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 1);
        assert.match(r.out, /^FAIL {5}cert\.status +expected ISSUED {2}observed EXPIRED {2}why: differs$/m);
    });

    it("no FAIL but some UNKNOWN: exit 3", async () => {
        v.us.alarm.state = "INSUFFICIENT_DATA";
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 3);
        assert.match(
            r.out,
            /^UNKNOWN {2}alarm\.state +expected OK {2}observed INSUFFICIENT_DATA {2}why: the alarm has too little data to say$/m,
        );
    });

    it("--strict: a read AWS refused is a FAIL (exit 1); a thing not there yet stays UNKNOWN (exit 3)", async () => {
        deny("DescribeAlarms")(v);
        assert.equal((await v.run(["--stack", "prod-us"])).code, 3);
        assert.equal((await v.run(["--stack", "prod-us", "--strict"])).code, 1);
        v.fake.fail = () => undefined;
        v.us.alarm.state = "INSUFFICIENT_DATA";
        assert.equal((await v.run(["--stack", "prod-us", "--strict"])).code, 3);
        // A cluster verify cannot reach (get-token failing, no route): every k8s claim unanswered.
        v.us.alarm.state = "OK";
        v.outputs["prod-us"]!.kubeconfig = String(v.outputs["prod-us"]!.kubeconfig).replace(/127\.0\.0\.1:\d+/, "127.0.0.1:9");
        const unreachable = await v.run(["--stack", "prod-us", "--strict"]);
        assert.equal(unreachable.code, 1);
        assert.match(unreachable.claims["k8s.images"]!.why, /^cannot ask the cluster/);
    });

    it("assumeDeployRole: reads as the stack's own deploy role, as the program does, once per stack", async () => {
        const root = copyStackFiles();
        editStackFile(root, "prod-us", (text) => text.replace(/assumeDeployRole: false/, "assumeDeployRole: true"));
        const r = await v.run(["--stack", "prod-us"], root);
        assert.equal(r.code, 0, r.out);
        const assumed = v.fake.calls.filter((c) => c.op === "AssumeRole");
        assert.deepEqual(
            assumed.map((c) => [c.input.RoleArn, c.input.RoleSessionName]),
            [[loadStack("prod-us", root).assumeRoleArn, "verify-prod-us"]],
        );
        const reads = v.fake.calls.filter((c) => c.service !== "sts");
        assert.ok(reads.length > 10);
        assert.deepEqual([...new Set(reads.map((c) => c.key))], [ASSUMED_KEY]);
    });

    it("no Pulumi CLI: one line saying how to get it, exit 2, and AWS is not asked", async () => {
        v.outputsFail = "ENOENT: spawn pulumi ENOENT";
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 2);
        assert.equal(
            r.err,
            "error: the Pulumi CLI is not installed or not on PATH; verify reads each stack's outputs with it: https://www.pulumi.com/docs/install/",
        );
        assert.deepEqual(v.fake.calls, []);
    });

    it("a stack never deployed (no outputs): every claim UNKNOWN saying so, exit 3, and AWS is not asked", async () => {
        v.outputs["prod-us"] = {};
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 3);
        const claims = Object.values(r.claims);
        assert.ok(claims.length >= 30, String(claims.length));
        assert.deepEqual(
            claims.filter(
                (c) => c.status !== "UNKNOWN" || !/has no \w+ output; deploy it first \(pulumi up --stack prod-us\)$/.test(c.why),
            ),
            [],
        );
        assert.deepEqual(v.fake.calls, []);
    });

    it("outputs that cannot be read (no such stack in the backend): every claim UNKNOWN with the reason", async () => {
        v.outputsFail = "no stack named 'prod-us' found";
        const r = await v.run(["--stack", "prod-us"]);
        assert.equal(r.code, 3);
        assert.deepEqual(
            [...new Set(Object.values(r.claims).map((c) => `${c.status} ${c.why}`))],
            ["UNKNOWN reading the stack's outputs failed: Error: no stack named 'prod-us' found"],
        );
    });

    it("--fleet prod verifies each stack of the fleet in turn, and writes {fleet, at, stacks}", async () => {
        v.eu.table.deletionProtection = false;
        const r = await v.run(["--fleet", "prod"]);
        assert.equal(r.code, 1);
        assert.deepEqual(
            r.json.stacks.map((s: { stack: string; region: string }) => `${s.stack} ${s.region}`),
            ["prod-eu eu-west-1", "prod-us us-east-2"],
        );
        assert.deepEqual([r.json.fleet, r.json.at], ["prod", new Date(NOW).toISOString()]);
        assert.match(r.out, /^prod-eu: 55 claims, 54 PASS, 1 FAIL, 0 UNKNOWN$/m);
        assert.match(r.out, /^prod-us: 55 claims, 55 PASS, 0 FAIL, 0 UNKNOWN$/m);
    });

    it("never writes: every call to every service is a Describe, Get or List, and the fake catches one that is not", async () => {
        const r = await v.run(["--fleet", "prod"]);
        assert.equal(r.code, 0, r.out);
        const services = [...new Set(v.fake.calls.map((c) => c.service))].sort();
        assert.deepEqual(services, ["acm", "dynamodb", "eks", "elasticloadbalancing", "monitoring", "route53"]);
        assert.ok(v.fake.calls.length >= 30, String(v.fake.calls.length));
        assert.deepEqual(v.fake.writes(), []);
        // The check can fail: a write sent to the same fake is caught.
        const elb = new ElasticLoadBalancingV2Client({
            region: "us-east-2",
            endpoint: v.fake.url,
            credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "x" },
        });
        await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: v.us.tls.arn, Attributes: [] })).catch(() => undefined);
        elb.destroy();
        assert.deepEqual(
            v.fake.writes().map((c) => `${c.service} ${c.op}`),
            ["elasticloadbalancing ModifyTargetGroupAttributes"],
        );
    });
});
