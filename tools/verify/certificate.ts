/**
 * The certificate claims: the one the TLS listener presents, as ACM describes it. ACM renews a
 * DNS-validated certificate that a load balancer uses by itself
 * (https://docs.aws.amazon.com/acm/latest/userguide/managed-renewal.html), so a certificate with
 * under MIN_DAYS_LEFT days left is one whose renewal is stuck: a FAIL while there is time to act.
 */
import { CertificateDetail, DescribeCertificateCommand } from "@aws-sdk/client-acm";
import { FRONTEND_PORTS } from "../../services/sampleApp";
import { Clients } from "./aws";
import { attempt, Claim, found, judged, pick, Read, same, then, Verdict } from "./claim";
import { listenerOn, LiveLoadBalancer } from "./lbRead";
import { Target } from "./target";

export const MIN_DAYS_LEFT = 30;
const DAY_MS = 86_400_000;

function daysLeft(cert: CertificateDetail, now: number): Verdict {
    if (!cert.NotAfter) return { observed: "no expiry date", status: "UNKNOWN", why: "ACM gave no NotAfter (not issued yet?)" };
    const days = Math.floor((cert.NotAfter.getTime() - now) / DAY_MS);
    const observed = `${days} days left (until ${cert.NotAfter.toISOString().slice(0, 10)})`;
    return { observed, status: days > MIN_DAYS_LEFT ? "PASS" : "FAIL", why: `${days} days left; renewal has not happened` };
}

/** The TLS listener's certificate: its names, status and days left. */
export async function certificateClaims(clients: Clients, target: Target, live: Read<LiveLoadBalancer>): Promise<Claim[]> {
    const arn = pick(live, (l) =>
        pick(listenerOn(l, FRONTEND_PORTS.tls), (listener) =>
            found(listener.Certificates?.[0]?.CertificateArn, `the ${FRONTEND_PORTS.tls} listener has no certificate`),
        ),
    );
    const cert = await then(arn, (a) =>
        attempt(
            `ACM DescribeCertificate ${a}`,
            async () => (await clients.acm.send(new DescribeCertificateCommand({ CertificateArn: a }))).Certificate ?? {},
        ),
    );
    const name = target.config.failover.recordName;
    return [
        judged("cert.name", "the listener's certificate names the record", name, cert, (c) =>
            c.DomainName === name || (c.SubjectAlternativeNames ?? []).includes(name)
                ? { observed: name, status: "PASS" }
                : {
                      observed: [c.DomainName, ...(c.SubjectAlternativeNames ?? [])].join(", "),
                      status: "FAIL",
                      why: `does not name ${name}`,
                  },
        ),
        judged("cert.status", "the certificate's status", "ISSUED", cert, (c) => same("ISSUED", c.Status ?? "none")),
        judged("cert.daysLeft", "days before the certificate expires", `more than ${MIN_DAYS_LEFT} days`, cert, (c) =>
            daysLeft(c, target.now),
        ),
    ];
}
