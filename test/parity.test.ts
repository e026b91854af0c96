import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { planStack, Plan } from "../tools/plan/build";
import { main as parityMain, parityProblems, parityReport } from "../tools/parity";
import { setStackValue } from "../tools/stackFile";
import { copyStackFiles, editStackFile, testIo } from "./support/fixtures";

const plans = new Map<string, Promise<Plan>>();
function plan(stack: string): Promise<Plan> {
    if (!plans.has(stack)) plans.set(stack, planStack(stack));
    return plans.get(stack)!;
}

describe("npm run parity", () => {
    it("passes on the repository's stack files", async () => {
        const out = testIo();
        assert.equal(await parityMain([], out), 0);
        assert.match(out.text(), /^prod-eu against prod-us: in parity$/m);
    });

    it("passes a spare third region, which publishes no record, and still fails one missing anything else", async () => {
        const root = copyStackFiles();
        // A spare in ap-southeast-1, in prod and, as every region goes through stage first, in stage.
        const spare = (fleet: string, cidr: string, vpcCidr: string) =>
            fs.writeFileSync(
                path.join(root, `Pulumi.${fleet}-ap.yaml`),
                fs
                    .readFileSync(path.join(root, `Pulumi.${fleet}-eu.yaml`), "utf8")
                    .replace("multiregion:region: eu-west-1", "multiregion:region: ap-southeast-1")
                    .replace(`multiregion:vpcCidr: ${cidr}`, `multiregion:vpcCidr: ${vpcCidr}`)
                    .replace("multiregion:failoverRecord: true", "multiregion:failoverRecord: false"),
            );
        spare("prod", "10.20.0.0/16", "10.30.0.0/16");
        spare("stage", "10.40.0.0/16", "10.50.0.0/16");
        const out = testIo({ root });
        assert.equal(await parityMain([], out), 0, out.text());
        assert.match(out.text(), /^prod-ap against prod-us: in parity$/m);
        setStackValue("prod-ap", "multiregion:kubernetesVersion", "1.34", root);
        assert.equal(await parityMain([], testIo({ root })), 1);
    });

    it("fails on a standby with another Kubernetes version, naming the property", async () => {
        const root = copyStackFiles();
        setStackValue("prod-eu", "multiregion:kubernetesVersion", "1.34", root);
        const out = testIo({ root });
        assert.equal(await parityMain([], out), 1);
        assert.match(out.text(), /^ {2}aws:eks\/cluster:Cluster <stack>-eks version: "1\.35" in prod-us, "1\.34" in prod-eu$/m);
    });

    it("fails on a standby with another metrics-server version, now that every stack file pins one", async () => {
        const root = copyStackFiles();
        setStackValue("prod-eu", "multiregion:metricsServerVersion", "v0.8.0-eksbuild.3", root);
        const out = testIo({ root });
        assert.equal(await parityMain([], out), 1);
        assert.match(
            out.text(),
            /^ {2}aws:eks\/addon:Addon <stack>-metrics-server addonVersion: "v0\.8\.1-eksbuild\.5" in prod-us, "v0\.8\.0-eksbuild\.3" in prod-eu$/m,
        );
    });

    describe("an IAM Identity Center admin, whose role path names a region", () => {
        const sso = (account: string) =>
            `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`;
        const withAdmins = (admins: Record<string, string>) => {
            const root = copyStackFiles();
            for (const [stack, arn] of Object.entries(admins)) {
                editStackFile(root, stack, (t) =>
                    t.replace("multiregion:adminPrincipalArns: []", `multiregion:adminPrincipalArns: [${arn}]`),
                );
            }
            return root;
        };

        it("is in parity when every stack names the same role", async () => {
            const out = testIo({ root: withAdmins({ "prod-us": sso("123456789012"), "prod-eu": sso("123456789012") }) });
            assert.equal(await parityMain([], out), 0, out.text());
            assert.match(out.text(), /^prod-eu against prod-us: in parity$/m);
        });

        it("still differs when the stacks name different roles", async () => {
            const out = testIo({ root: withAdmins({ "prod-us": sso("123456789012"), "prod-eu": sso("210987654321") }) });
            assert.equal(await parityMain([], out), 1);
            assert.match(
                out.text(),
                /^ {2}aws:eks\/accessEntry:AccessEntry <stack>-admin-awsreservedsso-admin-0123456789abcdef principalArn: "arn:aws:iam::123456789012:role\/aws-reserved\/sso\.amazonaws\.com\/<peer1>\/AWSReservedSSO_Admin_0123456789abcdef" in prod-us, "arn:aws:iam::210987654321:role\/aws-reserved\/sso\.amazonaws\.com\/<region>\/AWSReservedSSO_Admin_0123456789abcdef" in prod-eu$/m,
            );
        });
    });

    it("fails on a standby without the NetworkPolicy, naming it", async () => {
        const active = await plan("prod-us");
        const standby = await plan("prod-eu");
        const drifted: Plan = {
            ...standby,
            resources: standby.resources.filter((r) => r.type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
        };
        assert.deepEqual(parityProblems(active, standby), []);
        const report = parityReport([active, drifted]);
        assert.equal(report.ok, false);
        assert.ok(
            report.lines.includes("  kubernetes:networking.k8s.io/v1:NetworkPolicy <stack>-backend-ingress: only in prod-us"),
            report.lines.join("\n"),
        );
    });

    it("fails on a standby that cannot grow as far as the active, naming the autoscalers", async () => {
        const root = copyStackFiles();
        setStackValue("prod-eu", "multiregion:maxReplicas", 4, root);
        const out = testIo({ root });
        assert.equal(await parityMain([], out), 1);
        for (const tier of ["backend", "frontend"]) {
            assert.ok(
                out.lines.includes(
                    `  kubernetes:autoscaling/v2:HorizontalPodAutoscaler <stack>-${tier}-hpa spec.maxReplicas: 10 in prod-us, 4 in prod-eu`,
                ),
                out.text(),
            );
        }
    });

    it("lets the autoscaler's floor follow the role, and nothing else about it", async () => {
        const text = parityReport([await plan("prod-us"), await plan("prod-eu")]).lines.join("\n");
        assert.match(text, /HorizontalPodAutoscaler spec\.minReplicas \(the autoscaler's floor follows the role\)/);
    });
});
