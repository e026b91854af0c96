/**
 * Pulumi Cloud as the state backend: GitHub registered as an OIDC issuer of the
 * organization, with one allow policy per exact subject, so each job's GitHub token
 * exchanges for the Pulumi token its job needs and no other
 * (https://www.pulumi.com/docs/administration/access-identity/oidc-issuers/github/).
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";
import type { TokenType } from "./config";

/**
 * The longest Pulumi token a workflow asks for (`token-expiration`: the switchover's and the
 * nightly rehearsal's 14,400 s); the issuer's maximum must cover it, or the exchange fails.
 * test/bootstrapBackend.test.ts reads the workflows and holds this to their longest request.
 */
export const MAX_TOKEN_SECONDS = 14400;

/** One allow policy: the token a subject may get. */
export interface TokenGrant {
    readonly subject: string;
    readonly tokenType: TokenType;
    /** For a team token. */
    readonly team?: string;
}

export interface PulumiCloudTrustArgs {
    /** The Pulumi organization. */
    readonly organization: string;
    /** Every subject that may exchange, with its token. */
    readonly grants: TokenGrant[];
}

/** An allow policy in the provider's shape; `aud` is what `pulumi/auth-actions` asks for. */
export function authPolicy(organization: string, grant: TokenGrant): pulumiservice.types.input.AuthPolicyDefinitionArgs {
    return {
        decision: "allow",
        tokenType: grant.tokenType,
        ...(grant.tokenType === "team" ? { teamName: grant.team } : { authorizedPermissions: ["standard"] }),
        rules: { aud: `urn:pulumi:org:${organization}`, sub: grant.subject },
    };
}

export class PulumiCloudTrust extends pulumi.ComponentResource {
    public readonly issuerName: pulumi.Output<string>;

    constructor(name: string, args: PulumiCloudTrustArgs, opts?: pulumi.ComponentResourceOptions) {
        super("multiregion:bootstrap:PulumiCloudTrust", name, {}, opts);
        const issuer = new pulumiservice.OidcIssuer(
            `${name}-github`,
            {
                organization: args.organization,
                name: "github-actions",
                url: "https://token.actions.githubusercontent.com",
                maxExpirationSeconds: MAX_TOKEN_SECONDS,
                policies: args.grants.map((g) => authPolicy(args.organization, g)),
            },
            { parent: this },
        );
        this.issuerName = issuer.name;
        this.registerOutputs({ issuerName: this.issuerName });
    }
}
