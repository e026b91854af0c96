import { isDeployedFleet } from "../config";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { Plan, planStack } from "../tools/plan/build";
import { diffPlans } from "../tools/plan/diff";
import { main as planMain } from "../tools/plan/main";
import { manifests } from "../tools/plan/manifests";
import { renderText } from "../tools/plan/render";
import { setStackValue } from "../tools/stackFile";
import { COMMERCIAL_REGIONS } from "../facts/awsData";
import { fleetStacks, listStacks, loadStack } from "../tools/stacks";
import { copyStackFiles, testIo } from "./support/fixtures";
import { validateK8sObject } from "./support/k8sSchema";

/** How many other regions the stack's fleet has: its table's other replicas. */
const peers = (stack: string) => fleetStacks(stack).length - 1;

const plans = new Map<string, Promise<Plan>>();
function plan(stack: string): Promise<Plan> {
    if (!plans.has(stack)) plans.set(stack, planStack(stack));
    return plans.get(stack)!;
}

function find(p: Plan, type: string, name: string) {
    const found = p.resources.find((r) => r.type === type && r.name === name);
    assert.ok(found, `${type} ${name} in the plan`);
    return found;
}

describe("npm run plan", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("contains the region's network, cluster, services, failover and alarm pieces", async () => {
                const p = await plan(stack);
                const { network } = loadStack(stack);
                assert.equal(p.stack, stack);
                assert.deepEqual(
                    Object.fromEntries(
                        [
                            "aws:ec2/vpc:Vpc",
                            "aws:ec2/subnet:Subnet",
                            "aws:ec2/natGateway:NatGateway",
                            "aws:eks/cluster:Cluster",
                            "aws:eks/nodeGroup:NodeGroup",
                            "aws:eks/addon:Addon",
                            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
                            "kubernetes:core/v1:ConfigMap",
                            "aws:ecr/repository:Repository",
                            "kubernetes:apps/v1:Deployment",
                            "kubernetes:core/v1:Service",
                            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
                            "aws:route53/healthCheck:HealthCheck",
                            "aws:route53/record:Record",
                            "aws:cloudwatch/metricAlarm:MetricAlarm",
                            "aws:sns/topic:Topic",
                        ].map((t) => [t, p.counts[t]]),
                    ),
                    {
                        "aws:ec2/vpc:Vpc": 1,
                        "aws:ec2/subnet:Subnet": 2 * network.azCount,
                        "aws:ec2/natGateway:NatGateway": network.natGateways === "perAz" ? network.azCount : 1,
                        "aws:eks/cluster:Cluster": 1,
                        "aws:eks/nodeGroup:NodeGroup": undefined,
                        "aws:eks/addon:Addon": 1,
                        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": 2,
                        "kubernetes:core/v1:ConfigMap": 1,
                        "aws:ecr/repository:Repository": 2,
                        "kubernetes:apps/v1:Deployment": 2,
                        "kubernetes:core/v1:Service": 2,
                        // The sixth lets the backend reach the Pod Identity agent and DynamoDB.
                        "kubernetes:networking.k8s.io/v1:NetworkPolicy": 6,
                        "aws:route53/healthCheck:HealthCheck": 1,
                        "aws:route53/record:Record": 2,
                        // The health check's, and one per other region the table's writes go to.
                        "aws:cloudwatch/metricAlarm:MetricAlarm": 1 + peers(stack),
                        // The health check's, in us-east-1, and the replication alarms', here.
                        "aws:sns/topic:Topic": 2,
                    },
                );
                assert.equal(
                    Object.values(p.counts).reduce((a, b) => a + b, 0),
                    p.resources.length,
                );
            });

            it("shows the key properties: CIDRs, AZs, versions, node pools, autoscaling, images, Service types, record and health check", async () => {
                const p = await plan(stack);
                const config = loadStack(stack);
                const region = p.region;
                const text = renderText(p);
                assert.equal(find(p, "aws:ec2/vpc:Vpc", `${stack}-vpc`).key.cidrBlock, config.network.vpcCidr);
                assert.match(
                    text,
                    new RegExp(
                        `aws:ec2/subnet:Subnet  ${stack}-private-${region}a  cidrBlock=10\\.\\d+\\.0\\.0/19  availabilityZone=${region}a`,
                    ),
                );
                assert.match(text, /aws:eks\/cluster:Cluster  \S+-eks  version=1\.35 .*\(protected\)/);
                assert.match(text, /computeConfig\.nodePools=\["general-purpose","system"\]/);
                assert.ok(
                    text.includes(
                        `metadata.name=sample-app-frontend  spec.template.spec.containers[0].image=123456789012.dkr.ecr.${region}.amazonaws.com/sample-app-frontend:1.0.0*`,
                    ),
                );
                const { minReplicas: floor, maxReplicas: max } = config.services;
                assert.equal(floor, p.role === "active" ? config.services.activeReplicas : config.services.standbyReplicas);
                assert.match(
                    text,
                    new RegExp(
                        `HorizontalPodAutoscaler  ${stack}-frontend-hpa  metadata\\.name=sample-app-frontend  spec\\.minReplicas=${floor}  spec\\.maxReplicas=${max}  spec\\.metrics\\[0\\]\\.resource\\.target\\.averageUtilization=70`,
                    ),
                );
                assert.match(text, /spec\.type=LoadBalancer  spec\.loadBalancerClass=eks\.amazonaws\.com\/nlb/);
                const rps = (pods: number) => (pods * config.services.podRequestsPerSecond).toLocaleString("en-US");
                assert.ok(
                    text.includes(
                        `Capacity: ${floor}-${max} pods per service, scaled to keep CPU at 70% of requests.\n  When all traffic lands here, it serves ${rps(floor)} req/s at once (its floor), growing to ${rps(max)} req/s at ${max} pods.`,
                    ),
                );
                assert.match(
                    text,
                    new RegExp(`failoverRoutingPolicies=\\[\\{"type":"${p.role === "active" ? "PRIMARY" : "SECONDARY"}"\\}\\]`),
                );
                assert.match(text, /resourcePath=\/health  requestInterval=10  failureThreshold=3/);
            });

            it("lists the outputs with placeholders marked, secrets hidden, and the failover figures", async () => {
                const text = renderText(await plan(stack));
                assert.ok(text.includes(`\n  appUrl: https://${loadStack(stack).failover.recordName}\n`));
                assert.match(text, /^ {2}vpcId: \S+_id {2}\*$/m);
                assert.match(text, /^ {2}kubeconfig: \[secret\]/m);
                assert.doesNotMatch(text, /certificate-authority-data/);
                assert.match(
                    text,
                    /^Failover: (PRIMARY|SECONDARY) alias A record; detection 30 s, worst-case switch 90 s \(detection \+ 60 s alias TTL\)$/m,
                );
                // Only the throwaway fleet opens the API to the internet; stage and prod refuse it.
                if (isDeployedFleet(stack)) assert.doesNotMatch(text, /^Warnings:/m);
                else assert.match(text, /^Warnings:\n {2}multiregion:publicAccessCidrs allows the whole internet/m);
            });

            it("round-trips through JSON", async () => {
                const p = await plan(stack);
                const out = testIo();
                await planMain(["--stack", stack, "--format", "json"], out);
                const parsed = JSON.parse(out.text()) as Plan;
                assert.deepEqual(parsed, JSON.parse(JSON.stringify(p)));
                assert.equal(renderText(parsed), renderText(p));
            });
        });
    }

    it("plans every stack file when no --stack is given", async () => {
        const out = testIo();
        await planMain([], out);
        for (const stack of listStacks()) assert.match(out.text(), new RegExp(`^Plan for ${stack}: `, "m"));
    });

    it("writes every Kubernetes object as a manifest that is valid against the Kubernetes schema", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manifests-"));
        await planMain(["--out", dir], testIo());
        for (const stack of listStacks()) {
            const files = fs.readdirSync(path.join(dir, stack)).sort();
            assert.deepEqual(files, Object.keys(manifests(await plan(stack))).sort());
            // With the backend's ServiceAccount and egress NetworkPolicy, and the viewers' ClusterRole and binding.
            assert.equal(files.length, 19);
            for (const file of files) {
                const object = YAML.parse(fs.readFileSync(path.join(dir, stack, file), "utf8"));
                const type = `kubernetes:${object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`}:${object.kind}`;
                assert.doesNotThrow(() => validateK8sObject(type, object), file);
            }
        }
        assert.ok(fs.readdirSync(path.join(dir, "prod-us")).includes("deployment-sample-app-sample-app-frontend.yaml"));
    });

    describe("fails clearly", () => {
        it("on an unknown stack, listing the stacks that exist", async () => {
            await assert.rejects(planMain(["--stack", "prod-ap"], testIo()), (err: Error) =>
                err.message.endsWith(`unknown stack "prod-ap"; stacks: ${listStacks().join(", ")}`),
            );
        });

        it("on invalid config, with the message pulumi up gives, and writes nothing", async () => {
            const root = copyStackFiles();
            // prod-us is planned after prod-eu, so prod-eu's plan is ready when prod-us fails.
            setStackValue("prod-us", "multiregion:azCount", 9, root);
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "nothing-"));
            await assert.rejects(
                planMain(["--out", out], testIo({ root })),
                (err: Error) =>
                    err.name === "StackFileError" &&
                    err.message === 'Pulumi.prod-us.yaml:\n  - multiregion:azCount: got "9"; allowed: an integer from 2 to 6',
            );
            assert.deepEqual(fs.readdirSync(out), [], "prod-us failed, so not even prod-eu's manifests are written");
        });

        it("on a missing required key, naming the file and the key", async () => {
            const root = copyStackFiles();
            const file = path.join(root, "Pulumi.prod-eu.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^ {2}multiregion:recordName:.*\n/m, ""));
            await assert.rejects(
                planMain(["--stack", "prod-eu"], testIo({ root })),
                /^StackFileError: Pulumi\.prod-eu\.yaml:\n {2}- multiregion:recordName: missing; required: The failover record users reach/,
            );
        });
    });

    describe("--diff", () => {
        it("shows how two regions differ, resource by resource and property by property", async () => {
            const out = testIo();
            await planMain(["--diff", "prod-us", "prod-eu"], out);
            const text = out.text();
            assert.match(
                text,
                /^~ aws:ec2\/vpc:Vpc <stack>-vpc\n {4}cidrBlock: 10\.10\.0\.0\/16 → 10\.20\.0\.0\/16\n {4}tags\.Role: active → standby$/m,
            );
            const nlb = (stack: string) => COMMERCIAL_REGIONS[loadStack(stack).region]!.nlb;
            assert.ok(
                text.includes(
                    `~ aws:route53/record:Record <stack>-record\n    aliases[0].zoneId: ${nlb("prod-us")} → ${nlb("prod-eu")}\n    failoverRoutingPolicies[0].type: PRIMARY → SECONDARY`,
                ),
                text,
            );
            assert.match(
                text,
                /^~ kubernetes:autoscaling\/v2:HorizontalPodAutoscaler <stack>-frontend-hpa\n {4}spec\.minReplicas: 3 → 1$/m,
            );
        });

        it("finds nothing between a stack and itself", async () => {
            assert.deepEqual(diffPlans(await plan("prod-us"), await plan("prod-us")), []);
        });
    });
});
