/**
 * A member account made with AWS Organizations, and a provider inside it through the role
 * Organizations creates there. The seed keeps each environment in its own account:
 * "isolation by default is safer than trying to achieve isolation through IAM policies in
 * a single account".
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The administrator role Organizations puts in every account it creates (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html). */
export const ACCESS_ROLE = "OrganizationAccountAccessRole";

export interface MemberAccountArgs {
    /** The account's name in the organization. */
    readonly accountName: string;
    /** Its root user's address; unique across AWS. */
    readonly email: string;
    /** Region of the provider inside the account. */
    readonly region: string;
    readonly tags: Record<string, string>;
}

export class MemberAccount extends pulumi.ComponentResource {
    public readonly accountId: pulumi.Output<string>;
    /** Reaches the new account as its access role. */
    public readonly provider: aws.Provider;

    private readonly resourceName: string;

    constructor(name: string, args: MemberAccountArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:MemberAccount", name, {}, opts);
        this.resourceName = name;
        const account = new aws.organizations.Account(
            `${name}-account`,
            {
                name: args.accountName,
                email: args.email,
                roleName: ACCESS_ROLE,
                // Removing the stack leaves the account, with its workloads, to a person's decision.
                closeOnDeletion: false,
                tags: args.tags,
            },
            // The API cannot read roleName back, so it would always show a diff after an import.
            { parent: this, protect: true, ignoreChanges: ["roleName"] },
        );
        this.accountId = account.id;
        this.provider = this.providerIn(args.region, `${name}-provider`);
        this.registerOutputs({ accountId: this.accountId });
    }

    /** A provider inside the account, in `region`, as its access role. */
    public providerIn(region: string, name = `${this.resourceName}-provider-${region}`): aws.Provider {
        return new aws.Provider(
            name,
            {
                region,
                allowedAccountIds: [this.accountId],
                assumeRoles: [
                    {
                        roleArn: pulumi.interpolate`arn:aws:iam::${this.accountId}:role/${ACCESS_ROLE}`,
                        sessionName: "multiregion-bootstrap",
                    },
                ],
            },
            { parent: this },
        );
    }
}
