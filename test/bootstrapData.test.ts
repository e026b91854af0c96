/**
 * The fleets' tables the bootstrap makes (#19): one global table per fleet with a replica in each
 * of its regions exactly once, on demand, with point-in-time recovery, deletion protection and
 * encryption on every replica, protected from `pulumi destroy`; and the backend's role, which only
 * the backend's service account in the fleet's clusters may take, and which reaches that table alone.
 */
import { strict as assert } from "node:assert";
import { clustersOf, fleetTablesOf, listBootstrapStacks, loadBootstrapStack } from "../bootstrap/sources";
import { dataRoleArn } from "../facts/workload";
import { deployFleetStacks, loadStack } from "../tools/stacks";
import { bootstrapRun, documentOf, policyNamed, ROLE, ROLE_POLICY, runBootstrap } from "./support/bootstrap";
import type { BootstrapRun } from "./support/bootstrap";
import { rejectionOf } from "./support/assertions";
import { copyStackFiles, editStackFile } from "./support/fixtures";

const TABLE = "aws:dynamodb/table:Table";

const regionOf = (run: BootstrapRun, providerRef: string) =>
    run.resources.byUrn(providerRef.slice(0, providerRef.lastIndexOf("::")))!.inputs.region;

/** Every fleet whose stack files deploy into this bootstrap stack's account. */
function fleetsOf(stack: string): string[] {
    const config = loadBootstrapStack(stack);
    return [...config.fleets, ...(config.rehearsal ? ["ci"] : [])];
}

describe("bootstrap: the fleets' tables and the backend's role", () => {
    for (const stack of listBootstrapStacks()) {
        describe(`bootstrap/Pulumi.${stack}.yaml`, () => {
            it("makes one table per fleet, named as its stack files say, with a replica in each of the fleet's regions exactly once", async () => {
                const run = await bootstrapRun(stack);
                const tables = run.resources.ofType(TABLE);
                assert.equal(tables.length, fleetsOf(stack).length);
                for (const fleet of fleetsOf(stack)) {
                    const stacks = deployFleetStacks(fleet).map((s) => loadStack(s));
                    const table = tables.find((t) => t.inputs.name === stacks[0]!.data.table)!;
                    assert.ok(table, `${fleet}'s table`);
                    for (const s of stacks) assert.equal(s.data.table, table.inputs.name, s.stack);
                    const home = regionOf(run, table.provider);
                    const regions = [home, ...table.inputs.replicas.map((r: { regionName: string }) => r.regionName)];
                    assert.deepEqual([...regions].sort(), stacks.map((s) => s.region).sort(), "each region once, the home region too");
                    assert.equal(new Set(regions).size, regions.length);
                    assert.equal(home, loadBootstrapStack(stack).region);
                }
            });

            it("bills on demand, keeps a stream for replication, and protects and encrypts every replica; pulumi destroy cannot delete it", async () => {
                const run = await bootstrapRun(stack);
                for (const table of run.resources.ofType(TABLE)) {
                    const t = table.inputs;
                    assert.equal(t.billingMode, "PAY_PER_REQUEST");
                    assert.equal(t.hashKey, "page");
                    assert.deepEqual(t.attributes, [{ name: "page", type: "S" }]);
                    // Global tables version 2019.11.21 replicate through a stream of new and old images.
                    assert.deepEqual([t.streamEnabled, t.streamViewType], [true, "NEW_AND_OLD_IMAGES"]);
                    assert.deepEqual(t.pointInTimeRecovery, { enabled: true });
                    assert.equal(t.deletionProtectionEnabled, true);
                    assert.deepEqual(t.serverSideEncryption, { enabled: true });
                    assert.ok(t.replicas.length >= 1);
                    for (const r of t.replicas) {
                        assert.deepEqual(
                            [r.pointInTimeRecovery, r.deletionProtectionEnabled, r.propagateTags],
                            [true, true, true],
                            r.regionName,
                        );
                    }
                    assert.equal(table.protect, true);
                }
            });

            it("lets only the backend's service account in the fleet's clusters take the role, through EKS Pod Identity", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                for (const fleet of fleetsOf(stack)) {
                    const role = run.resources.ofType(ROLE).find((r) => r.inputs.name === `multiregion-${fleet}-backend-data`)!;
                    assert.ok(role, fleet);
                    assert.equal(`arn:aws:iam::${account}:role${role.inputs.path}${role.inputs.name}`, dataRoleArn(account, fleet));
                    assert.equal(role.inputs.permissionsBoundary, policyNamed(run, "multiregion-workload-boundary").outputs.arn);
                    const clusters = deployFleetStacks(fleet).map(
                        (s) => `arn:aws:eks:${loadStack(s).region}:${account}:cluster/multiregion-${s}`,
                    );
                    assert.deepEqual(documentOf(role).Statement, [
                        {
                            Sid: "OnlyTheBackendOfTheFleetsClusters",
                            Effect: "Allow",
                            Principal: { Service: "pods.eks.amazonaws.com" },
                            Action: ["sts:AssumeRole", "sts:TagSession"],
                            Condition: {
                                StringEquals: {
                                    "aws:SourceAccount": account,
                                    "aws:RequestTag/kubernetes-namespace": "sample-app",
                                    "aws:RequestTag/kubernetes-service-account": "sample-app-backend",
                                    "aws:RequestTag/eks-cluster-arn": clusters,
                                },
                            },
                        },
                    ]);
                    assert.ok(
                        clustersOf(loadBootstrapStack(stack)).some((c) =>
                            clusters.includes(`arn:aws:eks:${c.region}:${account}:cluster/${c.name}`),
                        ),
                    );
                }
            });

            it("lets the role read and count in its own table, in every region, and do nothing else", async () => {
                const run = await bootstrapRun(stack);
                const account = String(run.outputs.accountId);
                for (const fleet of fleetsOf(stack)) {
                    const table = loadStack(deployFleetStacks(fleet)[0]!).data.table;
                    const policy = run.resources.ofType(ROLE_POLICY).find((p) => p.inputs.name === `multiregion-${fleet}-backend-data`)!;
                    assert.deepEqual(documentOf(policy).Statement, [
                        {
                            Sid: "CountVisitsInTheFleetsTable",
                            Effect: "Allow",
                            Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                            Resource: `arn:aws:dynamodb:*:${account}:table/${table}`,
                        },
                    ]);
                }
            });
        });
    }

    it("refuses a bootstrap region where the fleet has no stack, naming the key and the allowed regions", async () => {
        const err = await rejectionOf(runBootstrap("prod", { region: "ap-southeast-1" }));
        assert.match(
            String(err),
            /multiregion-bootstrap:region: got ap-southeast-1, where fleet prod has no stack; allowed: one of eu-west-1, us-east-2, where its table multiregion-prod-data starts/,
        );
    });

    it("refuses two fleets of one account that name the same table", () => {
        const config = { ...loadBootstrapStack("prod"), fleets: ["prod", "stage"] };
        const root = copyWithTable("stage", "multiregion-prod-data");
        assert.throws(
            () => fleetTablesOf(config, root),
            /two fleets of this account name the table multiregion-prod-data; give each its own dataTable/,
        );
    });
});

/** A copy of the stack files where `fleet`'s stacks name `table`. */
function copyWithTable(fleet: string, table: string): string {
    const root = copyStackFiles();
    for (const s of deployFleetStacks(fleet, root)) {
        editStackFile(root, s, (t) => t.replace(/multiregion:dataTable: \S+/, `multiregion:dataTable: ${table}`));
    }
    return root;
}
