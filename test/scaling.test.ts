import { strict as assert } from "node:assert";
import { listStacks } from "../tools/stacks";
import { ProgramRun, runProgram, stackRun } from "./support/run";

const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const TIERS = ["backend", "frontend"] as const;

function hpa(run: ProgramRun, tier: string) {
    return run.resources.get(HPA, `${run.stack}-${tier}-hpa`);
}

/** Pods a PDB lets go at once when every pod is healthy, for a service at `pods`. */
function evictable(pdb: { maxUnavailable?: number; minAvailable?: number }, pods: number): number {
    return pdb.maxUnavailable ?? pods - (pdb.minAvailable ?? 0);
}

describe("capacity follows traffic", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("autoscales each Deployment on CPU between the role's floor and the configured ceiling", async () => {
                const run = await stackRun(stack);
                const s = run.settings.services;
                const floor = run.settings.role === "active" ? s.activeReplicas : s.standbyReplicas;
                for (const tier of TIERS) {
                    const spec = hpa(run, tier).inputs.spec;
                    assert.deepEqual(spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: `sample-app-${tier}` });
                    assert.equal(spec.minReplicas, floor, tier);
                    assert.equal(spec.maxReplicas, s.maxReplicas);
                    assert.deepEqual(spec.metrics, [
                        {
                            type: "Resource",
                            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: s.cpuTargetPercent } },
                        },
                    ]);
                }
            });

            it("grows at once when a failover lands the load, and shrinks only after five quiet minutes", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const { scaleUp, scaleDown } = hpa(run, tier).inputs.spec.behavior;
                    assert.equal(scaleUp.stabilizationWindowSeconds, 0);
                    assert.equal(scaleUp.selectPolicy, "Max");
                    assert.deepEqual(scaleUp.policies, [
                        { type: "Percent", value: 100, periodSeconds: 15 },
                        { type: "Pods", value: 4, periodSeconds: 15 },
                    ]);
                    assert.equal(scaleDown.stabilizationWindowSeconds, 300);
                }
            });

            it("leaves replicas to the autoscaler: the Deployments set none, so an update never resets what it chose", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const deployment = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-${tier}-deployment`);
                    assert.equal(deployment.inputs.spec.replicas, undefined);
                    assert.deepEqual(deployment.inputs.spec.strategy, {
                        type: "RollingUpdate",
                        rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" },
                    });
                    assert.ok(hpa(run, tier).dependencies.includes(deployment.urn));
                }
            });

            it("lets the stack file take the floor back after an emergency kubectl patch", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) assert.equal(hpa(run, tier).inputs.metadata.annotations["pulumi.com/patchForce"], "true");
            });

            it("never lets a PodDisruptionBudget block a drain or a consolidation, even at a floor of one", async () => {
                const run = await stackRun(stack);
                for (const tier of TIERS) {
                    const pdb = run.resources.get("kubernetes:policy/v1:PodDisruptionBudget", `${stack}-${tier}-pdb`).inputs.spec;
                    assert.deepEqual(pdb.selector, { matchLabels: { app: "sample-app", tier } });
                    assert.equal(pdb.unhealthyPodEvictionPolicy, "AlwaysAllow", "a pod that is not ready never holds a node");
                    for (let pods = 1; pods <= run.settings.services.maxReplicas; pods++) {
                        assert.ok(evictable(pdb, pods) >= 1, `${tier} at ${pods} pods`);
                        assert.ok(evictable(pdb, pods) < pods || pods === 1, `${tier} at ${pods} pods keeps capacity`);
                    }
                }
            });

            it("exports its capacity: the floor and ceiling, and the requests per second each carries", async () => {
                const run = await stackRun(stack);
                const s = run.settings.services;
                assert.deepEqual(run.outputs.capacity, {
                    minReplicas: s.minReplicas,
                    maxReplicas: s.maxReplicas,
                    cpuTargetPercent: s.cpuTargetPercent,
                    floorRequestsPerSecond: s.minReplicas * s.podRequestsPerSecond,
                    maxRequestsPerSecond: s.maxReplicas * s.podRequestsPerSecond,
                });
            });
        });
    }

    it("a standby promoted to active gets the active floor", async () => {
        const run = await runProgram("prod-eu", { overrides: { role: "active" } });
        for (const tier of TIERS) assert.equal(hpa(run, tier).inputs.spec.minReplicas, run.settings.services.activeReplicas);
    });

    it("replicasOverride holds a floor whatever the role, as the switchover needs", async () => {
        const run = await runProgram("prod-eu", { overrides: { replicasOverride: 5 } });
        for (const tier of TIERS) assert.equal(hpa(run, tier).inputs.spec.minReplicas, 5);
    });

    it("follows the configured ceiling and CPU target", async () => {
        const run = await runProgram("prod-us", { overrides: { maxReplicas: 30, cpuTargetPercent: 50 } });
        const spec = hpa(run, "frontend").inputs.spec;
        assert.deepEqual([spec.maxReplicas, spec.metrics[0].resource.target.averageUtilization], [30, 50]);
    });
});
