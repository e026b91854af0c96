/**
 * A real DNS server on a loopback UDP port (dns2), answering from a function the test
 * controls, so the answer for a name can move on cue. It plays both the zone's
 * authoritative servers and the normal resolver the drill uses for other names.
 */
import dns2 from "dns2";

const { Packet } = dns2;

/** What the server answers for a name: A records, a CNAME, or nothing (NXDOMAIN). */
export type Records = (name: string) => { readonly addresses?: string[]; readonly cname?: string } | undefined;

export interface LoopbackDns {
    readonly port: number;
    /** `127.0.0.1:port`, as a resolver address. */
    readonly address: string;
    /** Questions asked so far, by name. */
    readonly asked: string[];
    close(): Promise<void>;
}

export async function startLoopbackDns(records: Records): Promise<LoopbackDns> {
    const asked: string[] = [];
    const server = dns2.createServer({
        udp: true,
        handle: (request, send) => {
            const response = Packet.createResponseFromRequest(request);
            response.header.aa = 1;
            for (const question of request.questions) {
                asked.push(question.name);
                const found = records(question.name.toLowerCase().replace(/\.$/, ""));
                if (!found) response.header.rcode = Packet.RCODE.NXDOMAIN;
                const record = (fields: Partial<dns2.Packet.Resource>) =>
                    response.answers.push(new Packet.Resource({ name: question.name, class: Packet.CLASS.IN, ttl: 60, ...fields }));
                if (found?.cname) record({ type: Packet.TYPE.CNAME, domain: found.cname });
                for (const address of found?.addresses ?? []) record({ type: Packet.TYPE.A, address });
            }
            void send(response);
        },
    });
    const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
    const port = addresses.udp!.port;
    let closed: Promise<void> | undefined;
    return {
        port,
        address: `127.0.0.1:${port}`,
        asked,
        close: () => (closed ??= server.close().then(() => undefined)),
    };
}
