/**
 * A fake Route 53 API on loopback, for the real AWS SDK: the five REST-XML operations the
 * drill calls, with the request and response shapes of the API reference
 * (https://docs.aws.amazon.com/Route53/latest/APIReference/), health-check versions that
 * make UpdateHealthCheck a compare-and-swap, and a log of every call.
 */
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { HEALTH_CHECKER_REGIONS as CHECKER_REGIONS } from "../../facts/awsData";

const NS = "https://route53.amazonaws.com/doc/2013-04-01/";

export interface Call {
    readonly op: "GetHealthCheck" | "GetHealthCheckStatus" | "UpdateHealthCheck" | "GetHostedZone" | "ListHostedZonesByName";
    readonly id: string;
    /** UpdateHealthCheck's Inverted and HealthCheckVersion, when sent. */
    readonly inverted?: boolean;
    readonly version?: number;
    readonly at: number;
}

export interface CheckState {
    inverted: boolean;
    version: number;
    /** When Inverted last changed. */
    changedAt?: number;
}

export interface FakeError {
    readonly status: number;
    readonly code: string;
    readonly message: string;
}

export interface FakeOptions {
    readonly now: () => number;
    readonly checks: string[];
    readonly zone: { readonly id: string; readonly name: string; readonly nameServers: string[] };
}

export class FakeRoute53 {
    readonly calls: Call[] = [];
    readonly checks = new Map<string, CheckState>();
    /** Every change of a check's Inverted flag, in order. */
    readonly history: { readonly id: string; readonly inverted: boolean; readonly at: number }[] = [];
    /** How many of the 8 checkers report success for a check; all of them unless the test says. */
    succeeding: (id: string, state: CheckState) => number = () => CHECKER_REGIONS.length;
    /** Fails a call the way Route 53 would, when it returns an error. */
    fail: (call: Call) => FakeError | undefined = () => undefined;
    /** Runs after a call is answered. */
    after: (call: Call) => void = () => {};
    url = "";
    private server?: http.Server;

    constructor(private readonly options: FakeOptions) {
        for (const id of options.checks) this.checks.set(id, { inverted: false, version: 1 });
    }

