import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The public name users reach, and the hosted zone its validation record goes in. */
export interface CertificateArgs {
    /** The name the certificate is issued for: the failover record's name. */
    readonly domainName: string;
    /** The public hosted zone holding that name. */
    readonly zoneId: string;
    /** Tags for the certificate. */
    readonly tags: Record<string, string>;
}

/**
 * This region's ACM certificate for the public name, DNS-validated in the shared zone.
 *
 * ACM's validation record is "created specifically for your domain and your account" and
 * "works for any AWS Region" (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html),
 * so every region's stack writes the same record. Each may therefore overwrite it, and none
 * deletes it: deleting it would stop the other regions' certificates from renewing.
 */
export class Certificate extends pulumi.ComponentResource {
    /** The certificate's ARN, once ACM has issued it: a listener can use it from then on. */
    public readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: CertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:regions:Certificate", name, {}, opts);

        const certificate = new aws.acm.Certificate(
            `${name}-cert`,
            { domainName: args.domainName, validationMethod: "DNS", tags: { ...args.tags, Name: args.domainName } },
            { parent: this },
        );
        const validation = certificate.domainValidationOptions.apply((options) => {
            const option = options.find((o) => o.domainName === args.domainName);
            if (!option) throw new Error(`ACM gave no DNS validation record for ${args.domainName}`);
            return option;
        });
        const record = new aws.route53.Record(
            `${name}-cert-validation`,
            {
                zoneId: args.zoneId,
                name: validation.resourceRecordName,
                type: validation.resourceRecordType,
                records: [validation.resourceRecordValue],
                ttl: 300,
                // The other regions' stacks write the same record.
                allowOverwrite: true,
            },
            // Shared with the other regions' certificates, which renew from it.
            { parent: this, retainOnDelete: true },
        );
        const validated = new aws.acm.CertificateValidation(
            `${name}-cert-validation`,
            { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
            // ACM may take up to 30 minutes; 75 is the provider's default, kept explicit.
            { parent: this, customTimeouts: { create: "75m" } },
        );

        this.certificateArn = validated.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}
