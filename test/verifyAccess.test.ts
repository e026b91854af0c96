/**
 * The roles verify runs as may make every call it makes: the preview role (`npm run verify` on a
 * laptop or a PR) and the deploy role within its boundary (deploy-stack.yml and the nightly run it
 * after each `up`). The calls are the ones a whole fleet's run really sends to the fake AWS, each
 * as the ARN IAM authorizes it against (the Service Authorization Reference's resource types).
 */
import { strict as assert } from "node:assert";
import { allowedWithin, evaluate, Request } from "./support/iamPolicies";
import { ACCOUNT, BOUNDARY, DEPLOY, PREVIEW } from "./support/iamCases";
import { actionsMatching } from "./support/iamData";
import type { AwsCall } from "./support/fakeAws";
import { startVerify } from "./support/verifyRun";

/** The ARN a call is authorized against; `*` for actions with no resource-level permissions. */
function resourceOf(c: AwsCall): string {
    const input = c.input as Record<string, string | undefined> & { AlarmNames?: string[] };
    if (c.service === "eks" && c.op === "DescribeCluster") return `arn:aws:eks:${c.region}:${ACCOUNT}:cluster/${input.name}`;
    if (c.service === "eks" && c.op === "DescribeAddon") return `arn:aws:eks:${c.region}:${ACCOUNT}:addon/${input.name}/${input.addon}/x`;
    if (c.service === "acm") return input.CertificateArn ?? "";
    if (c.service === "dynamodb") return `arn:aws:dynamodb:${c.region}:${ACCOUNT}:table/${input.TableName}`;
    if (c.op === "DescribeAlarms") return `arn:aws:cloudwatch:${c.region}:${ACCOUNT}:alarm:${input.AlarmNames?.[0]}`;
    if (c.op === "GetHealthCheck") return `arn:aws:route53:::healthcheck/${input.id}`;
    if (c.op === "GetHostedZone" || c.op === "ListResourceRecordSets") return `arn:aws:route53:::hostedzone/${input.id}`;
    return "*";
}

/** IAM's prefix for a SigV4 signing name: CloudWatch signs as `monitoring`. */
const iamService = (signing: string) => (signing === "monitoring" ? "cloudwatch" : signing);

describe("the roles verify runs as may make every call it makes", () => {
    let requests: Request[] = [];
    before(async () => {
        const v = await startVerify();
        try {
            await v.run(["--fleet", "prod"]);
            const seen = new Map<string, Request>();
            for (const c of v.fake.calls) {
                const request = { action: `${iamService(c.service)}:${c.op}`, resource: resourceOf(c) };
                seen.set(`${request.action} ${request.resource}`, request);
            }
            requests = [...seen.values()];
        } finally {
            await v.close();
        }
    });

    it("names only real actions, of all six services", () => {
        const services = new Set(requests.map((r) => r.action.split(":")[0]));
        assert.deepEqual([...services].sort(), ["acm", "cloudwatch", "dynamodb", "eks", "elasticloadbalancing", "route53"]);
        assert.deepEqual(
            requests.filter((r) => actionsMatching(r.action).length !== 1).map((r) => r.action),
            [],
        );
    });

    it("the preview role may make each of them", () => {
        assert.deepEqual(
            requests.filter((r) => evaluate(PREVIEW, r) !== "allow").map((r) => `${r.action} on ${r.resource}`),
            [],
        );
    });

    it("the deploy role, within its boundary, may make each of them", () => {
        assert.deepEqual(
            requests.filter((r) => !allowedWithin(DEPLOY, BOUNDARY, r)).map((r) => `${r.action} on ${r.resource}`),
            [],
        );
    });
});