    static async start(options: FakeOptions): Promise<FakeRoute53> {
        const fake = new FakeRoute53(options);
        fake.server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
            req.on("end", () => fake.respond(req.method ?? "GET", req.url ?? "/", body, res));
        });
        await new Promise<void>((resolve) => fake.server!.listen(0, "127.0.0.1", resolve));
        fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
        return fake;
    }

    /** The UpdateHealthCheck calls, the only ones that change anything. */
    updates(): Call[] {
        return this.calls.filter((c) => c.op === "UpdateHealthCheck");
    }

    async close(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise((resolve) => this.server?.close(resolve));
    }

    private respond(method: string, url: string, body: string, res: http.ServerResponse): void {
        const { pathname, searchParams } = new URL(url, "http://fake");
        const route = routeOf(method, pathname);
        if (!route) return send(res, 404, errorXml("UnknownOperation", `${method} ${pathname}`));
        const call: Call = {
            ...route,
            ...updateFields(route.op, body),
            id: route.id || (searchParams.get("dnsname") ?? ""),
            at: this.options.now(),
        };
        this.calls.push(call);
        const error = this.fail(call) ?? this.missing(call) ?? this.versionMismatch(call);
        if (error) return send(res, error.status, errorXml(error.code, error.message));
        send(res, 200, this.answer(call));
        this.after(call);
    }

    private missing(call: Call): FakeError | undefined {
        if (!call.op.includes("HealthCheck") || this.checks.has(call.id)) return undefined;
        return { status: 404, code: "NoSuchHealthCheck", message: `No health check exists with the specified ID ${call.id}` };
    }

    private answer(call: Call): string {
        const zone = this.options.zone;
        switch (call.op) {
            case "GetHealthCheck":
                return xml("GetHealthCheckResponse", this.healthCheckXml(call.id));
            case "GetHealthCheckStatus":
                return xml("GetHealthCheckStatusResponse", this.observationsXml(call.id));
            case "UpdateHealthCheck":
                return this.update(call);
            case "GetHostedZone":
                return xml(
                    "GetHostedZoneResponse",
                    `${hostedZoneXml(zone)}<DelegationSet><NameServers>${zone.nameServers.map((n) => `<NameServer>${n}</NameServer>`).join("")}</NameServers></DelegationSet>`,
                );
            case "ListHostedZonesByName":
                return xml(
                    "ListHostedZonesByNameResponse",
                    `<HostedZones>${hostedZoneXml(zone)}</HostedZones><DNSName>${call.id}</DNSName><IsTruncated>false</IsTruncated><MaxItems>10</MaxItems>`,
                );
        }
    }

    private update(call: Call): string {
        const state = this.checks.get(call.id)!;
        if (call.inverted !== undefined) this.setInverted(call.id, call.inverted, call.at);
        state.version++;
        return xml("UpdateHealthCheckResponse", this.healthCheckXml(call.id));
    }

    /** Another client's update, as Route 53 would apply it. */
    externalUpdate(id: string, inverted: boolean): void {
        this.setInverted(id, inverted, this.options.now());
        this.checks.get(id)!.version++;
    }

    private setInverted(id: string, inverted: boolean, at: number): void {
        const state = this.checks.get(id)!;
        if (state.inverted === inverted) return;
        state.inverted = inverted;
        state.changedAt = at;
        this.history.push({ id, inverted, at });
    }

    private healthCheckXml(id: string): string {
        const s = this.checks.get(id)!;
        return (
            `<HealthCheck><Id>${id}</Id><CallerReference>ref-${id}</CallerReference><HealthCheckConfig>` +
            `<Port>443</Port><Type>HTTPS</Type><ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>${id}.elb.test</FullyQualifiedDomainName>` +
            `<RequestInterval>10</RequestInterval><FailureThreshold>3</FailureThreshold><MeasureLatency>false</MeasureLatency>` +
            `<Inverted>${s.inverted}</Inverted><Disabled>false</Disabled><EnableSNI>true</EnableSNI></HealthCheckConfig>` +
            `<HealthCheckVersion>${s.version}</HealthCheckVersion></HealthCheck>`
        );
    }

    private observationsXml(id: string): string {
        const ok = this.succeeding(id, this.checks.get(id)!);
        const at = new Date(this.options.now()).toISOString();
        const observations = CHECKER_REGIONS.map((region, i) => {
            const status = i < ok ? "Success: HTTP Status Code 200, OK" : "Failure: HTTP Status Code 503, Service Unavailable";
            return `<HealthCheckObservation><Region>${region}</Region><IPAddress>15.177.${i}.1</IPAddress><StatusReport><Status>${status}</Status><CheckedTime>${at}</CheckedTime></StatusReport></HealthCheckObservation>`;
        });
        return `<HealthCheckObservations>${observations.join("")}</HealthCheckObservations>`;
    }

    /** A stale HealthCheckVersion gets Route 53's 409, and nothing changes. */
    private versionMismatch(call: Call): FakeError | undefined {
        const state = this.checks.get(call.id);
        if (call.op !== "UpdateHealthCheck" || call.version === undefined || !state || call.version === state.version) return undefined;
        return { status: 409, code: "HealthCheckVersionMismatch", message: "The value of HealthCheckVersion in the request doesn't match" };
    }
}

function routeOf(method: string, pathname: string): { op: Call["op"]; id: string } | undefined {
    const m = /^\/2013-04-01\/(healthcheck|hostedzone|hostedzonesbyname)(?:\/([^/]+))?(\/status)?$/.exec(pathname);
    if (!m) return undefined;
    const [, kind, id = "", status] = m;
    if (kind === "healthcheck" && status) return method === "GET" ? { op: "GetHealthCheckStatus", id } : undefined;
    if (kind === "healthcheck") return { op: method === "POST" ? "UpdateHealthCheck" : "GetHealthCheck", id };
    if (kind === "hostedzone" && method === "GET") return { op: "GetHostedZone", id };
    return kind === "hostedzonesbyname" && method === "GET" ? { op: "ListHostedZonesByName", id: "" } : undefined;
}

/** The two UpdateHealthCheckRequest fields the drill sends, read from the XML body. */
function updateFields(op: Call["op"], body: string): { inverted?: boolean; version?: number } {
    if (op !== "UpdateHealthCheck") return {};
    const inverted = /<Inverted>(true|false)<\/Inverted>/.exec(body)?.[1];
    const version = /<HealthCheckVersion>(\d+)<\/HealthCheckVersion>/.exec(body)?.[1];
    return {
        ...(inverted === undefined ? {} : { inverted: inverted === "true" }),
        ...(version === undefined ? {} : { version: Number(version) }),
    };
}

function hostedZoneXml(zone: FakeOptions["zone"]): string {
    return `<HostedZone><Id>/hostedzone/${zone.id}</Id><Name>${zone.name}.</Name><CallerReference>ref-zone</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>4</ResourceRecordSetCount></HostedZone>`;
}

function xml(root: string, inner: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>`;
}

function errorXml(code: string, message: string): string {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fake-request</RequestId></ErrorResponse>`;
}

function send(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": "fake-request" });
    res.end(body);
}
