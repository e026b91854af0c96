/**
 * Live parity (`--fleet`): a setting every region expects alike must be observed alike, measured
 * against the fake AWS and on hand-made reports.
 */
import { strict as assert } from "node:assert";
import type { Claim } from "../tools/verify/claim";
import { liveParity } from "../tools/verify/parity";
import type { StackReport } from "../tools/verify/report";
import { startVerify, VerifyWorld } from "./support/verifyRun";

const claim = (id: string, expected: string, observed: string): Claim => ({
    id,
    what: id,
    expected,
    observed,
    status: observed === "" ? "UNKNOWN" : "PASS",
    why: "",
});
const report = (stack: string, claims: Claim[]): StackReport => ({ stack, region: stack, at: "", claims });

describe("verify --fleet: live parity between the fleet's regions", () => {
    it("passes a setting observed alike, fails one observed differently, and says each region's value", () => {
        const parity = liveParity([
            report("prod-eu", [
                claim("eks.addon.metrics-server", "EKS's default", "v0.8.1-eksbuild.5"),
                claim("k8s.images", "one digest", "sha256:aa"),
            ]),
            report("prod-us", [
                claim("eks.addon.metrics-server", "EKS's default", "v0.8.1-eksbuild.5"),
                claim("k8s.images", "one digest", "sha256:bb"),
            ]),
        ]);
        assert.deepEqual(
            parity.map((c) => [c.id, c.status, c.observed]),
            [
                ["parity.eks.addon.metrics-server", "PASS", "prod-eu v0.8.1-eksbuild.5; prod-us v0.8.1-eksbuild.5"],
                ["parity.k8s.images", "FAIL", "prod-eu sha256:aa; prod-us sha256:bb"],
            ],
        );
        assert.equal(parity[1]!.why, "the regions differ");
    });

    it("leaves out what the key table lets differ (the expectations differ) and what is a measurement", () => {
        const parity = liveParity([
            report("prod-eu", [claim("r53.record.role", "SECONDARY", "SECONDARY"), claim("cert.daysLeft", "more than 30 days", "80 days")]),
            report("prod-us", [claim("r53.record.role", "PRIMARY", "PRIMARY"), claim("cert.daysLeft", "more than 30 days", "45 days")]),
        ]);
        assert.deepEqual(parity, []);
    });

    it("is UNKNOWN where a region could not be read, and absent for one stack or a claim one region lacks", () => {
        const parity = liveParity([
            report("a", [claim("eks.version", "1.33", ""), claim("only.here", "x", "x")]),
            report("b", [claim("eks.version", "1.33", "1.33")]),
        ]);
        assert.deepEqual(
            parity.map((c) => [c.id, c.status, c.why]),
            [["parity.eks.version", "UNKNOWN", "not read in a"]],
        );
        assert.deepEqual(liveParity([report("a", [claim("eks.version", "1.33", "1.33")])]), []);
        const settling = { ...claim("lb.listener443", "TCP to 8080", "TCP to no targets"), status: "UNKNOWN" as const };
        const parity2 = liveParity([report("a", [settling]), report("b", [claim("lb.listener443", "TCP to 8080", "TCP to 8080")])]);
        assert.deepEqual(
            parity2.map((c) => [c.status, c.why]),
            [["UNKNOWN", "not read in a"]],
        );
    });

    describe("against the fake AWS", () => {
        let v: VerifyWorld;
        beforeEach(async () => (v = await startVerify()));
        afterEach(async () => v.close());

        it("a healthy fleet: every parity claim PASS, printed after the stacks and written as `parity`", async () => {
            const r = await v.run(["--fleet", "prod"]);
            assert.equal(r.code, 0, r.out);
            assert.ok(r.json.parity.length >= 20, String(r.json.parity.length));
            assert.deepEqual(
                r.json.parity.filter((c: Claim) => c.status !== "PASS"),
                [],
            );
            assert.match(r.out, /^live parity of fleet prod$/m);
            assert.match(r.out, /^PASS +parity\.eks\.version +expected one value in every region +observed prod-eu \S+; prod-us \S+$/m);
            assert.ok(!r.json.parity.some((c: Claim) => c.id === "parity.r53.record.target"), "each region's own target");
        });

        it("a region that drifted: its parity claim FAILs, and the run exits 1", async () => {
            v.eu.table.deletionProtection = false;
            const r = await v.run(["--fleet", "prod"]);
            assert.equal(r.code, 1);
            const drift = r.json.parity.find((c: Claim) => c.id === "parity.data.deletionProtection");
            assert.equal(drift?.status, "FAIL");
        });

        it("--stack: no parity", async () => {
            const r = await v.run(["--stack", "prod-us"]);
            assert.equal(r.json.parity, undefined);
            assert.doesNotMatch(r.out, /live parity/);
        });
    });
});
