/**
 * DNS as the drill sees it: questions sent straight to the zone's authoritative name
 * servers (no recursion, no cache between the drill and Route 53), and a normal resolver
 * for the load balancers' own names.
 */
import * as dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import * as packet from "dns-packet";
import { withoutRootDot } from "../../facts/dns";

/** What one server answered for `name A`: a CNAME, or the A records (empty for none). */
export interface Answer {
    readonly cname?: string;
    readonly addresses: string[];
}

/** An authoritative server: its host name, and the address the questions go to. */
export interface NameServer {
    readonly name: string;
    readonly address: string;
}

/** Where the answer may point: one stack's load balancer, by name and by its addresses. */
export interface Target {
    readonly stack: string;
    readonly hostname: string;
    readonly addresses: readonly string[];
}

/**
 * Asks one server for `name A` over UDP, recursion not desired: an authoritative server
 * answers from its zone alone. The socket is connected, so a closed port fails at once.
 */
export function askAuthoritative(address: string, port: number, name: string, timeoutMs: number): Promise<Answer> {
    const socket = dgram.createSocket(isIP(address) === 6 ? "udp6" : "udp4");
    const id = Math.floor(Math.random() * 0x10000);
    const query = packet.encode({ type: "query", id, flags: 0, questions: [{ type: "A", class: "IN", name }] });
    let timer: NodeJS.Timeout | undefined;
    return new Promise<Answer>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from ${address}:${port} within ${timeoutMs} ms`)), timeoutMs);
        socket.on("error", (err) => reject(new Error(`${address}:${port}: ${err.message}`)));
        socket.on("message", (message) => {
            try {
                const response = packet.decode(message);
                if (response.id !== id) return;
                // RCODE is the low 4 bits of the flags: 0 NOERROR, 3 NXDOMAIN (RFC 1035 4.1.1).
                const rcode = (response.flags ?? 0) & 0xf;
                if (rcode !== 0 && rcode !== 3) reject(new Error(`${address}:${port} answered RCODE ${rcode}`));
                else resolve(answerOf(response));
            } catch (err) {
                reject(new Error(`${address}:${port} sent an undecodable answer: ${err instanceof Error ? err.message : String(err)}`));
            }
        });
        socket.connect(port, address, () => socket.send(query));
    }).finally(() => {
        clearTimeout(timer);
        socket.close();
    });
}

function answerOf(response: packet.DecodedPacket): Answer {
    const records = (response.answers ?? []).flatMap((r) => (r.type === "A" || r.type === "CNAME" ? [r] : []));
    const cname = records.find((r) => r.type === "CNAME");
    const addresses = records.filter((r) => r.type === "A").map((r) => r.data);
    return cname ? { cname: withoutRootDot(cname.data).toLowerCase(), addresses } : { addresses };
}

/**
 * A normal, recursive resolver: the system's, or `host:port` from DRILL_RESOLVER (tests use
 * a loopback server). Caching is harmless here: it only looks up names that do not move
 * during a drill (the name servers' and the load balancers' own names).
 */
export function normalResolver(env: Readonly<Record<string, string | undefined>>): (host: string) => Promise<string[]> {
    const resolver = new Resolver({ timeout: 3000, tries: 2 });
    const server = env.DRILL_RESOLVER?.trim();
    if (server) resolver.setServers([server]);
    return async (host) => (isIP(host) ? [host] : (await resolver.resolve4(host)).sort());
}

/** Which target an answer points at: a CNAME by name, A records when all are that target's. */
export function pointsAt(answer: Answer, targets: readonly Target[]): string | undefined {
    if (answer.cname !== undefined) {
        return targets.find((t) => withoutRootDot(t.hostname).toLowerCase() === answer.cname)?.stack;
    }
    if (answer.addresses.length === 0) return undefined;
    return targets.find((t) => answer.addresses.every((a) => t.addresses.includes(a)))?.stack;
}

export function describeAnswer(answer: Answer): string {
    if (answer.cname !== undefined) return `CNAME ${answer.cname}`;
    return answer.addresses.length > 0 ? `A ${[...answer.addresses].sort().join(", ")}` : "no A record";
}

/** One round of questions: what each server said, or why it said nothing. */
export interface Round {
    readonly answers: { readonly server: NameServer; readonly answer?: Answer; readonly error?: string }[];
}

export async function askAll(servers: readonly NameServer[], port: number, name: string, timeoutMs: number): Promise<Round> {
    const answers = await Promise.all(
        servers.map(async (server) => {
            try {
                return { server, answer: await askAuthoritative(server.address, port, name, timeoutMs) };
            } catch (err) {
                return { server, error: err instanceof Error ? err.message : String(err) };
            }
        }),
    );
    return { answers };
}

/**
 * The stack every answering server points at, "mixed" while they disagree (Route 53's
 * servers change over one by one), undefined when none answered.
 */
export function verdict(round: Round, targets: readonly Target[]): string | undefined {
    const said = round.answers.flatMap((a) => (a.answer ? [pointsAt(a.answer, targets) ?? describeAnswer(a.answer)] : []));
    if (said.length === 0) return undefined;
    return said.every((s) => s === said[0]) ? said[0] : "mixed";
}
