import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { stackRun } from "./support/run";
import { listStacks, ROOT } from "../tools/stacks";

/** What lives in us-east-1, where Route 53 publishes its health-check metrics: the health-check alarm's pieces. */
const ALARM_TYPES = ["aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription", "aws:cloudwatch/metricAlarm:MetricAlarm"];
const HEALTH_ALARMS = "multiregion:regions:Alarms";

/** Whether the AWS provider's Args for this type accept `tags`, read from @pulumi/aws's own types. */
function isTaggable(type: string): boolean {
    const [, modulePath, resource] = type.split(":") as [string, string, string];
    const [module, file] = modulePath.split("/") as [string, string];
    const dts = fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "aws", module, `${file}.d.ts`), "utf8");
    const args = new RegExp(`export interface ${resource}Args \\{([\\s\\S]*?)\\n\\}`).exec(dts);
    assert.ok(args, `no ${resource}Args in @pulumi/aws/${module}/${file}.d.ts`);
    return /\n\s+tags\?:/.test(args[1]!);
}

describe("stack-wide rules", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("sends every AWS resource through the explicit regional provider, and only the health-check alarm's through us-east-1's", async () => {
                const run = await stackRun(stack);
                const region = run.settings.region;
                const provider = run.resources.get("pulumi:providers:aws", `aws-${region}`);
                const metrics = run.resources.get("pulumi:providers:aws", "aws-us-east-1");
                assert.equal(provider.inputs.region, region);
                assert.equal(metrics.inputs.region, "us-east-1");
                assert.equal(run.resources.ofType("pulumi:providers:aws").length, 2, "no third AWS provider");
                const aws = run.resources.resources.filter((r) => r.type.startsWith("aws:"));
                assert.ok(aws.length > 30);
                const health = run.resources.get(HEALTH_ALARMS, stack).urn;
                // The replication alarms watch DynamoDB's metric where the writes are made: here.
                assert.ok(run.resources.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").some((r) => r.parent !== health));
                for (const r of aws) {
                    const expected = ALARM_TYPES.includes(r.type) && r.parent === health ? metrics : provider;
                    assert.equal(r.provider, run.resources.providerRef(expected), `${r.type} ${r.name}`);
                }
            });

            it("tags every taggable AWS resource with ManagedBy, Stack, Region, Role, Name and the user's tags", async () => {
                const run = await stackRun(stack);
                const expected = {
                    ManagedBy: "pulumi",
                    Stack: `multiregion/${stack}`,
                    Region: run.settings.region,
                    Role: run.settings.role,
                    Application: "sample-app",
                };
                const taggable = run.resources.resources.filter((r) => r.type.startsWith("aws:") && isTaggable(r.type));
                assert.ok(taggable.length > 20, String(taggable.length));
                for (const r of taggable) {
                    const tags = r.inputs.tags as Record<string, string> | undefined;
                    assert.ok(tags, `${r.type} ${r.name} has no tags`);
                    // Name and the load-balancer subnet roles are per resource; the rest is the same everywhere.
                    const shared = Object.fromEntries(
                        Object.entries(tags).filter(([key]) => key !== "Name" && !key.startsWith("kubernetes.io/role/")),
                    );
                    assert.deepEqual(shared, expected, `${r.type} ${r.name}`);
                    if (r.type.startsWith("aws:ec2/")) assert.equal(tags.Name, r.name, `${r.type} ${r.name} Name tag`);
                }
            });

            it("parents every resource to a component of type multiregion:<folder>:<Type>, named after it", async () => {
                const run = await stackRun(stack);
                const stackUrn = run.resources.ofType("pulumi:pulumi:Stack")[0]!.urn;
                const components = run.resources.resources.filter((r) => !r.custom && r.urn !== stackUrn);
                assert.ok(components.length >= 2);
                for (const c of components) {
                    assert.match(c.type, /^multiregion:(regions|services):[A-Z][A-Za-z]+$/);
                    const parent = run.resources.byUrn(c.parent);
                    assert.ok(parent && !parent.custom, `${c.type} ${c.name} sits under the stack or another component`);
                }
                const topLevel = run.resources.resources.filter((r) => r.parent === stackUrn && r.custom);
                assert.deepEqual(
                    topLevel.map((r) => `${r.type} ${r.name}`).sort(),
                    [`pulumi:providers:aws aws-${run.settings.region}`, "pulumi:providers:aws aws-us-east-1"].sort(),
                    "only the providers sit outside a component",
                );
                for (const r of run.resources.resources.filter((x) => x.parent !== stackUrn && x.urn !== stackUrn)) {
                    const parent = run.resources.byUrn(r.parent)!;
                    assert.ok(r.name.startsWith(`${parent.name}-`), `${r.name} is named after its component ${parent.name}`);
                }
            });
        });
    }
});
