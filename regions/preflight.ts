/**
 * What must exist before a region's stack creates anything: its zones, its image repositories,
 * the hosted zone, and what the bootstrap makes (roles, the secrets key, the fleet's table). Each
 * missing piece is named in one error, before the first resource.
 */
import * as aws from "@pulumi/aws";
import { fleetOf, StackConfig } from "../config";
import { clusterName, dataRoleArn, dataRoleName, secretsKeyAlias, WORKLOAD_ROLES, workloadRoleArn, WorkloadRole } from "../facts/workload";
import { lookupHostedZone } from "./failover";
import { pickZones } from "./zones";

/**
 * The images' repositories must exist before the stack adopts them, and `npm run images` makes
 * them; say so plainly, rather than let the adoption fail on a missing resource.
 */
async function requireRepositories(config: StackConfig, provider: aws.Provider): Promise<void> {
    const existing = (await aws.ecr.getRepositories({}, { provider })).names;
    const wanted = [config.services.backendImage.repository, config.services.frontendImage.repository];
    const missing = wanted.filter((r) => !existing.includes(r));
    if (missing.length > 0) {
        throw new Error(
            `ECR has no ${missing.join(" or ")} repository in ${config.region} yet: run npm run images (it creates the repositories and pushes the images), then run this again`,
        );
    }
}

/**
 * The bootstrap makes the roles this stack's resources run as, its cluster's secrets key and the
 * fleet's table, so CI's deploy role never makes a role, a key or the data (facts/workload.ts).
 * Without them EKS and the flow logs would fail halfway through the first `up`; say so before
 * anything is created, with AWS's own words when a lookup failed for another reason than absence.
 * Returns the key's ARN: EKS takes an alias too, but would then record another value than Pulumi
 * (https://docs.aws.amazon.com/eks/latest/APIReference/API_EncryptionConfig.html).
 */
async function requireFoundation(config: StackConfig, provider: aws.Provider) {
    const alias = secretsKeyAlias(clusterName(config.project, config.stack));
    const missing: string[] = [];
    const found = async <T>(what: string, lookup: () => Promise<T>): Promise<T | undefined> =>
        lookup().catch((err: unknown) => void missing.push(whyMissing(what, err)));
    const role = async (name: string, arn: string) => {
        const got = await found(`the role ${arn}`, () => aws.iam.getRole({ name }, { provider }));
        // A role of that name on another path is not the one the deploy role may pass.
        if (got !== undefined && got.arn !== arn) missing.push(`the role ${arn} (found ${got.arn} instead)`);
        return got;
    };
    const key = await found(`the KMS alias ${alias} in ${config.region}`, () => aws.kms.getAlias({ name: alias }, { provider }));
    for (const r of Object.keys(WORKLOAD_ROLES) as WorkloadRole[]) await role(WORKLOAD_ROLES[r], workloadRoleArn(config.accountId, r));
    const data = config.data.table === undefined ? undefined : await fleetTable(config, config.data.table, provider, { role, found });
    if (key === undefined || missing.length > 0) {
        throw new Error(
            `account ${config.accountId} lacks ${missing.join(", ")}: run pulumi up in bootstrap/ for this account (docs/bootstrap.md), then run this again`,
        );
    }
    return { secretsKeyArn: key.targetKeyArn, data };
}

/** The fleet's table as this region's stack uses it. */
export interface FleetTable {
    readonly table: string;
    /** The bootstrap's role for the backend's pods. */
    readonly roleArn: string;
    /** The table's other replicas' regions: where this region's writes go. */
    readonly peerRegions: string[];
}

/**
 * The fleet's table as AWS has it in this region, and the backend's role. The replica's list of the
 * other replicas, not the stack files, says which regions this one's writes go to (DescribeTable's
 * Replicas: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
 */
async function fleetTable(
    config: StackConfig,
    table: string,
    provider: aws.Provider,
    {
        role,
        found,
    }: {
        role: (name: string, arn: string) => Promise<unknown>;
        found: <T>(what: string, lookup: () => Promise<T>) => Promise<T | undefined>;
    },
): Promise<FleetTable> {
    const fleet = fleetOf(config.stack);
    const roleArn = dataRoleArn(config.accountId, fleet);
    await role(dataRoleName(fleet), roleArn);
    const replica = await found(`a replica of the table ${table} in ${config.region}`, () =>
        aws.dynamodb.getTable({ name: table }, { provider }),
    );
    // Anything missing has stopped the program before these are used.
    const peerRegions = (replica?.replicas ?? []).map((r) => r.regionName).filter((r) => r !== config.region);
    return { table, roleArn, peerRegions: [...new Set(peerRegions)].sort() };
}

/**
 * What could not be looked up, and AWS's reason when it is not plain absence (AccessDenied, a
 * throttle), on one line. The provider lists its errors as "* ..." lines under a heading; the
 * last such line, or else the last line, is AWS's own.
 */
export function whyMissing(what: string, err: unknown): string {
    const lines = (err instanceof Error ? err.message : String(err))
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "");
    const detail = (
        lines
            .filter((l) => l.startsWith("* "))
            .pop()
            ?.slice(2) ??
        lines.pop() ??
        ""
    ).trim();
    const absent = detail === "" || /couldn't find resource|NoSuchEntity|NotFound|not found/i.test(detail);
    return absent ? what : `${what} (${detail})`;
}

/** What must exist before anything is created: the region's zones, the hosted zone, the load balancers' zone id, the bootstrap's roles and key. */
export async function lookups(config: StackConfig, provider: aws.Provider) {
    const zones = await aws.getAvailabilityZones(
        { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
        { provider },
    );
    await requireRepositories(config, provider);
    const foundation = await requireFoundation(config, provider);
    return {
        ...foundation,
        availabilityZones: pickZones(config, config.region, zones.names, config.network.azCount),
        hostedZone: await lookupHostedZone(config, config.failover, provider),
        // The alias target's zone must match the load balancer type the frontend Service asks for (NLB).
        loadBalancerZone: await aws.lb.getHostedZoneId({ loadBalancerType: "network" }, { provider }),
    };
}
