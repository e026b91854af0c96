import { strict as assert } from "node:assert";
import { mockId } from "./support/fixtures";
import { privateSubnetIds } from "./support/iam";
import { bootstrappedKeyArn, isSecretValue, unwrapSecret } from "./support/mocks";
import { runProgram, stackRun } from "./support/run";
import { listStacks } from "../tools/stacks";

const CLUSTER = "aws:eks/cluster:Cluster";

describe("cluster", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("pins the Kubernetes version from config and puts the control plane in the private subnets", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                assert.equal(cluster.inputs.version, run.settings.cluster.kubernetesVersion);
                assert.deepEqual([...cluster.inputs.vpcConfig.subnetIds].sort(), privateSubnetIds(run));
            });

            it("keeps the private endpoint on and limits the public one to the configured CIDRs", async () => {
                const run = await stackRun(stack);
                const vpcConfig = run.resources.get(CLUSTER, `${stack}-eks`).inputs.vpcConfig;
                assert.equal(vpcConfig.endpointPrivateAccess, true);
                assert.equal(vpcConfig.endpointPublicAccess, true);
                assert.deepEqual(vpcConfig.publicAccessCidrs, run.settings.cluster.publicAccessCidrs);
            });

            it("authenticates through the EKS access-entry API only", async () => {
                const run = await stackRun(stack);
                const access = run.resources.get(CLUSTER, `${stack}-eks`).inputs.accessConfig;
                assert.equal(access.authenticationMode, "API");
                assert.equal(
                    access.bootstrapClusterCreatorAdminPermissions,
                    false,
                    "who is admin is in the stack file, not who ran the first up",
                );
            });

            it("envelope-encrypts secrets with the bootstrap's key for this cluster, found by its alias in the stack's region", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                const keyArn = bootstrappedKeyArn(`alias/multiregion-${stack}-eks-secrets`, run.settings.region, run.settings.accountId);
                assert.deepEqual(cluster.inputs.encryptionConfig, { provider: { keyArn }, resources: ["secrets"] });
                assert.deepEqual(run.resources.ofType("aws:kms/key:Key"), [], "CI makes no key");
            });

            it("turns on every control-plane log type", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(run.resources.get(CLUSTER, `${stack}-eks`).inputs.enabledClusterLogTypes, [
                    "api",
                    "audit",
                    "authenticator",
                    "controllerManager",
                    "scheduler",
                ]);
            });

            it("protects the cluster and creates it after the log group EKS would otherwise make without a retention", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                assert.equal(cluster.protect, true);
                const logs = run.resources.get("aws:cloudwatch/logGroup:LogGroup", `${stack}-control-plane-logs`);
                assert.ok(cluster.dependencies.includes(logs.urn));
            });

            it("builds a secret kubeconfig that authenticates with aws eks get-token in the stack's region", async () => {
                const run = await stackRun(stack);
                const provider = run.resources.get("pulumi:providers:kubernetes", `${stack}-k8s`);
                assert.ok(isSecretValue(provider.inputs.kubeconfig), "kubeconfig is a secret");
                const kubeconfig = JSON.parse(unwrapSecret(provider.inputs.kubeconfig));
                assert.deepEqual(kubeconfig.users[0].user.exec.args, [
                    "eks",
                    "get-token",
                    "--cluster-name",
                    `multiregion-${stack}`,
                    "--region",
                    run.settings.region,
                    "--output",
                    "json",
                ]);
                assert.equal(
                    kubeconfig.clusters[0].cluster.server,
                    `https://EXAMPLE0123456789.gr7.${run.settings.region}.eks.amazonaws.com`,
                );
            });

            it("exports the cluster name, the VPC id and the kubeconfig as a secret", async () => {
                const run = await stackRun(stack);
                assert.equal(run.outputs.clusterName, `multiregion-${stack}`);
                assert.equal(run.outputs.vpcId, mockId(`${stack}-vpc`));
                const stackUrn = run.resources.ofType("pulumi:pulumi:Stack")[0]!.urn;
                const registered = run.resources.registeredOutputs.get(stackUrn)!;
                assert.ok(isSecretValue(registered.kubeconfig), "kubeconfig output is a secret");
                assert.ok(!isSecretValue(registered.clusterName));
            });
        });
    }

    it("grants the deploy role and each configured admin principal cluster admin, and the preview role read-only", async () => {
        const admins = ["arn:aws:iam::123456789012:role/PlatformAdmin", "arn:aws:iam::123456789012:user/ops/alice"];
        const run = await runProgram("prod-us", { overrides: { adminPrincipalArns: admins } });
        const { deployRoleArn, previewRoleArn } = run.settings.cluster;
        const entries = run.resources.ofType("aws:eks/accessEntry:AccessEntry");
        assert.deepEqual(
            entries.map((e) => [e.name, e.inputs.principalArn, e.inputs.type]),
            [
                ["prod-us-admin-multiregion-deploy", deployRoleArn, "STANDARD"],
                ["prod-us-admin-platformadmin", admins[0], "STANDARD"],
                ["prod-us-admin-alice", admins[1], "STANDARD"],
                ["prod-us-viewer-multiregion-preview", previewRoleArn, "STANDARD"],
            ],
        );
        const associations = run.resources.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.equal(associations.length, 4);
        for (const [i, assoc] of associations.entries()) {
            assert.equal(assoc.inputs.principalArn, entries[i]!.inputs.principalArn);
            const policy = i < 3 ? "AmazonEKSClusterAdminPolicy" : "AmazonEKSViewPolicy";
            assert.equal(assoc.inputs.policyArn, `arn:aws:eks::aws:cluster-access-policy/${policy}`);
            assert.deepEqual(assoc.inputs.accessScope, { type: "cluster" });
            assert.ok(assoc.dependencies.includes(entries[i]!.urn));
        }
        const k8sProvider = run.resources.get("pulumi:providers:kubernetes", "prod-us-k8s");
        for (const assoc of associations.slice(0, 3)) assert.ok(k8sProvider.dependencies.includes(assoc.urn));
    });

    it("grants no read-only access to a preview role left empty", async () => {
        const run = await runProgram("prod-us", { overrides: { previewRoleArn: "" } });
        const viewers = run.resources.ofType("aws:eks/accessEntry:AccessEntry").filter((e) => e.name.includes("-viewer-"));
        assert.deepEqual(viewers, []);
    });

    it("grants each configured viewer read-only access, for previews", async () => {
        const viewer = "arn:aws:iam::123456789012:role/PulumiPreview";
        const run = await runProgram("prod-us", { overrides: { viewerPrincipalArns: [viewer] } });
        const assoc = run.resources.get("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "prod-us-viewer-pulumipreview");
        assert.equal(assoc.inputs.principalArn, viewer);
        assert.equal(assoc.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
        assert.deepEqual(assoc.inputs.accessScope, { type: "cluster" });
        assert.equal(run.resources.get("aws:eks/accessEntry:AccessEntry", "prod-us-viewer-pulumipreview").inputs.principalArn, viewer);
    });

    it("lets the viewers also read nodes and PolicyEndpoints, which verify needs, and nothing more; admins carry no group", async () => {
        const run = await stackRun("prod-us");
        const entries = run.resources.ofType("aws:eks/accessEntry:AccessEntry");
        const groups = (kind: string) => entries.filter((e) => e.name.includes(`-${kind}-`)).map((e) => e.inputs.kubernetesGroups);
        assert.deepEqual(groups("viewer"), [["multiregion-verify-readers"]]);
        assert.ok(groups("admin").every((g) => g === undefined));
        const role = run.resources.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "prod-us-verify-readers");
        assert.deepEqual(role.inputs.rules, [
            { apiGroups: [""], resources: ["nodes"], verbs: ["get"] },
            { apiGroups: ["networking.k8s.aws"], resources: ["policyendpoints"], verbs: ["list"] },
        ]);
        const binding = run.resources.get("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "prod-us-verify-readers");
        assert.deepEqual(binding.inputs.subjects, [
            { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "multiregion-verify-readers" },
        ]);
        assert.deepEqual(binding.inputs.roleRef, {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "multiregion-verify-readers",
        });
        const provider = run.resources.get("pulumi:providers:kubernetes", "prod-us-k8s");
        assert.equal(binding.provider, `${provider.urn}::${provider.id}`);
    });
});

describe("cluster API exposure", () => {
    it("warns when the public endpoint is open to the whole internet, outside prod", async () => {
        const run = await stackRun("ci-us");
        assert.deepEqual(run.warnings, [
            "multiregion:publicAccessCidrs allows the whole internet to reach the Kubernetes API: fine for a throwaway fleet deployed from GitHub-hosted runners, refused in a stage-* or prod-* stack.",
        ]);
    });

    it("stays quiet when the endpoint is narrowed", async () => {
        const run = await runProgram("prod-us", { overrides: { publicAccessCidrs: ["203.0.113.0/24"] } });
        assert.deepEqual(run.warnings, []);
        assert.deepEqual(run.resources.get(CLUSTER, "prod-us-eks").inputs.vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
    });
});
