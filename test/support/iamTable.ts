/**
 * What IAM must allow for every AWS resource type, invoke and tool call the program makes: the
 * explicit table a policy review starts from. A type or invoke missing here fails the IAM tests,
 * so new infrastructure cannot ship without someone deciding what CI may do with it.
 *
 * Actions come from the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
 * and from what the Terraform AWS provider, under @pulumi/aws, calls for each resource.
 */
import type { Context, ResourceFacts } from "./iamPolicies";
import { secretsKeyAlias } from "../../facts/workload";

/** One permission: an action, against the resource's ARN unless `arn` says otherwise. */
export interface Check {
    readonly action: string;
    readonly arn?: string;
    readonly context?: Context;
}

type Steps = (string | Check)[] | ((r: ResourceFacts) => (string | Check)[]);

export interface TypePermissions {
    /** The IAM service prefix every action below starts with. */
    readonly service: string;
    /** The ARN IAM authorizes the type's actions against. */
    readonly arn: (r: ResourceFacts) => string;
    /** What a preview or refresh reads: both roles need it. */
    readonly read: Steps;
    /** Create, update and tag, for `pulumi up`. */
    readonly write: Steps;
    /** Delete, for `pulumi destroy`; checked only for resources neither protected nor retained. */
    readonly remove: Steps;
}

/** The checks of one step list for one resource. */
export function checksOf(steps: Steps, r: ResourceFacts): Check[] {
    return (typeof steps === "function" ? steps(r) : steps).map((s) => (typeof s === "string" ? { action: s } : s));
}

const ec2 = (kind: string) => (r: ResourceFacts) => `arn:aws:ec2:${r.region}:${r.account}:${kind}/${r.id}`;
/** EC2 tags a resource in its create call (tag on create), which IAM authorizes as CreateTags. */
const tagOnCreate = (create: string): Check => ({ action: "ec2:CreateTags", context: { "ec2:CreateAction": create } });
const eksArn = (r: ResourceFacts, kind: string, rest: string) =>
    `arn:aws:eks:${r.region}:${r.account}:${kind}/${r.inputs.clusterName}/${rest}`;
const accessEntryArn = (r: ResourceFacts) =>
    eksArn(r, "access-entry", `role/${r.account}/${String(r.inputs.principalArn).split("/").pop()}/0123abcd`);
const certificateArn = (r: ResourceFacts) => `arn:aws:acm:${r.region}:${r.account}:certificate/${r.id}`;

/** Route 53's normalized record name: lower case, no trailing dot. */
export const normalizedName = (name: string) => name.toLowerCase().replace(/\.$/, "");
const recordChange = (r: ResourceFacts, action: string): Check => ({
    action: "route53:ChangeResourceRecordSets",
    context: {
        "route53:ChangeResourceRecordSetsNormalizedRecordNames": [normalizedName(r.inputs.name)],
        "route53:ChangeResourceRecordSetsRecordTypes": [r.inputs.type],
        "route53:ChangeResourceRecordSetsActions": [action],
    },
});

