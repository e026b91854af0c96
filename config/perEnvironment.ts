import type { ConfigKey } from "./keys";

/**
 * The keys an environment (a fleet: stage, prod) sets its own way, each with why. Every other key
 * holds the same value in every environment's stack of a region, so a change to it reaches prod
 * only as it already ran in stage ("configuration changes are just as likely to cause outages as
 * code changes"); `npm run parity` compares them.
 */
export const PER_ENVIRONMENT: Readonly<Partial<Record<ConfigKey, string>>> = {
    accountId: "each environment has its own AWS account",
    deployRoleArn: "that account's CI deploy role",
    previewRoleArn: "that account's CI preview role",
    assumeDeployRole: "how CI reaches that account",
    adminPrincipalArns: "that account's people",
    viewerPrincipalArns: "that account's people",
    publicAccessCidrs: "that environment's runners and people",
    tags: "labels such as Environment=stage",
    vpcCidr: "each VPC its own range",
    azCount: "a size",
    natGateways: "a size",
    logRetentionDays: "how long that environment's logs matter",
    activeReplicas: "a size",
    standbyReplicas: "a size",
    maxReplicas: "a size",
    role: "moved by that environment's switchover",
    replicasOverride: "moved by that environment's switchover",
    failoverRecord: "moved by that environment's switchover",
    hostedZone: "that environment's name",
    recordName: "that environment's name",
    alarmSubscriptions: "who that environment's alarm reaches",
    runbookUrl: "who that environment's alarm reaches",
    dataTable: "each environment its own data",
};
