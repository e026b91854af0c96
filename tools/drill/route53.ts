/**
 * The Route 53 calls the drill makes, through the AWS SDK: a health check, what its
 * checkers report, inverting it, and the hosted zone's authoritative name servers.
 */
import {
    GetHealthCheckCommand,
    GetHealthCheckStatusCommand,
    GetHostedZoneCommand,
    ListHostedZonesByNameCommand,
    Route53Client,
    UpdateHealthCheckCommand,
} from "@aws-sdk/client-route-53";
import { withoutRootDot } from "../../facts/dns";
import type { HostedZoneRef } from "../../config/types";

export interface CheckState {
    readonly id: string;
    readonly inverted: boolean;
    /** Route 53's counter of updates, for a compare-and-swap update. */
    readonly version: number;
}

export interface CheckerView {
    /** Route 53's verdict: more than 18% of its checkers report success. */
    readonly healthy: boolean;
    readonly reporting: number;
    readonly succeeding: number;
}

export interface ZoneServers {
    readonly id: string;
    readonly name: string;
    readonly nameServers: string[];
}

/**
 * A Route 53 client for the drill. Route 53 is global and signed for us-east-1
 * (https://docs.aws.amazon.com/general/latest/gr/r53.html). AWS_ENDPOINT_URL_ROUTE_53 is the
 * SDKs' service-specific endpoint variable
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html); it is read from
 * the tool's env, as are static keys, so tests point the real SDK at a fake on loopback.
 */
export function route53Client(env: Readonly<Record<string, string | undefined>>): Route53Client {
    // Empty counts as unset, as the SDK treats it.
    const endpoint = env.AWS_ENDPOINT_URL_ROUTE_53?.trim();
    return new Route53Client({
        region: "us-east-1",
        endpoint: endpoint ? endpoint : undefined,
        // The SDK waits forever by default; a hung call must not stall a drill with the check inverted.
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15_000 },
        credentials: credentialsFrom(env),
    });
}

/** Static keys from the tool's env when it has them; otherwise the SDK's default chain. */
export function credentialsFrom(env: Readonly<Record<string, string | undefined>>) {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : undefined;
}

/** An SDK failure as one line naming the call. */
function failed(call: string, err: unknown): Error {
    const name = err instanceof Error ? err.name : "Error";
    const message = err instanceof Error ? err.message : String(err);
    return Object.assign(new Error(`Route 53 ${call} failed: ${name}: ${message}`), { code: name });
}

export class Route53 {
    constructor(private readonly client: Route53Client) {}

    private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
        try {
            return await send();
        } catch (err) {
            throw failed(what, err);
        }
    }

    async check(id: string): Promise<CheckState> {
        const out = await this.call(`GetHealthCheck ${id}`, () => this.client.send(new GetHealthCheckCommand({ HealthCheckId: id })));
        const hc = out.HealthCheck;
        return { id, inverted: hc?.HealthCheckConfig?.Inverted ?? false, version: hc?.HealthCheckVersion ?? 0 };
    }

    /**
     * The checkers' view. Each observation's Status is free text
     * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_StatusReport.html) that reads
     * "Success: ..." when that checker saw the endpoint healthy and "Failure: ..." otherwise;
     * Route 53 counts the endpoint healthy when more than 18% of checkers do
     * (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
     */
    async checkers(id: string): Promise<CheckerView> {
        const out = await this.call(`GetHealthCheckStatus ${id}`, () =>
            this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })),
        );
        const observations = out.HealthCheckObservations ?? [];
        const succeeding = observations.filter((o) => /^Success/i.test(o.StatusReport?.Status ?? "")).length;
        return { healthy: observations.length > 0 && succeeding / observations.length > 0.18, reporting: observations.length, succeeding };
    }

    /**
     * Sets Inverted and nothing else: fields an UpdateHealthCheck leaves out keep their values
     * (only ResetElements resets any). With `version`, Route 53 refuses the update with
     * HealthCheckVersionMismatch if anyone changed the check since it was read
     * (https://docs.aws.amazon.com/Route53/latest/APIReference/API_UpdateHealthCheck.html).
     */
    async setInverted(id: string, inverted: boolean, version?: number): Promise<void> {
        await this.call(`UpdateHealthCheck ${id} (Inverted=${inverted})`, () =>
            this.client.send(new UpdateHealthCheckCommand({ HealthCheckId: id, Inverted: inverted, HealthCheckVersion: version })),
        );
    }

    /** The zone's delegation set: the name servers that answer for it with authority. */
    async zoneServers(zone: HostedZoneRef): Promise<ZoneServers> {
        const id = "id" in zone ? zone.id : await this.publicZoneId(zone.name);
        const out = await this.call(`GetHostedZone ${id}`, () => this.client.send(new GetHostedZoneCommand({ Id: id })));
        return {
            id,
            name: withoutRootDot(out.HostedZone?.Name ?? ""),
            nameServers: out.DelegationSet?.NameServers ?? [],
        };
    }

    /** ListHostedZonesByName lists zones from that name on, private ones too; the public one of that exact name. */
    private async publicZoneId(name: string): Promise<string> {
        const out = await this.call(`ListHostedZonesByName ${name}`, () =>
            this.client.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 10 })),
        );
        const zone = (out.HostedZones ?? []).find((z) => withoutRootDot(z.Name ?? "") === name && !z.Config?.PrivateZone);
        if (!zone?.Id) throw new Error(`Route 53 has no public hosted zone named ${name}`);
        return zone.Id.replace(/^\/hostedzone\//, "");
    }
}
