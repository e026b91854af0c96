import { strict as assert } from "node:assert";
import { mockId } from "./support/fixtures";
import { cidrsOverlap, parseCidr, planSubnets } from "../facts/cidr";
import { runProgram, stackRun } from "./support/run";
import { listStacks } from "../tools/stacks";

const SUBNET = "aws:ec2/subnet:Subnet";
const NAT = "aws:ec2/natGateway:NatGateway";
const ROUTE_TABLE = "aws:ec2/routeTable:RouteTable";
const ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";

describe("network", () => {
    describe("planSubnets", () => {
        const table: [string, number, string[], string[]][] = [
            ["10.10.0.0/16", 3, ["10.10.0.0/19", "10.10.32.0/19", "10.10.64.0/19"], ["10.10.192.0/22", "10.10.196.0/22", "10.10.200.0/22"]],
            ["172.16.0.0/20", 2, ["172.16.0.0/23", "172.16.2.0/23"], ["172.16.12.0/26", "172.16.12.64/26"]],
        ];
        for (const [vpc, count, privates, publics] of table) {
            it(`carves ${vpc} into ${count} private and ${count} public subnets`, () => {
                const plan = planSubnets(vpc, count);
                assert.deepEqual(
                    plan.map((p) => p.private),
                    privates,
                );
                assert.deepEqual(
                    plan.map((p) => p.public),
                    publics,
                );
            });
        }

        it("keeps six AZs' subnets inside the VPC and apart from each other", () => {
            for (const vpc of ["10.10.0.0/16", "192.168.0.0/20"]) {
                const all = planSubnets(vpc, 6).flatMap((p) => [p.private, p.public]);
                for (const [i, a] of all.entries()) {
                    const c = parseCidr(a)!;
                    const v = parseCidr(vpc)!;
                    assert.ok(c.base >= v.base && c.base + 2 ** (32 - c.prefix) <= v.base + 2 ** (32 - v.prefix), `${a} outside ${vpc}`);
                    for (const b of all.slice(i + 1)) assert.ok(!cidrsOverlap(a, b), `${a} overlaps ${b}`);
                }
            }
        });
    });

    for (const stack of listStacks()) {
        describe(stack, () => {
            it("builds the VPC from config with DNS support for EKS", async () => {
                const run = await stackRun(stack);
                const vpc = run.resources.get("aws:ec2/vpc:Vpc", `${stack}-vpc`);
                assert.equal(vpc.inputs.cidrBlock, run.settings.network.vpcCidr);
                assert.equal(vpc.inputs.enableDnsHostnames, true);
                assert.equal(vpc.inputs.enableDnsSupport, true);
            });

            it("spreads one public and one private subnet over each of the region's first azCount zones", async () => {
                const run = await stackRun(stack);
                const zones = run.zones.slice(0, run.settings.network.azCount);
                assert.ok(zones.length >= 2);
                for (const kind of ["public", "private"]) {
                    const subnets = run.resources.ofType(SUBNET).filter((s) => s.name.startsWith(`${stack}-${kind}-`));
                    assert.deepEqual(subnets.map((s) => s.inputs.availabilityZone).sort(), zones);
                    assert.deepEqual(
                        subnets.map((s) => s.name).sort(),
                        zones.map((z) => `${stack}-${kind}-${z}`),
                    );
                }
            });

            it("tags public subnets for internet-facing and private ones for internal load balancers", async () => {
                const run = await stackRun(stack);
                for (const subnet of run.resources.ofType(SUBNET)) {
                    const isPublic = subnet.name.startsWith(`${stack}-public-`);
                    const tags = subnet.inputs.tags as Record<string, string>;
                    assert.equal(tags["kubernetes.io/role/elb"], isPublic ? "1" : undefined, subnet.name);
                    assert.equal(tags["kubernetes.io/role/internal-elb"], isPublic ? undefined : "1", subnet.name);
                }
            });

            it("routes public subnets through the internet gateway and each private subnet through its zone's NAT, or the one shared NAT", async () => {
                const run = await stackRun(stack);
                const igw = run.resources.get("aws:ec2/internetGateway:InternetGateway", `${stack}-igw`);
                const publicRt = run.resources.get(ROUTE_TABLE, `${stack}-public-rt`);
                assert.deepEqual(publicRt.inputs.routes, [{ cidrBlock: "0.0.0.0/0", gatewayId: mockId(igw.name) }]);

                const zones = run.zones.slice(0, run.settings.network.azCount);
                const perAz = run.settings.network.natGateways === "perAz";
                const natOf = (az: string) => `${stack}-nat-${perAz ? az : zones[0]}`;
                const nats = run.resources.ofType(NAT);
                assert.deepEqual(nats.map((n) => n.name).sort(), perAz ? zones.map(natOf) : [natOf(zones[0]!)]);
                for (const nat of nats) {
                    const az = nat.name.slice(`${stack}-nat-`.length);
                    assert.equal(nat.inputs.subnetId, mockId(`${stack}-public-${az}`), "NAT sits in its zone's public subnet");
                    assert.ok(nat.dependencies.includes(igw.urn), "NAT waits for the internet gateway");
                }
                for (const az of zones) {
                    const rt = run.resources.get(ROUTE_TABLE, `${stack}-private-rt-${az}`);
                    assert.deepEqual(rt.inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: mockId(natOf(az)) }]);
                    const assoc = run.resources.get(ASSOCIATION, `${stack}-private-${az}`);
                    assert.equal(assoc.inputs.subnetId, mockId(`${stack}-private-${az}`));
                    assert.equal(assoc.inputs.routeTableId, mockId(rt.name));
                }
                for (const assoc of run.resources.ofType(ASSOCIATION).filter((a) => a.name.includes("-public-"))) {
                    assert.equal(assoc.inputs.routeTableId, mockId(publicRt.name));
                }
            });
        });
    }

    it("natGateways=single routes every private subnet through one NAT", async () => {
        const run = await runProgram("prod-eu", { overrides: { natGateways: "single" } });
        const firstNat = `prod-eu-nat-${run.zones[0]}`;
        const nats = run.resources.ofType(NAT);
        assert.deepEqual(
            nats.map((n) => n.name),
            [firstNat],
        );
        const privateRoutes = run.resources.ofType(ROUTE_TABLE).filter((r) => r.name.includes("-private-rt-"));
        assert.equal(privateRoutes.length, 3);
        for (const rt of privateRoutes) assert.equal(rt.inputs.routes[0].natGatewayId, mockId(firstNat));
    });

    it("azCount=2 builds two zones' worth of subnets", async () => {
        const run = await runProgram("prod-us", { overrides: { azCount: 2 } });
        assert.deepEqual(
            run.resources
                .ofType(SUBNET)
                .map((s) => s.inputs.cidrBlock)
                .sort(),
            ["10.10.0.0/19", "10.10.192.0/22", "10.10.196.0/22", "10.10.32.0/19"],
        );
    });
});
