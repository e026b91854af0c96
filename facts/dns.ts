/** DNS names and Route 53 zones: the one place that knows their rules. */

/** A Route 53 hosted zone id, as opposed to a zone name. */
export const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** The name without its optional trailing root dot: `example.com.` is `example.com`. */
export function withoutRootDot(name: string): string {
    return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** A lower-case, fully qualified DNS name of at least two labels, the root dot optional. */
export function isDnsName(name: string): boolean {
    return DNS_NAME.test(withoutRootDot(name));
}

/** True when `record` is the zone's apex or a name below it. */
export function isInZone(record: string, zone: string): boolean {
    const r = withoutRootDot(record);
    const z = withoutRootDot(zone);
    return r === z || r.endsWith(`.${z}`);
}

/** True when `record` is the zone's apex, where Route 53 allows no CNAME. */
export function isApex(record: string, zone: string): boolean {
    return withoutRootDot(record) === withoutRootDot(zone);
}

/** The zone a record most likely sits in when only the record is known: its parent name. */
export function parentName(record: string): string {
    return withoutRootDot(record).split(".").slice(1).join(".");
}
