/**
 * verify's load balancer and certificate claims, each PASS, FAIL and UNKNOWN, with the real
 * ELBv2 and ACM clients against the fake on loopback.
 */
import { claimCases, deny, each } from "./support/verifyRun";

const LB = [
    "lb.scheme",
    "lb.crossZone",
    "lb.listeners",
    "lb.tlsPolicy",
    "lb.listener80",
    "lb.listener443",
    "lb.targetType",
    "lb.healthCheck",
    "lb.healthCheck.interval",
    "lb.healthCheck.timeout",
    "lb.healthCheck.healthy",
    "lb.healthCheck.unhealthy",
    "lb.deregistrationDelay",
    "lb.clientIp",
    "lb.targetsHealthy",
];
const CERT = ["cert.name", "cert.status", "cert.daysLeft"];
const GROUP_FIGURES = LB.filter((id) => id.startsWith("lb.healthCheck") || id === "lb.targetType");
const DAY_MS = 86_400_000;

claimCases("verify: the load balancer, PASS on a good deploy and FAIL where it differs", [
    { name: "a good deploy: every claim PASSes", setup: () => {}, expect: each([...LB, ...CERT], "PASS") },
    { name: "an internal load balancer", setup: (v) => (v.us.lb.scheme = "internal"), expect: { "lb.scheme": "FAIL" } },
    {
        name: "cross-zone load balancing off",
        setup: (v) => (v.us.lb.attributes["load_balancing.cross_zone.enabled"] = "false"),
        expect: { "lb.crossZone": "FAIL" },
    },
    { name: "TLS not ended at 443", setup: (v) => (v.us.lb.listeners[0]!.protocol = "TCP"), expect: { "lb.listeners": "FAIL" } },
    {
        name: "the API's default TLS policy, which accepts TLS 1.0",
        setup: (v) => (v.us.lb.listeners[0]!.sslPolicy = "ELBSecurityPolicy-2016-08"),
        expect: { "lb.tlsPolicy": "FAIL" },
        why: /differs/,
    },
    {
        name: "80 reaching the app rather than the redirect port",
        setup: (v) => v.us.redirect.targets.forEach((t) => (t.port = 8080)),
        expect: { "lb.listener80": "FAIL" },
    },
    { name: "TLS passed through to the pods", setup: (v) => (v.us.tls.protocol = "TLS"), expect: { "lb.listener443": "FAIL" } },
    { name: "instance targets", setup: (v) => (v.us.redirect.targetType = "instance"), expect: { "lb.targetType": "FAIL" } },
    { name: "another health check path", setup: (v) => (v.us.tls.healthCheck.path = "/"), expect: { "lb.healthCheck": "FAIL" } },
    { name: "a slower check interval", setup: (v) => (v.us.tls.healthCheck.interval = 31), expect: { "lb.healthCheck.interval": "FAIL" } },
    {
        name: "a longer check timeout",
        setup: (v) => (v.us.redirect.healthCheck.timeout = 11),
        expect: { "lb.healthCheck.timeout": "FAIL" },
    },
    { name: "a higher healthy threshold", setup: (v) => (v.us.tls.healthCheck.healthy = 6), expect: { "lb.healthCheck.healthy": "FAIL" } },
    {
        name: "a higher unhealthy threshold",
        setup: (v) => (v.us.tls.healthCheck.unhealthy = 4),
        expect: { "lb.healthCheck.unhealthy": "FAIL" },
    },
    {
        name: "the ELB default deregistration delay, 300 s",
        setup: (v) => (v.us.tls.attributes["deregistration_delay.timeout_seconds"] = "300"),
        expect: { "lb.deregistrationDelay": "FAIL" },
        why: /above 60/,
    },
    {
        name: "client IPs preserved",
        setup: (v) => (v.us.redirect.attributes["preserve_client_ip.enabled"] = "true"),
        expect: { "lb.clientIp": "FAIL" },
    },
    {
        name: "an unhealthy target",
        setup: (v) => (v.us.tls.targets[1]!.state = "unhealthy"),
        expect: { "lb.targetsHealthy": "FAIL" },
        why: /states: healthy, unhealthy/,
    },
    {
        name: "the old pods of a rollout still draining, beside healthy ones",
        setup: (v) => v.us.tls.targets.push({ ...v.us.tls.targets[0]!, id: "10.0.9.9", state: "draining" }),
        expect: {},
    },
    {
        name: "only draining targets left",
        setup: (v) => v.us.tls.targets.forEach((t) => (t.state = "draining")),
        expect: { "lb.targetsHealthy": "FAIL" },
        why: /no targets/,
    },
    {
        name: "a target group with no targets",
        setup: (v) => (v.us.redirect.targets = []),
        expect: { "lb.targetsHealthy": "FAIL", "lb.listener80": "UNKNOWN" },
    },
    { name: "a certificate for another name", setup: (v) => (v.us.cert.domain = "www.example.com"), expect: { "cert.name": "FAIL" } },
    { name: "a certificate not issued", setup: (v) => (v.us.cert.status = "EXPIRED"), expect: { "cert.status": "FAIL" } },
    {
        name: "a certificate with 30 days left",
        setup: (v) => (v.us.cert.notAfter = Date.UTC(2026, 4, 1, 9) + 30.5 * DAY_MS),
        expect: { "cert.daysLeft": "FAIL" },
        why: /^30 days left/,
    },
]);

