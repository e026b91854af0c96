/**
 * The Kubernetes version and the add-on versions each stack file pins: EKS's calendar, the
 * rule that fails CI before EKS upgrades a cluster by itself, and metrics-server pinned alike.
 */
import { strict as assert } from "node:assert";
import { ConfigError, parseConfig, projectValues, SUPPORT_NOTICE_DAYS, supportProblem, upgradeDate } from "../config";
import { EKS_VERSIONS, EKS_VERSIONS_SOURCE } from "../facts/awsData";
import { listStacks, loadStack, readProject, resolveStackConfig } from "../tools/stacks";
import { stackRun } from "./support/run";

const project = readProject().name;

describe("EKS versions and their support dates", () => {
    const allowed =
        'allowed: a minor version "1.NN" EKS has, from "1.29" (EKS Auto Mode\'s oldest) to "1.35" (the newest in facts/awsData.ts; add a newer one\'s line there), such as "1.35"';
    for (const [what, version] of [
        ["older than EKS Auto Mode supports", "1.28"],
        ["newer than any EKS has", "1.99"],
        ["not yet in the table", "1.36"],
    ]) {
        it(`refuses a version ${what} (${version}), in one line`, () => {
            const raw = { ...projectValues(resolveStackConfig("prod-us"), project), kubernetesVersion: version };
            assert.throws(
                () => parseConfig(raw, { project, stack: "prod-us" }),
                (err: Error) =>
                    err instanceof ConfigError && err.problems.join("\n") === `${project}:kubernetesVersion: got "${version}"; ${allowed}`,
            );
        });
    }

    it("records its source and the day it was read", () => {
        assert.equal(EKS_VERSIONS_SOURCE.url, "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html");
        assert.match(EKS_VERSIONS_SOURCE.read, /^\d{4}-\d{2}-\d{2}$/);
    });

    it("has 14 months of standard support and 12 more of extended support for every version, as the EKS page says", () => {
        const plusMonths = (date: string, months: number) => {
            const d = new Date(`${date}T00:00:00Z`);
            d.setUTCMonth(d.getUTCMonth() + months);
            return d.toISOString().slice(0, 10);
        };
        for (const [version, dates] of Object.entries(EKS_VERSIONS)) {
            assert.equal(dates.endOfStandardSupport, plusMonths(dates.released, 14), version);
            assert.equal(dates.endOfExtendedSupport, plusMonths(dates.endOfStandardSupport, 12), version);
        }
    });

    const at = (day: string) => new Date(`${day}T12:00:00Z`);
    const cases: [string, string, "STANDARD" | "EXTENDED", string, string | undefined][] = [
        ["well inside standard support", "1.35", "STANDARD", "2026-12-03", undefined],
        ["61 days before standard support ends", "1.35", "STANDARD", "2027-01-25", undefined],
        [
            "60 days before standard support ends",
            "1.35",
            "STANDARD",
            "2027-01-26",
            'prod-us: kubernetesVersion "1.35" leaves EKS standard support on 2027-03-27 (in 60 days), when EKS upgrades the cluster itself and the next up would try a downgrade; upgrade it to a newer version in every stack of the fleet, standby first',
        ],
        [
            "the day standard support ends",
            "1.34",
            "STANDARD",
            "2026-12-02",
            'prod-us: kubernetesVersion "1.34" leaves EKS standard support on 2026-12-02 (today), when EKS upgrades the cluster itself and the next up would try a downgrade; upgrade it to a newer version in every stack of the fleet, standby first',
        ],
        [
            "after standard support ended",
            "1.33",
            "STANDARD",
            "2026-12-03",
            'prod-us: kubernetesVersion "1.33" leaves EKS standard support on 2026-07-29 (127 days ago), when EKS upgrades the cluster itself and the next up would try a downgrade; upgrade it to a newer version in every stack of the fleet, standby first',
        ],
        ["after standard support, with EXTENDED: its own end is a year on", "1.33", "EXTENDED", "2026-12-03", undefined],
        [
            "near the end of extended support",
            "1.32",
            "EXTENDED",
            "2027-02-01",
            'prod-us: kubernetesVersion "1.32" leaves EKS extended support on 2027-03-23 (in 50 days), when EKS upgrades the cluster itself and the next up would try a downgrade; upgrade it to a newer version in every stack of the fleet, standby first',
        ],
        [
            "a version the table lacks",
            "1.99",
            "STANDARD",
            "2026-12-03",
            'prod-us: kubernetesVersion "1.99" has no line in facts/awsData.ts\'s EKS_VERSIONS; add it from https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html',
        ],
    ];
    for (const [what, version, type, today, expected] of cases) {
        it(`${expected ? "fails" : "passes"} ${what} (${version}, ${type}, ${today})`, () => {
            assert.equal(supportProblem("prod-us", version, type, at(today)), expected);
        });
    }

    it(`fails exactly ${SUPPORT_NOTICE_DAYS} days ahead, to the day`, () => {
        const end = Date.parse(`${upgradeDate("1.35", "STANDARD")}T00:00:00Z`);
        const day = 24 * 60 * 60 * 1000;
        assert.equal(supportProblem("s", "1.35", "STANDARD", new Date(end - (SUPPORT_NOTICE_DAYS + 1) * day)), undefined);
        assert.ok(supportProblem("s", "1.35", "STANDARD", new Date(end - SUPPORT_NOTICE_DAYS * day)));
    });

    // Today's date and each stack file's own version: this fails in CI once a version nears its end.
    for (const stack of listStacks()) {
        it(`${stack}: its Kubernetes version has more than ${SUPPORT_NOTICE_DAYS} days of support left today`, () => {
            const { kubernetesVersion, eksSupportType } = loadStack(stack).cluster;
            assert.equal(supportProblem(stack, kubernetesVersion, eksSupportType, new Date()), undefined);
        });
    }
});

describe("the metrics-server add-on is pinned", () => {
    const versions = listStacks().map((s) => loadStack(s).cluster.metricsServerVersion);
    it("to one EKS add-on version in every stack file", () => {
        assert.equal(new Set(versions).size, 1, JSON.stringify(versions));
        assert.match(versions[0] ?? "", /^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    });

    for (const stack of listStacks()) {
        it(`${stack}: the add-on asks for that version`, async () => {
            const run = await stackRun(stack);
            assert.equal(run.resources.get("aws:eks/addon:Addon", `${stack}-metrics-server`).inputs.addonVersion, versions[0]);
        });
    }
});