// prettier-ignore
export const RESOURCE_PERMISSIONS: Readonly<Record<string, TypePermissions>> = {
    "aws:ec2/vpc:Vpc": { service: "ec2", arn: ec2("vpc"), read: ["ec2:DescribeVpcs", "ec2:DescribeVpcAttribute"],
        write: ["ec2:CreateVpc", tagOnCreate("CreateVpc"), "ec2:ModifyVpcAttribute", "ec2:CreateTags", "ec2:DeleteTags"], remove: ["ec2:DeleteVpc"] },
    "aws:ec2/subnet:Subnet": { service: "ec2", arn: ec2("subnet"), read: ["ec2:DescribeSubnets"],
        write: ["ec2:CreateSubnet", tagOnCreate("CreateSubnet"), "ec2:CreateTags"], remove: ["ec2:DeleteSubnet"] },
    "aws:ec2/internetGateway:InternetGateway": { service: "ec2", arn: ec2("internet-gateway"), read: ["ec2:DescribeInternetGateways"],
        write: ["ec2:CreateInternetGateway", tagOnCreate("CreateInternetGateway"), "ec2:AttachInternetGateway"],
        remove: ["ec2:DetachInternetGateway", "ec2:DeleteInternetGateway"] },
    "aws:ec2/routeTable:RouteTable": { service: "ec2", arn: ec2("route-table"), read: ["ec2:DescribeRouteTables"],
        write: ["ec2:CreateRouteTable", tagOnCreate("CreateRouteTable"), "ec2:CreateRoute", "ec2:ReplaceRoute"],
        remove: ["ec2:DeleteRoute", "ec2:DeleteRouteTable"] },
    "aws:ec2/routeTableAssociation:RouteTableAssociation": { service: "ec2", arn: ec2("route-table"), read: ["ec2:DescribeRouteTables"],
        write: ["ec2:AssociateRouteTable", "ec2:ReplaceRouteTableAssociation"], remove: ["ec2:DisassociateRouteTable"] },
    "aws:ec2/eip:Eip": { service: "ec2", arn: ec2("elastic-ip"), read: ["ec2:DescribeAddresses"],
        write: ["ec2:AllocateAddress", tagOnCreate("AllocateAddress")], remove: ["ec2:DisassociateAddress", "ec2:ReleaseAddress"] },
    "aws:ec2/natGateway:NatGateway": { service: "ec2", arn: ec2("natgateway"), read: ["ec2:DescribeNatGateways"],
        write: ["ec2:CreateNatGateway", tagOnCreate("CreateNatGateway")], remove: ["ec2:DeleteNatGateway"] },
    // A gateway endpoint: the provider reads the service's prefix list (internal/service/ec2/vpc_endpoint.go).
    "aws:ec2/vpcEndpoint:VpcEndpoint": { service: "ec2", arn: ec2("vpc-endpoint"), read: ["ec2:DescribeVpcEndpoints", "ec2:DescribePrefixLists"],
        write: ["ec2:CreateVpcEndpoint", tagOnCreate("CreateVpcEndpoint"), "ec2:ModifyVpcEndpoint", "ec2:CreateTags", "ec2:DeleteTags"],
        remove: ["ec2:DeleteVpcEndpoints"] },
    "aws:ec2/flowLog:FlowLog": { service: "ec2", arn: ec2("vpc-flow-log"), read: ["ec2:DescribeFlowLogs"],
        write: ["ec2:CreateFlowLogs", tagOnCreate("CreateFlowLogs")], remove: ["ec2:DeleteFlowLogs"] },
    "aws:cloudwatch/logGroup:LogGroup": { service: "logs", arn: (r) => `arn:aws:logs:${r.region}:${r.account}:log-group:${r.name}`,
        read: ["logs:DescribeLogGroups", "logs:ListTagsForResource"],
        write: ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"], remove: ["logs:DeleteLogGroup"] },
    // CreateCluster makes EKS's grant on the bootstrap's secrets key as the caller, through EKS, with no
    // kms:GrantIsForAWSResource (https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html); KMS sees the key's aliases.
    "aws:eks/cluster:Cluster": { service: "eks", arn: (r) => `arn:aws:eks:${r.region}:${r.account}:cluster/${r.name}`, read: ["eks:DescribeCluster"],
        write: (r) => ["eks:CreateCluster", "eks:DescribeUpdate", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion", "eks:TagResource", "eks:UntagResource",
            ...["kms:DescribeKey", "kms:CreateGrant"].map((action) => ({ action, arn: r.inputs.encryptionConfig.provider.keyArn,
                context: { "kms:ResourceAliases": [secretsKeyAlias(r.name)], "kms:ViaService": `eks.${r.region}.amazonaws.com` } }))],
        remove: ["eks:DeleteCluster"] },
    "aws:eks/accessEntry:AccessEntry": { service: "eks", arn: accessEntryArn, read: ["eks:DescribeAccessEntry"],
        write: ["eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:TagResource"], remove: ["eks:DeleteAccessEntry"] },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": { service: "eks", arn: accessEntryArn, read: ["eks:ListAssociatedAccessPolicies"],
        write: (r) => [{ action: "eks:AssociateAccessPolicy", context: { "eks:policyArn": r.inputs.policyArn, "eks:accessScope": r.inputs.accessScope.type } }],
        remove: ["eks:DisassociateAccessPolicy"] },
    // The caller passes the backend's role (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html:
    // "The IAM principal that is creating the association must have iam:PassRole"); create authorizes on the cluster.
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": { service: "eks", arn: (r) => eksArn(r, "podidentityassociation", "a-0123abcd"),
        read: ["eks:DescribePodIdentityAssociation"],
        write: (r) => [{ action: "eks:CreatePodIdentityAssociation", arn: `arn:aws:eks:${r.region}:${r.account}:cluster/${r.inputs.clusterName}` },
            "eks:UpdatePodIdentityAssociation", "eks:TagResource", "eks:UntagResource", { action: "iam:PassRole", arn: String(r.inputs.roleArn) }],
        remove: ["eks:DeletePodIdentityAssociation"] },
    "aws:eks/addon:Addon": { service: "eks", arn: (r) => eksArn(r, "addon", `${r.inputs.addonName}/0123abcd`), read: ["eks:DescribeAddon"],
        write: ["eks:CreateAddon", "eks:UpdateAddon", "eks:TagResource"], remove: ["eks:DeleteAddon"] },
    // Retained on delete: the images outlive a destroy, and the deploy role cannot delete them.
    "aws:ecr/repository:Repository": { service: "ecr", arn: (r) => `arn:aws:ecr:${r.region}:${r.account}:repository/${r.name}`,
        read: ["ecr:DescribeRepositories", "ecr:ListTagsForResource"], write: ["ecr:CreateRepository", "ecr:TagResource", "ecr:UntagResource"], remove: [] },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": { service: "ecr", arn: (r) => `arn:aws:ecr:${r.region}:${r.account}:repository/${r.inputs.repository}`,
        read: ["ecr:GetLifecyclePolicy"], write: ["ecr:PutLifecyclePolicy"], remove: ["ecr:DeleteLifecyclePolicy"] },
    "aws:acm/certificate:Certificate": { service: "acm", arn: certificateArn, read: ["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
        write: ["acm:RequestCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"], remove: ["acm:DeleteCertificate"] },
    "aws:acm/certificateValidation:CertificateValidation": { service: "acm", arn: certificateArn, read: ["acm:DescribeCertificate"],
        write: ["acm:DescribeCertificate"], remove: [] },
    "aws:route53/record:Record": { service: "route53", arn: (r) => `arn:aws:route53:::hostedzone/${r.inputs.zoneId}`,
        read: ["route53:ListResourceRecordSets"],
        write: (r) => [recordChange(r, "CREATE"), recordChange(r, "UPSERT"), { action: "route53:GetChange", arn: "arn:aws:route53:::change/C0123" }],
        remove: (r) => [recordChange(r, "DELETE")] },
    "aws:route53/healthCheck:HealthCheck": { service: "route53", arn: (r) => `arn:aws:route53:::healthcheck/${r.id}`,
        read: ["route53:GetHealthCheck", "route53:ListTagsForResource"],
        write: ["route53:CreateHealthCheck", "route53:UpdateHealthCheck", "route53:ChangeTagsForResource"], remove: ["route53:DeleteHealthCheck"] },
    // Alarms and their topic live in us-east-1, where Route 53 publishes health-check metrics.
    "aws:cloudwatch/metricAlarm:MetricAlarm": { service: "cloudwatch", arn: (r) => `arn:aws:cloudwatch:${r.region}:${r.account}:alarm:${r.name}`,
        read: ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"],
        write: ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"], remove: ["cloudwatch:DeleteAlarms"] },
    "aws:sns/topic:Topic": { service: "sns", arn: (r) => `arn:aws:sns:${r.region}:${r.account}:${r.name}`,
        read: ["sns:GetTopicAttributes", "sns:ListTagsForResource"],
        write: ["sns:CreateTopic", "sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"], remove: ["sns:DeleteTopic"] },
    "aws:sns/topicSubscription:TopicSubscription": { service: "sns", arn: (r) => `arn:aws:sns:${r.region}:${r.account}:${r.name}:0123abcd`,
        read: ["sns:GetSubscriptionAttributes"], write: ["sns:Subscribe", "sns:SetSubscriptionAttributes"], remove: ["sns:Unsubscribe"] },
};

const ZONE = "arn:aws:route53:::hostedzone/Z0123456789EXAMPLE";

/** The AWS calls behind each invoke; both roles make them, since a preview runs the program too. */
export const INVOKE_PERMISSIONS: Readonly<Record<string, Check[]>> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": [{ action: "ec2:DescribeAvailabilityZones" }],
    "aws:route53/getZone:getZone": [
        { action: "route53:ListHostedZones" },
        { action: "route53:GetHostedZone", arn: ZONE },
        { action: "route53:ListTagsForResource", arn: ZONE },
    ],
    // The provider answers from a table it carries; no AWS call.
    "aws:lb/getHostedZoneId:getHostedZoneId": [],
    "aws:ecr/getRepositories:getRepositories": [{ action: "ecr:DescribeRepositories" }],
    "aws:eks/getAddonVersion:getAddonVersion": [{ action: "eks:DescribeAddonVersions" }],
    // The provider lists the aliases, then reads the key's ARN.
    "aws:kms/getAlias:getAlias": [
        { action: "kms:ListAliases" },
        { action: "kms:DescribeKey", arn: "arn:aws:kms:us-east-2:123456789012:key/0123abcd" },
    ],
    "aws:iam/getRole:getRole": [{ action: "iam:GetRole", arn: "arn:aws:iam::123456789012:role/multiregion/multiregion-eks-cluster" }],
    // The data source's reads (terraform-provider-aws internal/service/dynamodb/table_data_source.go).
    "aws:dynamodb/getTable:getTable": ["DescribeTable", "DescribeContinuousBackups", "DescribeTimeToLive", "ListTagsOfResource"].map(
        (a) => ({
            action: `dynamodb:${a}`,
            arn: "arn:aws:dynamodb:us-east-2:123456789012:table/multiregion-prod-data",
        }),
    ),
};

