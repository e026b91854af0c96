/**
 * Fake AWS on loopback, for the real AWS SDK: one server that answers the six services verify
 * reads, each in the wire protocol its installed client speaks (ELBv2 awsQuery XML, Route 53
 * REST-XML, ACM JSON 1.1, DynamoDB and CloudWatch JSON 1.0, EKS REST-JSON). It routes on the
 * SigV4 credential scope (`.../<region>/<service>/aws4_request`), so one server stands in for
 * every region. Every call is logged; any that is not a read (Describe*, Get*, List*) is a
 * violation the tests fail on.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { answerElb } from "./fakeAwsElb";
import { answerJson, answerRest } from "./fakeAwsServices";
import type { LiveWorld } from "./fakeAwsWorld";

export interface AwsCall {
    /** The SigV4 signing name: elasticloadbalancing, route53, acm, eks, dynamodb, monitoring. */
    readonly service: string;
    readonly region: string;
    /** The API action, such as DescribeLoadBalancers; `unknown METHOD path` when the fake has no route. */
    readonly op: string;
    /** The request's parameters: form fields, JSON body, or path parts. */
    readonly input: Record<string, unknown>;
    /** The access key the request was signed with: the assumed role's after an AssumeRole. */
    readonly key: string;
}

/** The keys STS hands out for an assumed role in this fake. */
export const ASSUMED_KEY = "ASIAFAKEASSUMED";

/** STS AssumeRole (awsQuery): temporary keys, an hour long. */
function assumeRole(form: URLSearchParams): ReturnType<typeof answerElb> {
    const input = Object.fromEntries(form.entries());
    const Credentials = {
        AccessKeyId: ASSUMED_KEY,
        SecretAccessKey: "assumed-secret",
        SessionToken: "assumed-token",
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const AssumedRoleUser = { Arn: `${input.RoleArn}/${input.RoleSessionName}`, AssumedRoleId: `AROAFAKE:${input.RoleSessionName}` };
    return { op: form.get("Action") ?? "unknown", input, answer: { body: { Credentials, AssumedRoleUser } } };
}

export interface FakeError {
    readonly status: number;
    readonly code: string;
    readonly message: string;
}

/** What a handler answers: a body, or an error AWS would send. */
export type Answer = { readonly body: unknown } | { readonly error: FakeError };

export const READ_ACTION = /^(Describe|Get|List)/;

/** The four ways a test fails a call: AWS refuses it, or its thing does not exist. */
export const accessDenied = (service: string): FakeError => ({
    status: service === "elasticloadbalancing" || service === "route53" || service === "monitoring" ? 403 : 400,
    code:
        service === "elasticloadbalancing" || service === "route53" || service === "monitoring" ? "AccessDenied" : "AccessDeniedException",
    message: "User: arn:aws:sts::123456789012:assumed-role/multiregion-preview/ci is not authorized to perform this action",
});

export class FakeAws {
    readonly calls: AwsCall[] = [];
    /** Fails a call the way AWS would; undefined lets the world answer. */
    fail: (call: AwsCall) => FakeError | undefined = () => undefined;
    url = "";
    private server?: http.Server;

    constructor(readonly world: LiveWorld) {}

    static async start(world: LiveWorld): Promise<FakeAws> {
        const fake = new FakeAws(world);
        fake.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
            req.on("end", () => fake.respond(req, body, res));
        });
        await new Promise<void>((resolve) => fake.server!.listen(0, "127.0.0.1", resolve));
        fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
        return fake;
    }

    /** Calls that are not reads: any is a defect in a read-only tool. */
    writes(): AwsCall[] {
        return this.calls.filter((c) => !READ_ACTION.test(c.op));
    }

    /** The endpoint variables and static keys that point the SDK here. */
    env(): Record<string, string> {
        const services = ["ELASTIC_LOAD_BALANCING_V2", "ROUTE_53", "ACM", "CLOUDWATCH", "EKS", "DYNAMODB", "STS"];
        return {
            ...Object.fromEntries(services.map((s) => [`AWS_ENDPOINT_URL_${s}`, this.url])),
            AWS_ACCESS_KEY_ID: "AKIDTEST",
            AWS_SECRET_ACCESS_KEY: "test-secret",
        };
    }

    async close(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise((resolve) => this.server?.close(resolve));
    }

    private respond(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
        const scope = /Credential=[^/]+\/\d+\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? "");
        const [, region = "", service = ""] = scope ?? [];
        const target = String(req.headers["x-amz-target"] ?? "");
        const json = target !== "";
        const answered =
            service === "sts"
                ? assumeRole(new URLSearchParams(body))
                : service === "elasticloadbalancing"
                  ? answerElb(this.world, region, new URLSearchParams(body))
                  : json
                    ? answerJson(this.world, region, target, body)
                    : answerRest(this.world, region, service, req.method ?? "GET", req.url ?? "/");
        const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "";
        const call: AwsCall = { service, region, op: answered.op, input: answered.input, key };
        this.calls.push(call);
        const answer = this.fail(call) ?? ("error" in answered.answer ? answered.answer.error : undefined);
        if (answer) return sendError(res, service, json, answer);
        send(res, service, json, answered.op, "body" in answered.answer ? answered.answer.body : undefined);
    }
}

/** A JavaScript value as awsQuery or Route 53 XML: lists as `item` elements named by the caller. */
export function toXml(value: unknown, item = "member"): string {
    if (Array.isArray(value)) return value.map((v) => `<${item}>${toXml(v, item)}</${item}>`).join("");
    if (value !== null && typeof value === "object") {
        return Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => `<${k}>${toXml(v, item)}</${k}>`)
            .join("");
    }
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

function send(res: http.ServerResponse, service: string, json: boolean, op: string, body: unknown): void {
    if (json || service === "eks") {
        res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "fake" });
        return void res.end(JSON.stringify(body));
    }
    res.writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": "fake" });
    if (service === "route53") return void res.end(`<?xml version="1.0"?>\n${body as string}`);
    const ns =
        service === "sts" ? "https://sts.amazonaws.com/doc/2011-06-15/" : "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
    res.end(
        `<${op}Response xmlns="${ns}"><${op}Result>${toXml(body)}</${op}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${op}Response>`,
    );
}

function sendError(res: http.ServerResponse, service: string, json: boolean, e: FakeError): void {
    if (json || service === "eks") {
        // JSON 1.x names the error in __type; REST-JSON in x-amzn-errortype; CloudWatch, query-compatible, also in x-amzn-query-error.
        res.writeHead(e.status, {
            "content-type": "application/json",
            "x-amzn-errortype": e.code,
            "x-amzn-query-error": `${e.code};Sender`,
        });
        return void res.end(JSON.stringify({ __type: e.code, message: e.message }));
    }
    res.writeHead(e.status, { "content-type": "text/xml" });
    res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${e.message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`,
    );
}
