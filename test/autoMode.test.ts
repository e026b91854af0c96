import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { privateSubnetIds } from "./support/iam";
import { workloadRoleArn } from "../facts/workload";
import { runProgram, stackRun } from "./support/run";

const CLUSTER = "aws:eks/cluster:Cluster";
const ADDON = "aws:eks/addon:Addon";

describe("EKS Auto Mode", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("turns compute, block storage and load balancing on together, with the built-in node pools", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`).inputs;
                assert.deepEqual(cluster.computeConfig, {
                    enabled: true,
                    nodePools: ["general-purpose", "system"],
                    nodeRoleArn: workloadRoleArn(run.settings.accountId, "node"),
                });
                assert.deepEqual(cluster.storageConfig, { blockStorage: { enabled: true } });
                assert.deepEqual(cluster.kubernetesNetworkConfig, { elasticLoadBalancing: { enabled: true } });
                assert.equal(cluster.bootstrapSelfManagedAddons, false);
                assert.equal(cluster.accessConfig.authenticationMode, "API");
                assert.deepEqual([...cluster.vpcConfig.subnetIds].sort(), privateSubnetIds(run));
            });

            it("runs the control plane and the nodes as the bootstrap's roles, makes none, and leaves the nodes' access entry to EKS", async () => {
                const run = await stackRun(stack);
                const cluster = run.resources.get(CLUSTER, `${stack}-eks`).inputs;
                assert.equal(cluster.roleArn, `arn:aws:iam::${run.settings.accountId}:role/multiregion/multiregion-eks-cluster`);
                assert.equal(
                    cluster.computeConfig.nodeRoleArn,
                    `arn:aws:iam::${run.settings.accountId}:role/multiregion/multiregion-eks-auto-node`,
                );
                assert.deepEqual(run.resources.ofType("aws:iam/role:Role"), []);
                const entries = run.resources.ofType("aws:eks/accessEntry:AccessEntry");
                assert.ok(
                    entries.every((e) => e.inputs.type === "STANDARD"),
                    "no EC2 entry: EKS makes it for the built-in pools",
                );
            });

            it("has no node group, and none of the add-ons Auto Mode runs itself", async () => {
                const run = await stackRun(stack);
                assert.deepEqual(run.resources.ofType("aws:eks/nodeGroup:NodeGroup"), []);
                assert.deepEqual(
                    run.resources.ofType(ADDON).map((a) => a.inputs.addonName),
                    ["metrics-server"],
                );
            });

            it("installs metrics-server, which every autoscaler waits for, and keeps its version once chosen", async () => {
                const run = await stackRun(stack);
                const metrics = run.resources.get(ADDON, `${stack}-metrics-server`);
                // Pinned in the stack files; unpinned, EKS's default at creation is kept.
                assert.deepEqual(metrics.ignoreChanges, run.settings.cluster.metricsServerVersion ? [] : ["addonVersion"]);
                const hpas = run.resources.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
                assert.equal(hpas.length, 2);
                for (const hpa of hpas) assert.ok(hpa.dependencies.includes(metrics.urn), hpa.name);
            });

            it("switches NetworkPolicy enforcement on, through the cluster's own provider", async () => {
                const run = await stackRun(stack);
                const cm = run.resources.get("kubernetes:core/v1:ConfigMap", `${stack}-network-policy-controller`);
                assert.deepEqual(cm.inputs.metadata, { name: "amazon-vpc-cni", namespace: "kube-system" });
                assert.deepEqual(cm.inputs.data, { "enable-network-policy-controller": "true" });
                assert.equal(cm.provider, run.resources.providerRef(run.resources.get("pulumi:providers:kubernetes", `${stack}-k8s`)));
            });
        });
    }

    it("an unpinned metrics-server keeps EKS's default at creation, never upgraded by an unrelated up", async () => {
        const run = await runProgram("prod-us", { overrides: { metricsServerVersion: "" } });
        assert.deepEqual(run.resources.get(ADDON, "prod-us-metrics-server").ignoreChanges, ["addonVersion"]);
    });

    it("a pinned metrics-server version is applied, and moves only with the pin", async () => {
        const run = await runProgram("prod-us", { overrides: { metricsServerVersion: "v0.8.0-eksbuild.1" } });
        const metrics = run.resources.get(ADDON, "prod-us-metrics-server");
        assert.equal(metrics.inputs.addonVersion, "v0.8.0-eksbuild.1");
        assert.deepEqual(metrics.ignoreChanges, []);
    });
});