claimCases("verify: the load balancer, UNKNOWN when nothing can be read", [
    {
        name: "AWS refuses DescribeLoadBalancers",
        setup: deny("DescribeLoadBalancers"),
        expect: each([...LB, ...CERT], "UNKNOWN"),
        why: /refused: AccessDenied/,
    },
    {
        name: "no loadBalancerHostname output",
        setup: (v) => delete v.outputs["prod-us"]!.loadBalancerHostname,
        // Route 53's claims about the load balancer need the name too.
        expect: each([...LB, ...CERT, "r53.check.target", "r53.record.target"], "UNKNOWN"),
        why: /no loadBalancerHostname output; deploy it first/,
    },
    {
        name: "no load balancer of that name (not made yet)",
        setup: (v) => (v.us.lb.dnsName = "someone-else.elb.amazonaws.com"),
        expect: each([...LB, ...CERT], "UNKNOWN"),
        why: /found no load balancer named prod-us-nlb/,
    },
    {
        name: "AWS refuses DescribeLoadBalancerAttributes",
        setup: deny("DescribeLoadBalancerAttributes"),
        expect: { "lb.crossZone": "UNKNOWN" },
    },
    {
        name: "AWS refuses DescribeListeners",
        setup: deny("DescribeListeners"),
        expect: each(["lb.listeners", "lb.tlsPolicy", "lb.listener80", "lb.listener443", ...CERT], "UNKNOWN"),
    },
    {
        name: "AWS refuses DescribeTargetGroups",
        setup: deny("DescribeTargetGroups"),
        expect: each(
            [...GROUP_FIGURES, "lb.listener80", "lb.listener443", "lb.deregistrationDelay", "lb.clientIp", "lb.targetsHealthy"],
            "UNKNOWN",
        ),
    },
    {
        name: "AWS refuses DescribeTargetGroupAttributes",
        setup: deny("DescribeTargetGroupAttributes"),
        expect: each(["lb.deregistrationDelay", "lb.clientIp"], "UNKNOWN"),
    },
    {
        name: "AWS refuses DescribeTargetHealth",
        setup: deny("DescribeTargetHealth"),
        expect: each(["lb.targetsHealthy", "lb.listener80", "lb.listener443"], "UNKNOWN"),
    },
    {
        name: "targets still registering",
        setup: (v) => (v.us.tls.targets[0]!.state = "initial"),
        expect: { "lb.targetsHealthy": "UNKNOWN" },
        why: /registering/,
    },
    { name: "AWS refuses DescribeCertificate", setup: deny("DescribeCertificate"), expect: each(CERT, "UNKNOWN"), why: /refused/ },
    {
        name: "the certificate does not exist",
        setup: (v) => (v.us.region.certificates = []),
        expect: each(CERT, "UNKNOWN"),
        why: /found nothing: ResourceNotFoundException/,
    },
    {
        name: "the TLS listener has no certificate",
        setup: (v) => delete v.us.lb.listeners[0]!.certificateArn,
        expect: each(CERT, "UNKNOWN"),
        why: /has no certificate/,
    },
]);
