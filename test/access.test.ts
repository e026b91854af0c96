import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { rejectionOf } from "./support/assertions";
import { unwrapSecret } from "./support/mocks";
import { createdResources } from "./support/fixtures";
import { ProgramError, runProgram, stackRun } from "./support/run";

const CLUSTER = "aws:eks/cluster:Cluster";
const POLICY = "arn:aws:eks::aws:cluster-access-policy";

describe("a platform CI can reach, pinned in the stack files", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("declares who may use the cluster: the deploy role as admin, the preview role read-only, nobody by creating it", async () => {
                const run = await stackRun(stack);
                const { deployRoleArn, previewRoleArn } = run.settings.cluster;
                assert.equal(run.resources.get(CLUSTER, `${stack}-eks`).inputs.accessConfig.bootstrapClusterCreatorAdminPermissions, false);
                const grants = run.resources
                    .ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
                    .map((a) => [a.inputs.principalArn, a.inputs.policyArn.replace(`${POLICY}/`, "")]);
                assert.deepEqual(grants, [
                    [deployRoleArn, "AmazonEKSClusterAdminPolicy"],
                    [previewRoleArn, "AmazonEKSViewPolicy"],
                ]);
                const k8s = run.resources.get("pulumi:providers:kubernetes", `${stack}-k8s`);
                const admin = run.resources.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")[0]!;
                assert.ok(k8s.dependencies.includes(admin.urn), "the program's own Kubernetes calls wait for the deploy role's access");
            });

            it("keeps control-plane logs in a log group it makes first, with the configured retention", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                assert.equal(cluster.inputs.name, `multiregion-${stack}`);
                const logs = run.resources.get("aws:cloudwatch/logGroup:LogGroup", `${stack}-control-plane-logs`);
                assert.equal(logs.inputs.name, `/aws/eks/multiregion-${stack}/cluster`, "the name EKS writes to");
                assert.equal(logs.inputs.retentionInDays, run.settings.logRetentionDays);
                assert.ok(cluster.dependencies.includes(logs.urn), "exists before EKS could make its own");
            });

            it("pins what EKS does at the end of standard support, and every add-on version", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(run.resources.get(CLUSTER, `${stack}-eks`).inputs.upgradePolicy, {
                    supportType: run.settings.cluster.eksSupportType,
                });
                for (const addon of run.resources.ofType("aws:eks/addon:Addon")) {
                    assert.ok(addon.ignoreChanges.includes("addonVersion") || /^v\d/.test(addon.inputs.addonVersion), addon.name);
                }
            });
        });
    }

    it("says to run npm run images, before creating anything, when the region has no repositories yet", async () => {
        const err = await rejectionOf(runProgram("prod-eu", { repositories: [] }));
        assert.ok(err instanceof ProgramError);
        assert.match(
            err.message,
            /^ECR has no sample-app-backend or sample-app-frontend repository in \S+ yet: run npm run images \(it creates the repositories and pushes the images\), then run this again$/,
        );
        assert.deepEqual(createdResources(err.resources), []);
    });

    it("says to run the bootstrap, naming each missing role and key, before creating anything, when the account lacks them", async () => {
        const err = await rejectionOf(runProgram("prod-eu", { bootstrapped: false }));
        assert.ok(err instanceof ProgramError);
        assert.equal(
            err.message,
            "account 123456789012 lacks the KMS alias alias/multiregion-prod-eu-eks-secrets in eu-west-1, the role arn:aws:iam::123456789012:role/multiregion/multiregion-eks-cluster, the role arn:aws:iam::123456789012:role/multiregion/multiregion-eks-auto-node, the role arn:aws:iam::123456789012:role/multiregion/multiregion-flow-logs, the role arn:aws:iam::123456789012:role/multiregion/multiregion-prod-backend-data, a replica of the table multiregion-prod-data in eu-west-1: run pulumi up in bootstrap/ for this account (docs/bootstrap.md), then run this again",
        );
        assert.deepEqual(createdResources(err.resources), []);
    });

    it("uses the ambient credentials unless told to assume the deploy role, then does so for AWS and for Kubernetes alike", async () => {
        const plain = await runProgram("prod-us");
        assert.equal(plain.resources.get("pulumi:providers:aws", "aws-us-east-2").inputs.assumeRoles, undefined);

        const run = await runProgram("prod-us", { overrides: { assumeDeployRole: true } });
        const role = run.settings.cluster.deployRoleArn;
        for (const provider of run.resources.ofType("pulumi:providers:aws")) {
            assert.deepEqual(JSON.parse(provider.inputs.assumeRoles), [{ roleArn: role, sessionName: "pulumi-prod-us" }], provider.name);
        }
        assert.equal(run.resources.ofType("pulumi:providers:aws").length, 2, "the region's, and us-east-1's for the alarms");
        const kubeconfig = JSON.parse(unwrapSecret(run.resources.get("pulumi:providers:kubernetes", "prod-us-k8s").inputs.kubeconfig));
        const args: string[] = kubeconfig.users[0].user.exec.args;
        assert.deepEqual(args.slice(args.indexOf("--role-arn"), args.indexOf("--role-arn") + 2), ["--role-arn", role]);
    });

    it("lets EXTENDED support keep a cluster past standard support, when chosen", async () => {
        const run = await runProgram("prod-us", { overrides: { eksSupportType: "EXTENDED" } });
        assert.deepEqual(run.resources.get(CLUSTER, "prod-us-eks").inputs.upgradePolicy, { supportType: "EXTENDED" });
    });
});
