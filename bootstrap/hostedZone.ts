/**
 * The public hosted zone, with Route 53 accelerated recovery: record changes resume within
 * about 60 minutes of a us-east-1 impairment, and it must be on before one
 * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/accelerated-recovery.html).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface HostedZoneArgs {
    /** The zone's domain, such as example.com. */
    readonly domain: string;
    readonly tags: Record<string, string>;
}

export class HostedZone extends pulumi.ComponentResource {
    public readonly zoneId: pulumi.Output<string>;
    public readonly nameServers: pulumi.Output<string[]>;

    constructor(name: string, args: HostedZoneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:HostedZone", name, {}, opts);
        const zone = new aws.route53.Zone(
            `${name}-zone`,
            { name: args.domain, comment: "multiregion: the failover record's zone", enableAcceleratedRecovery: true, tags: args.tags },
            // Deleting a zone loses its delegation; that is never a side effect of this program.
            { parent: this, protect: true },
        );
        this.zoneId = zone.zoneId;
        this.nameServers = zone.nameServers;
        this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
    }
}
