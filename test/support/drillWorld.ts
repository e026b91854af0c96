/**
 * The world a drill test runs in: the prod fleet's stack files, faked stack outputs, a fake
 * Route 53 API and a real DNS server on loopback whose answer for the record follows a
 * script: N ms after the primary's check is inverted it answers the standby, N ms after
 * the restore the primary again. Time is a clock only sleeping moves, shared by the drill,
 * the fake and the DNS server, so timings are exact and a 30 s failover takes no time.
 */
import { describeFailure } from "../../tools/cli";
import { runDrill } from "../../tools/drill/main";
import { SignalSource } from "../../tools/drill/run";
import { StackBackend } from "../../tools/pulumiStacks";
import { FakeRoute53 } from "./fakeRoute53";
import { testIo, TestIo } from "./fixtures";
import { LoopbackDns, startLoopbackDns } from "./loopbackDns";

export const PRIMARY = { stack: "prod-us", check: "hc-prod-us", lb: "prod-us-nlb.elb.test", ips: ["192.0.2.10", "192.0.2.11"] };
export const STANDBY = { stack: "prod-eu", check: "hc-prod-eu", lb: "prod-eu-nlb.elb.test", ips: ["198.51.100.20", "198.51.100.21"] };
export const RECORD = "app.example.com";
const NAME_SERVERS = ["ns-1.awsdns.test", "ns-2.awsdns.test"];

export interface Script {
    /** After the invert: when Route 53's checkers report the primary failed. */
    readonly detectAfterMs: number;
    /** After the invert: when the name servers answer the standby. */
    readonly switchAfterMs: number;
    /** After the restore: when they answer the primary again. */
    readonly failbackAfterMs: number;
    /** How the record answers: the load balancer's A records (alias), or a CNAME to its name. */
    readonly record: "alias" | "cname";
}

/** SIGINT and SIGTERM on cue. */
export class FakeSignals implements SignalSource {
    handler?: (signal: "SIGINT" | "SIGTERM") => void;
    on(handler: (signal: "SIGINT" | "SIGTERM") => void) {
        this.handler = handler;
        return () => (this.handler = undefined);
    }
}

export interface World {
    readonly io: TestIo;
    readonly fake: FakeRoute53;
    readonly dns: LoopbackDns;
    readonly signals: FakeSignals;
    readonly outputs: Record<string, Record<string, unknown>>;
    /** Pulumi stack tags, keyed `<stack> <tag>`. */
    readonly tags: Record<string, string>;
    /** Makes the record answer one side whatever the script says. */
    pin?: typeof PRIMARY;
    /** Called each time the drill sleeps, with the clock after it. */
    onSleep: (now: number) => void;
    /** When the primary's check was last inverted, if it was. */
    invertedAt(): number | undefined;
    run(argv: string[]): Promise<{ code: number; out: string; err: string }>;
    close(): Promise<void>;
}

function outputsOf(side: typeof PRIMARY, type: string): Record<string, unknown> {
    return {
        healthCheckId: side.check,
        loadBalancerHostname: side.lb,
        appUrl: `https://${RECORD}`,
        failover: { type, recordPublished: true, detectionSeconds: 30, dnsTtlSeconds: 60, worstCaseSwitchSeconds: 90 },
    };
}

/** Whether the record answers the standby now, from the primary check's history and the script. */
function standbyServes(fake: FakeRoute53, script: Script, now: number): boolean {
    const changes = fake.history.filter((h) => h.id === PRIMARY.check);
    const inverted = changes.findLast((h) => h.inverted)?.at;
    if (inverted === undefined) return false;
    const switched = inverted + script.switchAfterMs;
    const restored = changes.find((h) => !h.inverted && h.at > inverted)?.at;
    if (now < switched || (restored !== undefined && restored < switched)) return false;
    return restored === undefined || now < Math.max(restored, switched) + script.failbackAfterMs;
}

/** A Pulumi backend the drill can only read: which stacks exist, their outputs and tags. */
function outputsOnly(outputs: Record<string, Record<string, unknown>>, tags: Record<string, string>): StackBackend {
    const unused = () => Promise.reject(new Error("the drill only reads stacks, their outputs and tags"));
    return {
        exists: async (s) => s in outputs,
        up: unused,
        preview: unused,
        setTag: unused,
        outputs: async (s) => outputs[s]!,
        tag: async (s, key) => tags[`${s} ${key}`],
    };
}

/** What a user sees: the exit code, and stdout and stderr, a thrown error shown as runMain shows it. */
async function runAsUser(argv: string[], world: World): Promise<{ code: number; out: string; err: string }> {
    let code: number;
    try {
        code = await runDrill(argv, world.io, world.signals);
    } catch (err) {
        const failure = describeFailure(err, false);
        world.io.err(failure.lines.join("\n"));
        code = failure.code;
    }
    return { code, out: world.io.text(), err: world.io.errors.join("\n") };
}

// The project runs on Node 22.12+ (package.json engines); on an older Node the SDK warns once per process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** A world for one test; `root` is a folder of stack files other than the project's. */
export async function startWorld(partial: Partial<Script> = {}, root?: string): Promise<World> {
    const script: Script = { detectAfterMs: 30_000, switchAfterMs: 33_000, failbackAfterMs: 21_000, record: "alias", ...partial };
    let clock = Date.UTC(2026, 4, 1, 9);
    const now = () => clock;
    const fake = await FakeRoute53.start({
        now,
        checks: [PRIMARY.check, STANDBY.check],
        zone: { id: "Z0123456789ABC", name: "example.com", nameServers: NAME_SERVERS },
    });
    const invertedAt = () => (fake.checks.get(PRIMARY.check)!.inverted ? fake.checks.get(PRIMARY.check)!.changedAt : undefined);
    fake.succeeding = (id) => (id === PRIMARY.check && (invertedAt() ?? Infinity) + script.detectAfterMs <= clock ? 0 : 8);
    const dns = await startLoopbackDns((name) => {
        if (NAME_SERVERS.includes(name)) return { addresses: ["127.0.0.1"] };
        const side = [PRIMARY, STANDBY].find((s) => s.lb === name);
        if (side) return { addresses: side.ips };
        if (name !== RECORD) return undefined;
        const serving = world.pin ?? (standbyServes(fake, script, clock) ? STANDBY : PRIMARY);
        return script.record === "cname" ? { cname: serving.lb } : { addresses: serving.ips };
    });
    const outputs = { [PRIMARY.stack]: outputsOf(PRIMARY, "PRIMARY"), [STANDBY.stack]: outputsOf(STANDBY, "SECONDARY") };
    const tags: Record<string, string> = {};
    const world: World = {
        io: testIo({
            ...(root === undefined ? {} : { root }),
            env: {
                AWS_ENDPOINT_URL_ROUTE_53: fake.url,
                AWS_ACCESS_KEY_ID: "AKIDTEST",
                AWS_SECRET_ACCESS_KEY: "test-secret",
                DRILL_DNS_PORT: String(dns.port),
                DRILL_RESOLVER: dns.address,
            },
            stacks: outputsOnly(outputs, tags),
            commands: {
                run: async (argv) => (argv.join(" ") === "pulumi version" ? "v3.200.0" : Promise.reject(new Error(argv.join(" ")))),
            },
            now,
            sleep: async (ms) => {
                clock += ms;
                world.onSleep(clock);
            },
        }),
        fake,
        tags,
        dns,
        signals: new FakeSignals(),
        outputs,
        onSleep: () => {},
        invertedAt,
        run: (argv) => runAsUser(argv, world),
        close: async () => {
            await Promise.all([fake.close(), dns.close()]);
        },
    };
    return world;
}
