/**
 * Facts copied from AWS that the program and its offline runtime rely on, in one place.
 * Read on 2026-11-26. When AWS opens a region, add its line here: the config accepts only
 * regions listed below, and the offline plan answers only from this table.
 *
 * Sources:
 * - Load balancer zone ids (`nlb`, `alb`): AWS General Reference, "Elastic Load Balancing
 *   endpoints and quotas", https://docs.aws.amazon.com/general/latest/gr/elb.html, cross-checked
 *   against hashicorp/terraform-provider-aws internal/service/elbv2/hosted_zone_id_data_source.go
 *   (what `aws.lb.getHostedZoneId` answers from) and kubernetes-sigs/external-dns
 *   provider/aws/aws.go @ 2bf1bf8a (2026-08-22); every source agrees for every region.
 *   ap-east-2 and ap-southeast-6 come from external-dns only.
 * - Regions per partition: boto/botocore botocore/data/partitions.json @ 0e6e2404 (2026-08-07).
 * - Opt-in: "Regions launched after March 20, 2019 are disabled by default",
 *   https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html; the config
 *   names the one-time opt-in (`aws account enable-region`) for such a region.
 * - Zones: the count is AWS's AZ ID table,
 *   https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html;
 *   the letters are what accounts created after November 2025 see, from describe-availability-zones
 *   output in public repositories. Older accounts map letters per account in nine regions, so the
 *   program asks `aws.getAvailabilityZones` at deploy time; this table is for the offline plan and
 *   the azCount check. us-west-1 offers newer accounts two of its three zones.
 * - Route 53 health checker regions: the `Regions` field of Route 53's HealthCheckConfig,
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */

/** This file's path, for messages that ask a user to extend it. */
export const AWS_DATA_FILE = "facts/awsData.ts";

export interface CommercialRegion {
    /** Disabled until the account opts in. */
    readonly optIn: boolean;
    /** Zone letters: "abc" is `<region>a`, `<region>b`, `<region>c`. */
    readonly zones: string;
    /** Route 53's canonical hosted-zone id for alias records to a Network Load Balancer here. */
    readonly nlb: string;
    /** The same for Application (and Classic) Load Balancers. */
    readonly alb: string;
}

/** Every region of the commercial `aws` partition. */
// prettier-ignore
export const COMMERCIAL_REGIONS: Readonly<Record<string, CommercialRegion>> = {
    "af-south-1": { optIn: true, zones: "abc", nlb: "Z203XCE67M25HM", alb: "Z268VQBMOI5EKX" },
    "ap-east-1": { optIn: true, zones: "abc", nlb: "Z12Y7K3UBGUAD1", alb: "Z3DQVH9N71FHZ0" },
    "ap-east-2": { optIn: true, zones: "abc", nlb: "Z09176273OC2HWIAUNYW", alb: "Z02789141MW7T1WBU19PO" },
    "ap-northeast-1": { optIn: false, zones: "acd", nlb: "Z31USIVHYNEOWT", alb: "Z14GRHDCWA56QT" },
    "ap-northeast-2": { optIn: false, zones: "abcd", nlb: "ZIBE1TIR4HY56", alb: "ZWKZPGTI48KDX" },
    "ap-northeast-3": { optIn: false, zones: "abc", nlb: "Z1GWIQ4HH19I5X", alb: "Z5LXEXXYW11ES" },
    "ap-south-1": { optIn: false, zones: "abc", nlb: "ZVDDRBQ08TROA", alb: "ZP97RAFLXTNZK" },
    "ap-south-2": { optIn: true, zones: "abc", nlb: "Z0711778386UTO08407HT", alb: "Z0173938T07WNTVAEPZN" },
    "ap-southeast-1": { optIn: false, zones: "abc", nlb: "ZKVM4W9LS7TM", alb: "Z1LMS91P8CMLE5" },
    "ap-southeast-2": { optIn: false, zones: "abc", nlb: "ZCT6FZBF4DROD", alb: "Z1GM3OXH4ZPM65" },
    "ap-southeast-3": { optIn: true, zones: "abc", nlb: "Z01971771FYVNCOVWJU1G", alb: "Z08888821HLRG5A9ZRTER" },
    "ap-southeast-4": { optIn: true, zones: "abc", nlb: "Z01156963G8MIIL7X90IV", alb: "Z09517862IB2WZLPXG76F" },
    "ap-southeast-5": { optIn: true, zones: "abc", nlb: "Z026317210H9ACVTRO6FB", alb: "Z06010284QMVVW7WO5J" },
    "ap-southeast-6": { optIn: true, zones: "abc", nlb: "Z01392953RKV2Q3RBP0KU", alb: "Z023301818UFJ50CIO0MV" },
    "ap-southeast-7": { optIn: true, zones: "abc", nlb: "Z054363131YWATEMWRG5L", alb: "Z0390008CMBRTHFGWBCB" },
    "ca-central-1": { optIn: false, zones: "abd", nlb: "Z2EPGBW3API2WT", alb: "ZQSVJUPU6J1EY" },
    "ca-west-1": { optIn: true, zones: "abc", nlb: "Z02754302KBB00W2LKWZ9", alb: "Z06473681N0SF6OS049SD" },
    "eu-central-1": { optIn: false, zones: "abc", nlb: "Z3F0SRJ5LGBH90", alb: "Z215JYRZR1TBD5" },
    "eu-central-2": { optIn: true, zones: "abc", nlb: "Z02239872DOALSIDCX66S", alb: "Z06391101F2ZOEP8P5EB3" },
    "eu-north-1": { optIn: false, zones: "abc", nlb: "Z1UDT6IFJ4EJM", alb: "Z23TAZ6LKFMNIO" },
    "eu-south-1": { optIn: true, zones: "abc", nlb: "Z23146JA1KNAFP", alb: "Z3ULH7SSC9OV64" },
    "eu-south-2": { optIn: true, zones: "abc", nlb: "Z1011216NVTVYADP1SSV", alb: "Z0956581394HF5D5LXGAP" },
    "eu-west-1": { optIn: false, zones: "abc", nlb: "Z2IFOLAFXWLO4F", alb: "Z32O12XQLNTSW2" },
    "eu-west-2": { optIn: false, zones: "abc", nlb: "ZD4D7Y8KGAS4G", alb: "ZHURV8PSTC4K8" },
    "eu-west-3": { optIn: false, zones: "abc", nlb: "Z1CMS0P5QUZ6D5", alb: "Z3Q77PNBQS71R4" },
    "il-central-1": { optIn: true, zones: "abc", nlb: "Z0313266YDI6ZRHTGQY4", alb: "Z09170902867EHPV2DABU" },
    "me-central-1": { optIn: true, zones: "abc", nlb: "Z00282643NTTLPANJJG2P", alb: "Z08230872XQRWHG2XF6I" },
    "me-south-1": { optIn: true, zones: "abc", nlb: "Z3QSRYVP46NYYV", alb: "ZS929ML54UICD" },
    "mx-central-1": { optIn: true, zones: "abc", nlb: "Z02031231H3ID6HYJ9A7U", alb: "Z023552324OKD1BB28BH5" },
    "sa-east-1": { optIn: false, zones: "abc", nlb: "ZTK26PT1VY4CU", alb: "Z2P70J7HTTTPLU" },
    "us-east-1": { optIn: false, zones: "abcdef", nlb: "Z26RNL4JYFTOTI", alb: "Z35SXDOTRQ7X7K" },
    "us-east-2": { optIn: false, zones: "abc", nlb: "ZLMOA37VPKANP", alb: "Z3AADJGX6KTTL2" },
    "us-west-1": { optIn: false, zones: "bc", nlb: "Z24FKFUX50B4VW", alb: "Z368ELLRRE2KJ0" },
    "us-west-2": { optIn: false, zones: "abcd", nlb: "Z18D5FSROUN65G", alb: "Z1H1FL5HABSF5" },
};

