/**
 * `npm run parity`: fails when a standby's plan differs from the active's in anything
 * but the allowlist below. Drift between regions (another Kubernetes version, a missing
 * NetworkPolicy, a smaller instance type nobody chose) is how a standby fails on the
 * day it is needed.
 */
import { count, Main, parseCommand, processIo, runMain } from "./cli";
import { checkFleets } from "./crossStack";
import { Plan, planStack } from "./plan/build";
import { Difference, diffPlans, placeholders } from "./plan/diff";
import { DEPLOY_FLEETS } from "../config";
import { environmentReport, FlatConfig } from "./environmentParity";
import { deployFleetStacks, readProject, resolveStackConfig, ROOT } from "./stacks";

/**
 * The only ways regions may differ. Stack and region names (and every name built from
 * them, such as resource names, AZs, ARNs and ECR hosts) are compared as <stack> and
 * <region>, so they need no entry here.
 */
export const PARITY_ALLOWLIST: readonly { readonly type: string; readonly path: RegExp; readonly why: string }[] = [
    { type: "*", path: /^tags\.Role$/, why: "each region's role" },
    { type: "aws:route53/record:Record", path: /^failoverRoutingPolicies\[0\]\.type$/, why: "PRIMARY or SECONDARY follows the role" },
    {
        type: "aws:route53/record:Record",
        path: /^aliases\[0\]\.zoneId$/,
        why: "each region's load balancers have their own canonical hosted-zone id",
    },
    {
        type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        path: /^spec\.minReplicas$/,
        why: "the autoscaler's floor follows the role",
    },
    {
        type: "aws:cloudwatch/metricAlarm:MetricAlarm",
        path: /^alarmDescription$/,
        why: "a failing check means failover when active, no failover target when standby",
    },
    { type: "aws:ec2/vpc:Vpc", path: /^cidrBlock$/, why: "each region's own VPC CIDR" },
    { type: "aws:ec2/subnet:Subnet", path: /^cidrBlock$/, why: "subnets carved from that CIDR" },
    {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        path: /^spec\.egress\[\d+\]\.to\[\d+\]\.ipBlock\.except\[0\]$/,
        why: "the backend's HTTPS egress leaves out that CIDR",
    },
    {
        type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        path: /^spec\.ingress\[\d+\]\.from\[\d+\]\.ipBlock\.cidr$/,
        why: "the probe port opens to the load balancer's public subnets, carved from that CIDR",
    },
];

export function allowed(d: Difference): boolean {
    return d.path !== "" && PARITY_ALLOWLIST.some((rule) => (rule.type === "*" || rule.type === d.type) && rule.path.test(d.path));
}

/** `value` with each plan's own names put back where the diff wrote <stack>, <region>, <zoneN> and <peerN>. */
function restored(value: unknown, plan: Plan): unknown {
    const names = placeholders(plan).map(([name, placeholder]) => [placeholder, name] as [string, string]);
    return typeof value === "string" ? names.reduce((text, [from, to]) => text.split(from).join(to), value) : value;
}

/**
 * The same IAM ARN in both plans. IAM is global, so a region in an IAM ARN is only text: IAM
 * Identity Center keeps its AWSReservedSSO_ roles under the path /aws-reserved/sso.amazonaws.com/
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/using-service-linked-roles.html,
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-and-iam-roles.html),
 * followed in many accounts by its home region (role/aws-reserved/sso.amazonaws.com/eu-west-1/
 * AWSReservedSSO_Admin_...), which the diff would write as <region> in that region's plan only.
 */
function sameIamArn(active: Plan, standby: Plan, d: Difference): boolean {
    const [a, b] = [restored(d.a, active), restored(d.b, standby)];
    return typeof a === "string" && /^arn:aws[a-z-]*:iam::/.test(a) && a === b;
}

/** A spare: a standby that publishes no failover record, since a name holds one SECONDARY. */
function isSpare(plan: Plan): boolean {
    return (plan.outputs.failover?.value as { recordPublished?: boolean } | undefined)?.recordPublished === false;
}

/** Differences between the active's plan and a standby's that the allowlist does not cover. */
export function parityProblems(active: Plan, standby: Plan): Difference[] {
    const withdrawn = (d: Difference) => isSpare(standby) && d.type === "aws:route53/record:Record" && d.path === "" && d.b === "absent";
    return diffPlans(active, standby).filter((d) => !allowed(d) && !withdrawn(d) && !sameIamArn(active, standby, d));
}

export function describeProblem(active: Plan, standby: Plan, d: Difference): string {
    if (!d.path) return `${d.type} ${d.name}: only in ${d.a === "absent" ? standby.stack : active.stack}`;
    return `${d.type} ${d.name} ${d.path}: ${JSON.stringify(d.a) ?? "(unset)"} in ${active.stack}, ${JSON.stringify(d.b) ?? "(unset)"} in ${standby.stack}`;
}

/** Compares every standby with the active; returns the report lines and whether they all match. */
export function parityReport(plans: Plan[]): { ok: boolean; lines: string[] } {
    const active = plans.filter((p) => p.role === "active");
    if (active.length !== 1) return { ok: false, lines: [`parity needs exactly one active stack; found ${active.length}`] };
    const lines: string[] = [];
    let ok = true;
    for (const standby of plans.filter((p) => p !== active[0])) {
        const problems = parityProblems(active[0]!, standby);
        ok &&= problems.length === 0;
        lines.push(
            `${standby.stack} against ${active[0]!.stack}: ${problems.length === 0 ? "in parity" : `${count(problems.length, "difference")} outside the allowlist`}`,
        );
        for (const d of problems) lines.push(`  ${describeProblem(active[0]!, standby, d)}`);
    }
    lines.push(
        `allowed to differ: stack, region, zone and peer-region names, ${PARITY_ALLOWLIST.map((r) => `${r.type === "*" ? "" : `${r.type} `}${r.path.source.replace(/^\^|\$$/g, "").replace(/\\/g, "")} (${r.why})`).join("; ")}`,
    );
    return { ok, lines };
}

const USAGE = `usage: npm run parity
  For each fleet deploy.yml deploys (${DEPLOY_FLEETS.join(", ")}): plans its stack files offline and
  exits 1 when a standby differs from the active in anything outside the allowlist in
  tools/parity.ts. Then compares each stage-<region> with prod-<region> key by key and exits 1
  when they differ in a key docs/config.md does not mark per environment.`;

export const main: Main = async (argv, io) => {
    parseCommand(argv, { usage: USAGE, options: {} });
    let ok = true;
    const configs: Record<string, FlatConfig> = {};
    for (const fleet of DEPLOY_FLEETS) {
        const stacks = deployFleetStacks(fleet, io.root);
        if (stacks.length === 0) continue;
        for (const line of checkFleets(stacks, io.root)) io.out(line);
        const plans: Plan[] = [];
        for (const stack of stacks) plans.push(await planStack(stack, io.root));
        const report = parityReport(plans);
        ok &&= report.ok;
        for (const line of report.lines) io.out(line);
        for (const stack of stacks) configs[stack] = resolveStackConfig(stack, {}, io.root);
    }
    const across = environmentReport(readProject(io.root).name, configs);
    for (const line of across.lines) io.out(line);
    return ok && across.ok ? 0 : 1;
};

if (require.main === module) runMain(main, processIo(ROOT));