/** Which service takes a role the program passes, by the type of the resource it is passed in. */
export const PASSED_TO: Readonly<Record<string, string>> = {
    // The cluster role and, in computeConfig, the Auto Mode node role; the cluster role then passes the node role to EC2.
    "aws:eks/cluster:Cluster": "eks.amazonaws.com",
    "aws:ec2/flowLog:FlowLog": "vpc-flow-logs.amazonaws.com",
};

/** What each command of `npm run images` needs from ECR; a command missing here fails the test. */
export const IMAGE_COMMANDS: Readonly<Record<string, string[]>> = {
    // GetCallerIdentity needs no permission (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
    "aws sts get-caller-identity": [],
    "aws ecr describe-repositories": ["ecr:DescribeRepositories"],
    // Tags in the create call also need ecr:TagResource.
    "aws ecr create-repository": ["ecr:CreateRepository", "ecr:TagResource"],
    "aws ecr get-login-password": ["ecr:GetAuthorizationToken"],
    "aws ecr describe-images": ["ecr:DescribeImages"],
    "docker login": [],
    "docker build": [],
    "docker push": [
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
    ],
    "docker buildx imagetools create": [
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
    ],
};

/** The failover drill (`npm run drill`, run with the deploy role): it inverts and restores a health check. */
export const DRILL_CHECKS: readonly Check[] = [
    { action: "route53:GetHealthCheck", arn: "arn:aws:route53:::healthcheck/0123abcd" },
    { action: "route53:GetHealthCheckStatus", arn: "arn:aws:route53:::healthcheck/0123abcd" },
    { action: "route53:UpdateHealthCheck", arn: "arn:aws:route53:::healthcheck/0123abcd" },
    { action: "route53:GetHostedZone", arn: ZONE },
    { action: "route53:ListHostedZonesByName" },
];

/** The drill's replication step (tools/drill/replication.ts): one item of its own, keyed drill:<time>, in each region's replica. */
export const DRILL_TABLE_CHECKS: readonly Check[] = ["dynamodb:UpdateItem", "dynamodb:GetItem"].map((action) => ({
    action,
    arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/multiregion-prod-data",
    context: { "dynamodb:LeadingKeys": ["drill:2026-05-01T09:00:00.000Z"] },
}));