/** Regions of the other partitions, which this program does not target: their ARNs and services differ. */
export const OTHER_PARTITIONS: Readonly<Record<string, string>> = {
    "cn-north-1": "aws-cn",
    "cn-northwest-1": "aws-cn",
    "us-gov-east-1": "aws-us-gov",
    "us-gov-west-1": "aws-us-gov",
};

/** Where Route 53 can run health checkers from. */
export const HEALTH_CHECKER_REGIONS = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

/**
 * Retention periods CloudWatch Logs accepts, in days: PutRetentionPolicy's retentionInDays,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Auto Mode "requires Kubernetes version 1.29 or greater" (https://docs.aws.amazon.com/eks/latest/userguide/create-auto.html). */
export const AUTO_MODE_MIN_MINOR = 29;

/** One EKS Kubernetes minor version's calendar, each date the first day of its phase's end (UTC). */
export interface EksVersion {
    /** When Amazon EKS released it. */
    readonly released: string;
    /** When standard support ends: EKS upgrades a cluster whose upgrade policy is STANDARD from then on. */
    readonly endOfStandardSupport: string;
    /** When extended support ends: EKS upgrades every cluster still on it from then on. */
    readonly endOfExtendedSupport: string;
}

/** Where EKS_VERSIONS comes from, and the day it was read. */
export const EKS_VERSIONS_SOURCE = {
    url: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
    read: "2026-12-03",
} as const;

/**
 * The Amazon EKS Kubernetes release calendar, from Auto Mode's oldest version (1.29): the table
 * "Amazon EKS Kubernetes release calendar" of EKS_VERSIONS_SOURCE.url (awsdocs/amazon-eks-user-guide
 * latest/ug/versioning/kubernetes-versions.adoc @ 01385604 for 1.29 to 1.34). The copy of that page
 * read here predates 1.35; its dates are the ones AWS's own samples and endoflife.date give
 * (aws-samples/sample-apex-skills, eks-operation-review/references/cluster-lifecycle.md; standard
 * support is 14 months from release, extended 12 more). Add a version's line when EKS releases it:
 * the config accepts only versions listed here. No source reachable when this was read gave 1.36's
 * dates, so it has no line yet; `aws eks describe-cluster-versions --cluster-versions 1.36` prints
 * them (releaseDate, endOfStandardSupportDate, endOfExtendedSupportDate).
 */
export const EKS_VERSIONS: Readonly<Record<string, EksVersion>> = {
    "1.29": { released: "2024-01-23", endOfStandardSupport: "2025-03-23", endOfExtendedSupport: "2026-03-23" },
    "1.30": { released: "2024-05-23", endOfStandardSupport: "2025-07-23", endOfExtendedSupport: "2026-07-23" },
    "1.31": { released: "2024-09-26", endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26" },
    "1.32": { released: "2025-01-23", endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23" },
    "1.33": { released: "2025-05-29", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29" },
    "1.34": { released: "2025-10-02", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02" },
    "1.35": { released: "2026-01-27", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27" },
};

/** The newest Kubernetes minor version EKS_VERSIONS lists. */
export function newestEksVersion(): string {
    return (
        Object.keys(EKS_VERSIONS)
            .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]))
            .at(-1) ?? ""
    );
}

/** The zone names of a commercial region, or undefined for a region this file lacks. */
export function zonesOf(region: string): string[] | undefined {
    const data = COMMERCIAL_REGIONS[region];
    return data && [...data.zones].map((letter) => `${region}${letter}`);
}
