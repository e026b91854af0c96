import { strict as assert } from "node:assert";
import { mockId, mockName } from "./support/fixtures";
import { isSecretValue, unwrapSecret } from "./support/mocks";
import { ProgramRun, runProgram, stackRun } from "./support/run";
import { listStacks } from "../tools/stacks";

const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";

function assumedBy(run: ProgramRun, roleName: string): string {
    const policy = JSON.parse(run.resources.get(ROLE, roleName).inputs.assumeRolePolicy);
    assert.equal(policy.Statement.length, 1);
    assert.equal(policy.Statement[0].Action, "sts:AssumeRole");
    return policy.Statement[0].Principal.Service;
}

function policiesOf(run: ProgramRun, roleName: string): string[] {
    return run.resources
        .ofType(ATTACHMENT)
        .filter((a) => a.inputs.role === mockName(roleName))
        .map((a) => a.inputs.policyArn.replace("arn:aws:iam::aws:policy/", ""))
        .sort();
}

function privateSubnetIds(run: ProgramRun): string[] {
    return run.resources
        .ofType("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith(`${run.stack}-private-`))
        .map((s) => mockId(s.name))
        .sort();
}

describe("cluster", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("gives the cluster role only AmazonEKSClusterPolicy, assumed by EKS", async () => {
                const run = await stackRun(stack);
                assert.equal(assumedBy(run, `${stack}-cluster-role`), "eks.amazonaws.com");
                assert.deepEqual(policiesOf(run, `${stack}-cluster-role`), ["AmazonEKSClusterPolicy"]);
            });

            it("gives the node role the worker, ECR pull and CNI policies, assumed by EC2", async () => {
                const run = await stackRun(stack);
                assert.equal(assumedBy(run, `${stack}-node-role`), "ec2.amazonaws.com");
                assert.deepEqual(policiesOf(run, `${stack}-node-role`), [
                    "AmazonEC2ContainerRegistryPullOnly",
                    "AmazonEKSWorkerNodePolicy",
                    "AmazonEKS_CNI_Policy",
                ]);
            });

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
                assert.equal(access.bootstrapClusterCreatorAdminPermissions, true);
            });

            it("envelope-encrypts secrets with a rotating KMS key the cluster role may use", async () => {
                const run = await stackRun(stack);
                const key = run.resources.get("aws:kms/key:Key", `${stack}-secrets-key`);
                assert.equal(key.inputs.enableKeyRotation, true);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                assert.deepEqual(cluster.inputs.encryptionConfig, { provider: { keyArn: key.outputs.arn }, resources: ["secrets"] });
                const grant = run.resources.get("aws:iam/rolePolicy:RolePolicy", `${stack}-cluster-kms`);
                assert.equal(grant.inputs.role, mockName(`${stack}-cluster-role`));
                const statement = JSON.parse(grant.inputs.policy).Statement[0];
                assert.equal(statement.Resource, key.outputs.arn);
                assert.deepEqual(statement.Action, ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
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

            it("protects the cluster and creates it after its role's policies", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`);
                assert.equal(cluster.protect, true);
                const clusterPolicy = run.resources.get(ATTACHMENT, `${stack}-cluster-policy`);
                const kms = run.resources.get("aws:iam/rolePolicy:RolePolicy", `${stack}-cluster-kms`);
                assert.ok(cluster.dependencies.includes(clusterPolicy.urn));
                assert.ok(cluster.dependencies.includes(kms.urn));
            });

            it("runs AL2023 nodes only in the private subnets, sized from config", async () => {
                const run = await stackRun(stack);
                const nodes = run.resources.get(NODE_GROUP, `${stack}-nodes`);
                assert.deepEqual([...nodes.inputs.subnetIds].sort(), privateSubnetIds(run));
                assert.equal(nodes.inputs.amiType, "AL2023_x86_64_STANDARD");
                assert.deepEqual(nodes.inputs.instanceTypes, run.settings.cluster.instanceTypes);
                assert.deepEqual(nodes.inputs.scalingConfig, {
                    minSize: run.settings.cluster.nodes.min,
                    desiredSize: run.settings.cluster.nodes.desired,
                    maxSize: run.settings.cluster.nodes.max,
                });
                assert.equal(nodes.inputs.nodeRoleArn, run.resources.get(ROLE, `${stack}-node-role`).outputs.arn);
            });

            it("ignores desired-size drift and joins nodes only after their policies and the CNI", async () => {
                const run = await stackRun(stack);
                const nodes = run.resources.get(NODE_GROUP, `${stack}-nodes`);
                assert.deepEqual(nodes.ignoreChanges, ["scalingConfig.desiredSize"]);
                for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"]) {
                    assert.ok(nodes.dependencies.includes(run.resources.get(ATTACHMENT, `${stack}-node-${policy}`).urn), policy);
                }
                assert.ok(nodes.dependencies.includes(run.resources.get(ADDON, `${stack}-vpc-cni`).urn));
            });

            it("manages vpc-cni with network policy enforcement, kube-proxy and coredns", async () => {
                const run = await stackRun(stack);
                const addons = run.resources.ofType(ADDON);
                assert.deepEqual(addons.map((a) => a.inputs.addonName).sort(), ["coredns", "kube-proxy", "vpc-cni"]);
                const cni = run.resources.get(ADDON, `${stack}-vpc-cni`);
                assert.deepEqual(JSON.parse(cni.inputs.configurationValues), { enableNetworkPolicy: "true" });
                const coredns = run.resources.get(ADDON, `${stack}-coredns`);
                assert.ok(coredns.dependencies.includes(run.resources.get(NODE_GROUP, `${stack}-nodes`).urn));
                for (const addon of addons) {
                    assert.equal(addon.inputs.addonVersion, `v${run.settings.cluster.kubernetesVersion}.0-eksbuild.1`);
                }
                assert.equal(run.resources.get(CLUSTER, `${stack}-eks`).inputs.bootstrapSelfManagedAddons, false);
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
                    mockName(`${stack}-eks`),
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
                assert.equal(run.outputs.clusterName, mockName(`${stack}-eks`));
                assert.equal(run.outputs.vpcId, mockId(`${stack}-vpc`));
                const stackUrn = run.resources.ofType("pulumi:pulumi:Stack")[0]!.urn;
                const registered = run.resources.registeredOutputs.get(stackUrn)!;
                assert.ok(isSecretValue(registered.kubeconfig), "kubeconfig output is a secret");
                assert.ok(!isSecretValue(registered.clusterName));
            });
        });
    }

    it("picks the Graviton AMI for Graviton instance types", async () => {
        const run = await runProgram("prod-us", { overrides: { nodeInstanceTypes: ["m7g.large", "c7g.xlarge"] } });
        assert.equal(run.resources.get(NODE_GROUP, "prod-us-nodes").inputs.amiType, "AL2023_ARM_64_STANDARD");
    });

    it("grants each configured admin principal cluster admin through an access entry", async () => {
        const admins = ["arn:aws:iam::123456789012:role/PlatformAdmin", "arn:aws:iam::123456789012:user/ops/alice"];
        const run = await runProgram("prod-us", { overrides: { adminPrincipalArns: admins } });
        const entries = run.resources.ofType("aws:eks/accessEntry:AccessEntry");
        assert.deepEqual(
            entries.map((e) => [e.name, e.inputs.principalArn, e.inputs.type]),
            [
                ["prod-us-admin-platformadmin", admins[0], "STANDARD"],
                ["prod-us-admin-alice", admins[1], "STANDARD"],
            ],
        );
        const associations = run.resources.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.equal(associations.length, 2);
        for (const [i, assoc] of associations.entries()) {
            assert.equal(assoc.inputs.principalArn, admins[i]);
            assert.equal(assoc.inputs.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
            assert.deepEqual(assoc.inputs.accessScope, { type: "cluster" });
            assert.ok(assoc.dependencies.includes(entries[i]!.urn));
        }
        const k8sProvider = run.resources.get("pulumi:providers:kubernetes", "prod-us-k8s");
        for (const assoc of associations) assert.ok(k8sProvider.dependencies.includes(assoc.urn));
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
});

describe("cluster API exposure", () => {
    it("warns when the public endpoint is open to the whole internet", async () => {
        const run = await stackRun("prod-us");
        assert.deepEqual(run.warnings, [
            "multiregion:publicAccessCidrs allows the whole internet to reach the Kubernetes API; narrow it to your VPN and CI egress.",
        ]);
    });

    it("stays quiet when the endpoint is narrowed", async () => {
        const run = await runProgram("prod-us", { overrides: { publicAccessCidrs: ["203.0.113.0/24"] } });
        assert.deepEqual(run.warnings, []);
        assert.deepEqual(run.resources.get(CLUSTER, "prod-us-eks").inputs.vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
    });
});
