/**
 * Bad input for each key and rule: what the user wrote (as stack-file overrides) and the
 * one problem the parser must report, naming the key, the value and what is allowed.
 */
export const BAD_INPUT: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown role", { role: "primary" }, /^multiregion:role: got "primary"; allowed: "active" or "standby"$/],
    [
        "an unknown region",
        { region: "us-east-9" },
        /^multiregion:region: got "us-east-9"; allowed: a commercial AWS region listed in facts\/awsData\.ts, such as "us-east-2"; add a new region's line there$/,
    ],
    [
        "a region of another partition",
        { region: "cn-north-1" },
        /^multiregion:region: got "cn-north-1"; .*\(cn-north-1 is in the aws-cn partition, which this program does not target\)$/,
    ],
    [
        "more zones than the region has",
        { region: "us-west-1", azCount: 3 },
        /^multiregion:azCount: got 3; allowed: at most 2, the zones us-west-1 has \(us-west-1b, us-west-1c\)$/,
    ],
    [
        "a malformed CIDR",
        { vpcCidr: "10.10.0.0" },
        /^multiregion:vpcCidr: got "10\.10\.0\.0"; allowed: an aligned IPv4 CIDR from \/16 to \/20/,
    ],
    ["octets over 255", { vpcCidr: "10.300.0.0/16" }, /^multiregion:vpcCidr: got "10\.300\.0\.0\/16"/],
    ["a too-small CIDR", { vpcCidr: "10.10.0.0/24" }, /^multiregion:vpcCidr: got "10\.10\.0\.0\/24"; allowed: .*\/16 to \/20/],
    ["a too-large CIDR", { vpcCidr: "10.0.0.0/8" }, /^multiregion:vpcCidr: got "10\.0\.0\.0\/8"/],
    ["a CIDR with host bits", { vpcCidr: "10.10.0.1/16" }, /^multiregion:vpcCidr: got "10\.10\.0\.1\/16"; allowed: an aligned/],
    [
        "a public CIDR",
        { vpcCidr: "8.8.0.0/16" },
        /^multiregion:vpcCidr: got "8\.8\.0\.0\/16"; allowed: .*10\.0\.0\.0\/8, 172\.16\.0\.0\/12 or 192\.168\.0\.0\/16/,
    ],
    ["one AZ", { azCount: 1 }, /^multiregion:azCount: got "1"; allowed: an integer from 2 to 6$/],
    ["seven AZs", { azCount: 7 }, /^multiregion:azCount: got "7"; allowed: an integer from 2 to 6$/],
    ["an unknown NAT mode", { natGateways: "two" }, /^multiregion:natGateways: got "two"; allowed: "perAz" or "single"$/],
    [
        "a version without minor",
        { kubernetesVersion: "1" },
        /^multiregion:kubernetesVersion: got "1"; allowed: a minor version "1\.NN" EKS has, from "1\.29"/,
    ],
    [
        "a version older than EKS Auto Mode supports",
        { kubernetesVersion: "1.28" },
        /^multiregion:kubernetesVersion: got "1\.28"; allowed: /,
    ],
    [
        "a metrics-server version that is not an EKS add-on version",
        { metricsServerVersion: "0.8.0" },
        /^multiregion:metricsServerVersion: got "0\.8\.0"; allowed: empty, or an EKS add-on version such as "v0\.8\.1-eksbuild\.5"$/,
    ],
    [
        "a node key Auto Mode made obsolete",
        { nodeInstanceTypes: ["m6i.large"] },
        /^multiregion:nodeInstanceTypes: no longer read: EKS Auto Mode's node pools choose and scale the nodes; remove it from the stack file$/,
    ],
    ["a version YAML turned into 1.3", { kubernetesVersion: "1.3" }, /^multiregion:kubernetesVersion: got "1\.3"/],
    ["a patch version", { kubernetesVersion: "1.35.2" }, /^multiregion:kubernetesVersion: got "1\.35\.2"/],
    ["a v-prefixed version", { kubernetesVersion: "v1.35" }, /^multiregion:kubernetesVersion: got "v1\.35"/],
    [
        "an admin that is not an IAM ARN",
        { adminPrincipalArns: ["alice"] },
        /^multiregion:adminPrincipalArns: got "alice"; allowed: a list of IAM role or user ARNs/,
    ],
    [
        "no public access CIDRs",
        { publicAccessCidrs: [] },
        /^multiregion:publicAccessCidrs: got "\[\]"; allowed: a list of at least 1 of aligned IPv4 CIDRs/,
    ],
    [
        "a public access address without prefix",
        { publicAccessCidrs: ["203.0.113.7"] },
        /^multiregion:publicAccessCidrs: got "203\.0\.113\.7"/,
    ],
    ["a tag without =", { tags: ["Owner"] }, /^multiregion:tags: got "Owner"; allowed: a list of "Key=Value" strings$/],
    [
        "a reserved tag",
        { tags: ["Role=web"] },
        /^multiregion:tags: got "Role=web"; allowed: any key but the program's own ManagedBy, Stack, Region, Role, Name$/,
    ],
    ["an aws: tag", { tags: ["aws:owner=me"] }, /^multiregion:tags: got "aws:owner=me"; allowed: keys of 1-128/],
    ["a tag key given twice", { tags: ["Owner=a", "Owner=b"] }, /^multiregion:tags: got "Owner" twice; allowed: each key once$/],
    [
        "a list that is not JSON",
        { publicAccessCidrs: "203.0.113.0/24" },
        /^multiregion:publicAccessCidrs: got "203\.0\.113\.0\/24"; allowed: a list/,
    ],
    ["an integer that is not a number", { azCount: "three" }, /^multiregion:azCount: got "three"; allowed: an integer from 2 to 6$/],
    [
        "an image tagged latest",
        { backendImage: "sample-app-backend:latest" },
        /^multiregion:backendImage: got "sample-app-backend:latest"; allowed: a repository in this region's ECR with a pinned tag or digest.*no "latest"$/,
    ],
    [
        "an untagged image",
        { frontendImage: "sample-app-frontend" },
        /^multiregion:frontendImage: got "sample-app-frontend"; allowed: a repository in this region's ECR with a pinned tag or digest/,
    ],
    [
        "an image in another registry",
        { backendImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/sample-app-backend:1.0.0" },
        /^multiregion:backendImage: got "123456789012\.dkr\.ecr\.eu-west-1.*; allowed: .*no registry host/,
    ],
    ["a short digest", { backendImage: "sample-app-backend@sha256:abc" }, /^multiregion:backendImage: got "sample-app-backend@sha256:abc"/],
    ["one active replica", { activeReplicas: 1 }, /^multiregion:activeReplicas: got "1"; allowed: an integer from 2 to 100$/],
    ["no standby replica", { standbyReplicas: 0 }, /^multiregion:standbyReplicas: got "0"; allowed: an integer from 1 to 100$/],
    ["a ceiling of one pod", { maxReplicas: 1 }, /^multiregion:maxReplicas: got "1"; allowed: an integer from 2 to 200$/],
    ["a ceiling below the active floor", { maxReplicas: 2 }, /^multiregion:maxReplicas: got 2; allowed: at least activeReplicas \(3\)$/],
    [
        "a standby floor above the ceiling",
        { standbyReplicas: 3, activeReplicas: 3, maxReplicas: 2 },
        /^multiregion:maxReplicas: got 2; allowed: at least activeReplicas \(3\)$/,
    ],
    ["a CPU target of 5%", { cpuTargetPercent: 5 }, /^multiregion:cpuTargetPercent: got "5"; allowed: an integer from 10 to 95$/],
    ["a CPU target of 99%", { cpuTargetPercent: 99 }, /^multiregion:cpuTargetPercent: got "99"; allowed: an integer from 10 to 95$/],
    [
        "no throughput per pod",
        { podRequestsPerSecond: 0 },
        /^multiregion:podRequestsPerSecond: got "0"; allowed: an integer from 1 to 1000000$/,
    ],
    [
        "a standby larger than the active",
        { standbyReplicas: 4, activeReplicas: 3 },
        /^multiregion:standbyReplicas: got 4; allowed: at most activeReplicas \(3\)$/,
    ],
    [
        "a negative replica override",
        { replicasOverride: -1 },
        /^multiregion:replicasOverride: got "-1"; allowed: an integer from 0 to 200$/,
    ],
    [
        "a hosted zone that is neither id nor name",
        { hostedZone: "Example Zone" },
        /^multiregion:hostedZone: got "Example Zone"; allowed: a hosted zone id such as "Z0123456789ABCDEFGHIJ" or a lower-case domain name/,
    ],
    [
        "a record name that is not a DNS name",
        { recordName: "app_example" },
        /^multiregion:recordName: got "app_example"; allowed: a lower-case DNS name/,
    ],
    [
        "a record outside the zone",
        { recordName: "app.example.org" },
        /^multiregion:recordName: got "app\.example\.org"; allowed: a name inside hostedZone "example\.com"$/,
    ],
    [
        "a record in a look-alike zone",
        { recordName: "app.notexample.com" },
        /^multiregion:recordName: got "app\.notexample\.com"; allowed: a name inside hostedZone/,
    ],
    ["a health-check interval of 15", { healthCheckInterval: 15 }, /^multiregion:healthCheckInterval: got "15"; allowed: 10 or 30$/],
    [
        "a failure threshold of 0",
        { healthCheckFailureThreshold: 0 },
        /^multiregion:healthCheckFailureThreshold: got "0"; allowed: an integer from 1 to 10$/,
    ],
    [
        "a failure threshold of 11",
        { healthCheckFailureThreshold: 11 },
        /^multiregion:healthCheckFailureThreshold: got "11"; allowed: an integer from 1 to 10$/,
    ],
    [
        "a relative health-check path",
        { healthCheckPath: "health" },
        /^multiregion:healthCheckPath: got "health"; allowed: a path starting with "\/"/,
    ],
    [
        "two checker regions",
        { healthCheckRegions: ["us-east-1", "eu-west-1"] },
        /^multiregion:healthCheckRegions: got \["us-east-1","eu-west-1"\]; allowed: none \(Route 53's defaults\) or at least 3 regions$/,
    ],
    [
        "a region Route 53 does not check from",
        { healthCheckRegions: ["us-east-1", "eu-west-1", "us-east-2"] },
        /^multiregion:healthCheckRegions: got "us-east-2"; allowed: a list of Route 53 checker regions \(us-east-1, us-west-1/,
    ],
    [
        "a failoverRecord that is not a boolean",
        { failoverRecord: "yes" },
        /^multiregion:failoverRecord: got "yes"; allowed: true or false$/,
    ],
    [
        "an account id that is not 12 digits",
        { accountId: "12345" },
        /^multiregion:accountId: got "12345"; allowed: the 12-digit AWS account id, quoted, such as "123456789012"$/,
    ],
    [
        "a log retention CloudWatch does not offer",
        { logRetentionDays: 10 },
        /^multiregion:logRetentionDays: got "10"; allowed: 1 or 3 or 5 or 7 or 14 or 30 or 60 or 90 or 120 or 150 or 180 or 365 or 400 or 545 or 731 or 1096 or 1827 or 2192 or 2557 or 2922 or 3288 or 3653$/,
    ],
    [
        "a wildcard record, which users cannot reach and one certificate name cannot mean",
        { recordName: "*.example.com" },
        /^multiregion:recordName: got "\*\.example\.com"; allowed: a lower-case DNS name such as "app\.example\.com", at most 64 characters, no wildcard: the name its TLS certificate is issued for$/,
    ],
    [
        "a record name longer than ACM's 64 characters",
        { recordName: `${"a".repeat(60)}.example.com` },
        /^multiregion:recordName: got "a{60}\.example\.com"; allowed: .*at most 64 characters/,
    ],
    [
        "a deploy role that is a user",
        { deployRoleArn: "arn:aws:iam::123456789012:user/alice" },
        /^multiregion:deployRoleArn: got "arn:aws:iam::123456789012:user\/alice"; allowed: an IAM role ARN in this stack's account/,
    ],
    [
        "a deploy role from another account",
        { deployRoleArn: "arn:aws:iam::999999999999:role/deploy" },
        /^multiregion:deployRoleArn: got "arn:aws:iam::999999999999:role\/deploy"; allowed: a role in account 123456789012, the accountId this stack deploys into$/,
    ],
    ["an unknown support type", { eksSupportType: "LTS" }, /^multiregion:eksSupportType: got "LTS"; allowed: "STANDARD" or "EXTENDED"$/],
    ["an unknown key", { zoneCount: "3" }, /^multiregion:zoneCount: unknown key; known keys: region, accountId, role, vpcCidr, azCount/],
    [
        "a key in the wrong case, named next to the one meant",
        { azcount: "3" },
        /^multiregion:azcount: unknown key; did you mean azCount\?$/,
    ],
    ["a record type Route 53 has no failover for", { recordType: "A" }, /^multiregion:recordType: got "A"; allowed: "alias" or "cname"$/],
    ["a CNAME TTL below 10 seconds", { cnameTtl: 5 }, /^multiregion:cnameTtl: got "5"; allowed: an integer from 10 to 60$/],
    [
        "a CNAME TTL longer than the alias's 60 seconds",
        { cnameTtl: 300 },
        /^multiregion:cnameTtl: got "300"; allowed: an integer from 10 to 60$/,
    ],
    [
        "a CNAME at the zone apex",
        { recordType: "cname", recordName: "example.com" },
        /^multiregion:recordType: got "cname"; allowed: "alias" for recordName "example\.com", the apex of hosted zone "example\.com" \(Route 53 allows no CNAME at a zone apex\)$/,
    ],
    [
        "a malformed email address",
        { alarmSubscriptions: ["email:ops@example"] },
        /^multiregion:alarmSubscriptions: got "email:ops@example"; allowed: email: and one address, such as "email:ops@example\.com"$/,
    ],
    [
        "two addresses in one email entry",
        { alarmSubscriptions: ["email:ops@example.com,dev@example.com"] },
        /^multiregion:alarmSubscriptions: got "email:ops@example\.com,dev@example\.com"; allowed: email: and one address/,
    ],
    [
        "an address without its protocol",
        { alarmSubscriptions: ["ops@example.com"] },
        /^multiregion:alarmSubscriptions: got "ops@example\.com"; allowed: "email:ADDRESS", "email-json:ADDRESS", "sms:\+E\.164 number", an "https:\/\/" URL, or the ARN of a standard SQS queue or a Lambda function$/,
    ],
    [
        "a phone number that is not E.164",
        { alarmSubscriptions: ["sms:415-555-0100"] },
        /^multiregion:alarmSubscriptions: got "sms:415-555-0100"; allowed: sms: and an E\.164 number \("\+", country code, number; at most 15 digits\), such as "sms:\+14155550100"$/,
    ],
    [
        "a plain-http webhook",
        { alarmSubscriptions: ["http://hooks.example.com/route53"] },
        /^multiregion:alarmSubscriptions: got "http:\/\/hooks\.example\.com\/route53"; allowed: an "https:\/\/" URL with a host name and no user:password@, .*\(plain http would send alarms unencrypted\)$/,
    ],
    [
        "a webhook with credentials in it",
        { alarmSubscriptions: ["https://bot:s3cret@hooks.example.com/route53"] },
        /^multiregion:alarmSubscriptions: got "https:\/\/bot:s3cret@hooks\.example\.com\/route53"; allowed: an "https:\/\/" URL with a host name and no user:password@/,
    ],
    [
        "a FIFO queue, which a standard topic cannot deliver to",
        { alarmSubscriptions: ["arn:aws:sqs:us-east-1:123456789012:alarms.fifo"] },
        /^multiregion:alarmSubscriptions: got "arn:aws:sqs:us-east-1:123456789012:alarms\.fifo"; allowed: a standard SQS queue ARN, such as .*\(no \.fifo queue\)$/,
    ],
    [
        "a Lambda ARN that names no function",
        { alarmSubscriptions: ["arn:aws:lambda:us-east-1:123456789012:notify"] },
        /^multiregion:alarmSubscriptions: got "arn:aws:lambda:us-east-1:123456789012:notify"; allowed: a Lambda function ARN, such as "arn:aws:lambda:us-east-1:123456789012:function:notify"$/,
    ],
    [
        "a Firehose stream, which needs a subscription role",
        { alarmSubscriptions: ["arn:aws:firehose:us-east-1:123456789012:deliverystream/alarms"] },
        /^multiregion:alarmSubscriptions: got "arn:aws:firehose:us-east-1:123456789012:deliverystream\/alarms"; allowed: "email:ADDRESS", /,
    ],
    [
        "a queue in another account",
        { alarmSubscriptions: ["email:ops@example.com", "arn:aws:sqs:us-east-1:999999999999:alarms"] },
        /^multiregion:alarmSubscriptions: got "arn:aws:sqs:us-east-1:999999999999:alarms"; allowed: queues and functions in account 123456789012, the accountId this stack deploys into$/,
    ],
    [
        "the same subscriber twice",
        { alarmSubscriptions: ["email:ops@example.com", "email:ops@example.com"] },
        /^multiregion:alarmSubscriptions: got \["email:ops@example\.com"\]; allowed: a list of .*, without duplicates$/,
    ],
    [
        "a runbook on plain http",
        { runbookUrl: "http://wiki.example.com/runbook" },
        /^multiregion:runbookUrl: got "http:\/\/wiki\.example\.com\/runbook"; allowed: empty, or an https:\/\/ URL of at most 512 characters/,
    ],
    [
        "a runbook URL too long for the alarm text",
        { runbookUrl: `https://wiki.example.com/${"r".repeat(500)}` },
        /^multiregion:runbookUrl: got "https:\/\/wiki\.example\.com\/r+"; allowed: empty, or an https:\/\/ URL of at most 512 characters/,
    ],
];
