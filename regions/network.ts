import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../facts/cidr";
import { flowLogs } from "./flowLogs";

/** A region's VPC: public and private subnets per AZ, an internet gateway and NAT. */
export interface NetworkArgs {
    /** The VPC's IPv4 CIDR block, /16 to /20; must not overlap other regions'. */
    readonly cidrBlock: string;
    /** Availability zones to span, in a stable order; subnet CIDRs follow this order. */
    readonly availabilityZones: string[];
    /** `perAz`: a NAT gateway per AZ; `single`: one shared NAT, cheaper but lost with its zone. */
    readonly natGateways: "perAz" | "single";
    /** Where the flow logs go and how long they stay. */
    readonly flowLogs: { readonly accountId: string; readonly retentionDays: number };
    /** The VPC's region, which names its DynamoDB endpoint's service. */
    readonly region: string;
    /** Tags for every resource; each also gets a Name. */
    readonly tags: Record<string, string>;
}

/** A region's VPC: public and private subnets per AZ, an internet gateway, NAT per AZ or shared, and flow logs. */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /** The public subnets' CIDRs, where internet-facing load balancers put their nodes; no pod takes an address there. */
    public readonly publicSubnetCidrs: string[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Network", name, {}, opts);
        const tagged = (role: string) => ({ ...args.tags, Name: `${name}-${role}` });

        // EKS needs DNS hostnames and resolution for its private endpoint and node registration.
        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: tagged("vpc") },
            { parent: this },
        );
        flowLogs(name, this, { vpcId: vpc.id, ...args.flowLogs, tags: args.tags });
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagged("igw") }, { parent: this });
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public-rt`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tagged("public-rt") },
            { parent: this },
        );

        const plan = planSubnets(args.cidrBlock, args.availabilityZones.length);
        const subnet = (kind: "public" | "private", az: string, i: number, routeTableId: pulumi.Input<string>) =>
            this.subnet(name, { vpcId: vpc.id, kind, az, cidrBlock: plan[i]![kind], routeTableId, tags: tagged(`${kind}-${az}`) });
        const publicSubnets = args.availabilityZones.map((az, i) => subnet("public", az, i, publicRoutes.id));

        // A NAT per AZ keeps the other zones' egress alive when one zone fails.
        const natCount = args.natGateways === "perAz" ? args.availabilityZones.length : 1;
        const nats = args.availabilityZones.slice(0, natCount).map((az, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${az}`, { domain: "vpc", tags: tagged(`nat-eip-${az}`) }, { parent: this });
            // NAT gateways need the internet gateway attached before they can route.
            return new aws.ec2.NatGateway(
                `${name}-nat-${az}`,
                { allocationId: eip.id, subnetId: publicSubnets[i]!.id, tags: tagged(`nat-${az}`) },
                { parent: this, dependsOn: [igw] },
            );
        });

        const privateRoutes = args.availabilityZones.map((az, i) => {
            const nat = nats[Math.min(i, nats.length - 1)]!;
            return new aws.ec2.RouteTable(
                `${name}-private-rt-${az}`,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tagged(`private-rt-${az}`) },
                { parent: this },
            );
        });
        const privateSubnets = args.availabilityZones.map((az, i) => subnet("private", az, i, privateRoutes[i]!.id));

        dynamoDbEndpoint(name, this, {
            vpcId: vpc.id,
            region: args.region,
            routeTableIds: privateRoutes.map((r) => r.id),
            tags: tagged("dynamodb-endpoint"),
        });

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.publicSubnetCidrs = plan.map((p) => p.public);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }

    private subnet(
        name: string,
        s: {
            vpcId: pulumi.Input<string>;
            kind: "public" | "private";
            az: string;
            cidrBlock: string;
            routeTableId: pulumi.Input<string>;
            tags: Record<string, string>;
        },
    ): aws.ec2.Subnet {
        const subnet = new aws.ec2.Subnet(
            `${name}-${s.kind}-${s.az}`,
            {
                vpcId: s.vpcId,
                availabilityZone: s.az,
                cidrBlock: s.cidrBlock,
                // Service load balancers find their subnets by these tags: internet-facing ones
                // land in `elb` subnets, internal ones in `internal-elb` subnets.
                tags: { ...s.tags, [s.kind === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1" },
            },
            { parent: this },
        );
        new aws.ec2.RouteTableAssociation(
            `${name}-${s.kind}-${s.az}`,
            { subnetId: subnet.id, routeTableId: s.routeTableId },
            { parent: this },
        );
        return subnet;
    }
}

/**
 * Table traffic stays off the NAT, at no charge: a gateway endpoint adds a route to DynamoDB's
 * prefix list in each private route table
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-ddb.html). The tables' inline
 * routes leave that route alone: the provider skips "vpce-" prefix-list routes when it reads them
 * (terraform-provider-aws internal/service/ec2/vpc_route_table.go).
 */
function dynamoDbEndpoint(
    name: string,
    parent: pulumi.Resource,
    args: { vpcId: pulumi.Input<string>; region: string; routeTableIds: pulumi.Input<string>[]; tags: Record<string, string> },
): aws.ec2.VpcEndpoint {
    return new aws.ec2.VpcEndpoint(
        `${name}-dynamodb-endpoint`,
        {
            vpcId: args.vpcId,
            serviceName: `com.amazonaws.${args.region}.dynamodb`,
            vpcEndpointType: "Gateway",
            routeTableIds: args.routeTableIds,
            tags: args.tags,
        },
        { parent },
    );
}
