/** The rule of each key, as a named function: what a valid value looks like. */
import {
    AUTO_MODE_MIN_MINOR,
    AWS_DATA_FILE,
    COMMERCIAL_REGIONS,
    EKS_VERSIONS,
    HEALTH_CHECKER_REGIONS,
    OTHER_PARTITIONS,
} from "../facts/awsData";
import { cidrWithin, parseCidr, RFC1918 } from "../facts/cidr";
import { isDnsName, withoutRootDot, ZONE_ID } from "../facts/dns";
import { invalid, Kind, list, Parsed, then } from "./kinds";
import type { HostedZoneRef, ImageRef } from "./types";

/** A commercial AWS region this program has data for; other partitions are named as such. */
export function awsRegion(): Kind<string, "string"> {
    return {
        type: "string",
        parse: (raw) => {
            if (COMMERCIAL_REGIONS[raw]) return { value: raw };
            const partition = OTHER_PARTITIONS[raw];
            const allowed = `a commercial AWS region listed in ${AWS_DATA_FILE}, such as "us-east-2"; add a new region's line there`;
            return invalid(
                raw,
                partition ? `${allowed} (${raw} is in the ${partition} partition, which this program does not target)` : allowed,
            );
        },
    };
}

/** An aligned /16 to /20 inside RFC 1918 space. */
export function isVpcCidr(v: string): boolean {
    const c = parseCidr(v);
    return !!c && c.prefix >= 16 && c.prefix <= 20 && RFC1918.some((range) => cidrWithin(v, range));
}

export function isAccountId(v: string): boolean {
    return /^\d{12}$/.test(v);
}

/**
 * A name ACM can issue a public certificate for as its first name: a DNS name of at most
 * 64 characters ("the length of the domain name ... cannot exceed 64 octets", ACM's
 * RequestCertificate), and no wildcard, since users reach exactly this name.
 */
export function isCertifiableName(v: string): boolean {
    return isDnsName(v) && withoutRootDot(v).length <= 64;
}

export function isCidr(v: string): boolean {
    return parseCidr(v) !== undefined;
}

/** `1.NN`, no older than EKS Auto Mode supports. */
export function isKubernetesMinor(v: string): boolean {
    const m = /^1\.(\d{2})$/.exec(v);
    return !!m && Number(m[1]) >= AUTO_MODE_MIN_MINOR;
}

/** `1.NN` from EKS Auto Mode's oldest version to the newest EKS has, as facts/awsData.ts lists them. */
export function isEksVersion(v: string): boolean {
    return isKubernetesMinor(v) && v in EKS_VERSIONS;
}

/** Empty (EKS's default), or an EKS add-on version: `vX.Y.Z-eksbuild.N`. */
export function isAddonVersion(v: string): boolean {
    return v === "" || /^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(v);
}

export function isIamRole(v: string): boolean {
    return /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v);
}

/** Empty, or an IAM role ARN. */
export function isOptionalIamRole(v: string): boolean {
    return v === "" || isIamRole(v);
}

/** The account an IAM ARN belongs to. */
export function accountOf(arn: string): string | undefined {
    return /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(arn)?.[1];
}

export function isIamPrincipal(v: string): boolean {
    return /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(v);
}

export function isHostedZone(v: string): boolean {
    return ZONE_ID.test(v) || isDnsName(v);
}

/** DynamoDB's table-name rule (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html), or empty for none. */
export function isDataTableName(v: string): boolean {
    return v === "" || /^[A-Za-z0-9_.-]{3,255}$/.test(v);
}

export function isHealthCheckPath(v: string): boolean {
    return /^\/[\x21-\x7e]{0,254}$/.test(v);
}

export function hostedZoneRef(v: string): HostedZoneRef {
    return ZONE_ID.test(v) ? { id: v } : { name: withoutRootDot(v) };
}

/** Route 53 checker regions: none (its defaults) or at least three. */
export function checkerRegions(): Kind<string[], "array"> {
    return then(
        list((v) => HEALTH_CHECKER_REGIONS.includes(v), `Route 53 checker regions (${HEALTH_CHECKER_REGIONS.join(", ")})`),
        (regions) =>
            regions.length === 0 || regions.length >= 3
                ? { value: regions }
                : invalid(regions, "none (Route 53's defaults) or at least 3 regions"),
    );
}

// An ECR repository name plus a tag or a sha256 digest; no registry host, since the
// program always pulls from this region's own registry.
const IMAGE =
    /^([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?:@sha256:[a-f0-9]{64})?|@sha256:[a-f0-9]{64})$/;

/** A repository in this region's ECR with a pinned tag or digest. */
export function image(): Kind<ImageRef, "string"> {
    const allowed =
        'a repository in this region\'s ECR with a pinned tag or digest, such as "sample-app-backend:1.0.0" or "sample-app-backend:1.0.0@sha256:<64 hex>"; no registry host, no "latest"';
    // Docker reads a first path segment with a dot, or "localhost", as a registry host.
    const hasHost = (v: string) => v.includes("/") && (/^[^/]*\./.test(v) || v.startsWith("localhost/"));
    return {
        type: "string",
        parse: (raw) => {
            const m = IMAGE.exec(raw);
            if (!m || hasHost(raw) || /:latest(@|$)/.test(raw)) return invalid(raw, allowed);
            return { value: { repository: m[1] ?? "", pin: m[2] ?? "" } };
        },
    };
}

/** Tag keys the program owns; users can't override them. */
export const RESERVED_TAGS = ["ManagedBy", "Stack", "Region", "Role", "Name"] as const;

const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** `Key=Value` strings, as a map; each entry is checked on its own, so every bad one is named. */
export function userTags(): Kind<Record<string, string>, "array"> {
    return then(
        list((v) => /^[^=]+=/.test(v), '"Key=Value" strings'),
        (entries): Parsed<Record<string, string>> => {
            const tags: Record<string, string> = {};
            const problems: string[] = [];
            for (const entry of entries) {
                const eq = entry.indexOf("=");
                const [key, value] = [entry.slice(0, eq), entry.slice(eq + 1)];
                if ((RESERVED_TAGS as readonly string[]).includes(key)) {
                    problems.push(`got ${JSON.stringify(entry)}; allowed: any key but the program's own ${RESERVED_TAGS.join(", ")}`);
                } else if (!TAG_KEY.test(key) || !TAG_VALUE.test(value)) {
                    problems.push(
                        `got ${JSON.stringify(entry)}; allowed: keys of 1-128 and values of 0-256 letters, digits, spaces and _.:/=+-@, keys not starting with "aws:"`,
                    );
                } else if (key in tags) {
                    problems.push(`got ${JSON.stringify(key)} twice; allowed: each key once`);
                } else {
                    tags[key] = value;
                }
            }
            return problems.length > 0 ? { problems } : { value: tags };
        },
    );
}
