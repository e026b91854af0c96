/** IPv4 CIDR arithmetic for the VPC plan and the rules that keep regions' VPCs apart. */

/** Parses `a.b.c.d/n` strictly; returns undefined when malformed or not aligned. */
export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return undefined;
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    const hostBits = 2 ** (32 - prefix);
    if (base % hostBits !== 0) return undefined;
    return { base, prefix };
}

export function formatCidr(base: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

function parseOrThrow(cidr: string): { base: number; prefix: number } {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`not a CIDR: ${cidr}`);
    return parsed;
}

/** True when two CIDR blocks share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseOrThrow(a);
    const y = parseOrThrow(b);
    const xEnd = x.base + 2 ** (32 - x.prefix);
    const yEnd = y.base + 2 ** (32 - y.prefix);
    return x.base < yEnd && y.base < xEnd;
}

/** True when `inner` lies wholly inside `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
    return parseOrThrow(inner).prefix >= parseOrThrow(outer).prefix && cidrsOverlap(inner, outer);
}

/** The private address ranges of RFC 1918, where every VPC here must sit. */
export const RFC1918 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** The subnet plan: per AZ, a large private subnet (pods take VPC IPs) and a small public one. */
export function planSubnets(cidrBlock: string, azCount: number): { private: string; public: string }[] {
    const vpc = parseOrThrow(cidrBlock);
    // Eight private slots of 1/8 each cover up to six AZs; public /+6 subnets follow the sixth.
    const privatePrefix = vpc.prefix + 3;
    const privateSize = 2 ** (32 - privatePrefix);
    const publicPrefix = vpc.prefix + 6;
    const publicSize = 2 ** (32 - publicPrefix);
    const publicBase = vpc.base + 6 * privateSize;
    return Array.from({ length: azCount }, (_, i) => ({
        private: formatCidr(vpc.base + i * privateSize, privatePrefix),
        public: formatCidr(publicBase + i * publicSize, publicPrefix),
    }));
}
