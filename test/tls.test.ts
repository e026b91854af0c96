import { strict as assert } from "node:assert";
import { fleetOf, fleetStacks, listStacks } from "../tools/stacks";
import { EXAMPLE_ZONE } from "./support/mocks";
import { stackRun } from "./support/run";

const CERT = "aws:acm/certificate:Certificate";
const RECORD = "aws:route53/record:Record";
const VALIDATION = "aws:acm/certificateValidation:CertificateValidation";
const A = "service.beta.kubernetes.io/aws-load-balancer-";

describe("HTTPS end to end", () => {
    for (const stack of listStacks()) {
        describe(stack, () => {
            it("has an ACM certificate for the public name, validated by DNS in the shared zone", async () => {
                const run = await stackRun(stack);
                const cert = run.resources.get(CERT, `${stack}-cert`);
                assert.equal(cert.inputs.domainName, run.settings.failover.recordName);
                assert.equal(cert.inputs.validationMethod, "DNS");
                assert.equal(
                    cert.provider,
                    run.resources.providerRef(run.resources.get("pulumi:providers:aws", `aws-${run.settings.region}`)),
                );
                const record = run.resources.get(RECORD, `${stack}-cert-validation`).inputs;
                const [option] = cert.outputs.domainValidationOptions;
                assert.deepEqual(
                    [record.zoneId, record.name, record.type, record.records],
                    [EXAMPLE_ZONE.zoneId, option.resourceRecordName, "CNAME", [option.resourceRecordValue]],
                );
                const validation = run.resources.get(VALIDATION, `${stack}-cert-validation`);
                assert.equal(validation.inputs.certificateArn, cert.outputs.arn);
                assert.deepEqual(validation.inputs.validationRecordFqdns, [option.resourceRecordName.replace(/\.$/, "")]);
            });

            it("presents only the issued certificate: the NLB waits for validation, not for the request", async () => {
                const run = await stackRun(stack);
                const svc = run.resources.get("kubernetes:core/v1:Service", `${stack}-frontend-service`);
                const validation = run.resources.get(VALIDATION, `${stack}-cert-validation`);
                assert.equal(svc.inputs.metadata.annotations[`${A}ssl-cert`], validation.outputs.certificateArn);
                assert.ok(svc.dependencies.includes(validation.urn), "the Service waits for the CertificateValidation");
            });

            it("listens with TLS 1.3 (and 1.2 for Route 53's checkers) on 443, and redirects 80 through a redirect-only port", async () => {
                const run = await stackRun(stack);
                const svc = run.resources.get("kubernetes:core/v1:Service", `${stack}-frontend-service`).inputs;
                const annotations = svc.metadata.annotations;
                assert.equal(annotations[`${A}ssl-ports`], "443");
                assert.equal(annotations[`${A}ssl-negotiation-policy`], "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
                // Unset, as Auto Mode lists no such annotation: the pods behind the TLS listener get plain TCP, the default.
                assert.equal(annotations[`${A}backend-protocol`], undefined);
                assert.deepEqual(svc.spec.ports, [
                    { name: "https", port: 443, targetPort: "http", protocol: "TCP" },
                    { name: "http", port: 80, targetPort: "redirect", protocol: "TCP" },
                ]);
                const container = run.resources.get("kubernetes:apps/v1:Deployment", `${stack}-frontend-deployment`).inputs.spec.template
                    .spec.containers[0];
                assert.deepEqual(container.ports, [
                    { name: "http", containerPort: 8080, protocol: "TCP" },
                    { name: "redirect", containerPort: 8081, protocol: "TCP" },
                    { name: "probes", containerPort: 9090, protocol: "TCP" },
                ]);
                const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
                assert.deepEqual([env.REDIRECT_PORT, env.PUBLIC_HOST], ["8081", run.settings.failover.recordName]);
            });
        });
    }

    describe("the validation record a fleet's regions share", () => {
        for (const fleet of [...new Set(listStacks().map(fleetOf))]) {
            it(`is the same record in every ${fleet} region, so each stack may overwrite it and none deletes it`, async () => {
                const records = await Promise.all(
                    fleetStacks(fleet).map(async (s) => (await stackRun(s)).resources.get(RECORD, `${s}-cert-validation`)),
                );
                const shape = (r: (typeof records)[number]) => [r.inputs.zoneId, r.inputs.name, r.inputs.type, r.inputs.records];
                for (const r of records) {
                    assert.deepEqual(shape(r), shape(records[0]!), "ACM's token is per name and account, not per region");
                    assert.equal(r.inputs.allowOverwrite, true, "the second stack's create must not fail on the first's record");
                    assert.equal(r.retainOnDelete, true, "destroying one region must not stop the other's certificate renewing");
                }
                assert.ok(records.length >= 2);
            });
        }
    });
});
