import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Report } from "../tools/drill/report";
import { PRIMARY, RECORD, Script, STANDBY, startWorld, World } from "./support/drillWorld";
import { copyStackFiles, editStackFile } from "./support/fixtures";
import { Replicas, startReplicas } from "./support/storeReplicas";

const RESTORE_BY_HAND = `aws route53 update-health-check --health-check-id ${PRIMARY.check} --no-inverted`;

describe("npm run drill", () => {
    let world: World;
    let replicas: Replicas;
    let out: string;
    // Each world has the fleet's table in two local stores, so the drill's replication step never leaves loopback.
    const start = async (script: Partial<Script> = {}, root?: string) => {
        world = await startWorld(script, root);
        replicas = await startReplicas(world, { table: true, lagMs: 800 });
    };
    const report = () => JSON.parse(fs.readFileSync(out, "utf8")) as Report;
    const drill = (...extra: string[]) => world.run(["--stack", PRIMARY.stack, "--out", out, ...extra]);
    /** The primary's check is not inverted, and the drill's last update was the restore. */
    const assertRestored = () => {
        assert.equal(world.fake.checks.get(PRIMARY.check)!.inverted, false);
        assert.deepEqual(world.fake.updates().at(-1), { ...world.fake.updates().at(-1), id: PRIMARY.check, inverted: false });
        assert.equal(world.signals.handler, undefined, "stops listening for signals");
    };

    beforeEach(() => (out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "drill-")), "drill.json")));
    afterEach(async () => Promise.all([world?.close(), replicas?.close()]));

    it("measures detection, switch and failback as Route 53 and DNS moved, and writes them with the computed times", async () => {
        await start({ detectAfterMs: 30_000, switchAfterMs: 33_000, failbackAfterMs: 21_000 });
        const r = await drill();
        assert.equal(r.code, 0, r.err);
        const json = report();
        const within = (measured: number | null, scripted: number) =>
            assert.ok(measured !== null && measured >= scripted && measured < scripted + 1);
        within(json.measuredSeconds.detection, 30);
        within(json.measuredSeconds.switch, 33);
        within(json.measuredSeconds.failback, 21);
        assert.deepEqual(json.computedSeconds, { detection: 30, dnsTtl: 60, worstCaseSwitch: 90 });
        assert.deepEqual(
            {
                stack: json.stack,
                peer: json.peer,
                record: json.recordName,
                zone: json.zone,
                checks: json.healthChecks,
                outcome: json.outcome,
            },
            {
                stack: "prod-us",
                peer: "prod-eu",
                record: RECORD,
                zone: { id: "Z0123456789ABC", name: "example.com" },
                checks: { primary: PRIMARY.check, standby: STANDBY.check },
                outcome: "passed",
            },
        );
        assert.deepEqual(
            json.nameServers.map((s) => s.address),
            ["127.0.0.1", "127.0.0.1"],
        );
        assert.equal(json.timestamps.inverted, new Date(world.fake.history[0]!.at).toISOString());
        assert.equal(Date.parse(json.timestamps.failedBack!) - Date.parse(json.timestamps.restored!), 21_000);
        assert.equal(json.timeoutSeconds, 3 * 90 + 60);
        assert.match(r.out, /^ {2}detection 30\.0 s {4}30 s {4}/m);
        assert.match(r.out, /^ {2}switch {4}33\.0 s {4}90 s {4}/m);
        assert.match(r.out, /^ {2}failback {2}21\.0 s {4}90 s {4}/m);
        // The invert is a compare-and-swap on the version read; the restore wins whatever happened since.
        assert.deepEqual(
            world.fake.updates().map((c) => [c.id, c.inverted, c.version]),
            [
                [PRIMARY.check, true, 1],
                [PRIMARY.check, false, undefined],
            ],
        );
        assertRestored();
    });

    it("follows a CNAME record to the standby's load balancer name, and finds the zone by id", async () => {
        const root = copyStackFiles(["prod-us", "prod-eu"]);
        for (const s of ["prod-us", "prod-eu"])
            editStackFile(root, s, (t) => t.replace(/hostedZone: example\.com/, "hostedZone: Z0123456789ABC"));
        await start({ record: "cname", detectAfterMs: 10_000, switchAfterMs: 12_000, failbackAfterMs: 5_000 }, root);
        const r = await drill();
        assert.equal(r.code, 0, r.err);
        assert.deepEqual([report().measuredSeconds.switch, report().measuredSeconds.failback], [12, 5]);
        assert.ok(!world.fake.calls.some((c) => c.op === "ListHostedZonesByName"));
    });

    it("counts a check healthy when more than 18% of Route 53's checkers report success (2 of 8)", async () => {
        await start();
        world.fake.succeeding = (id) => (id === STANDBY.check ? 2 : 8);
        assert.equal((await drill()).code, 0);
    });

    describe("refuses with one line, exit 2, and changes nothing", () => {
        const cases: [string, (w: World) => void, RegExp, string[]?][] = [
            [
                "when the standby is unhealthy",
                (w) => (w.fake.succeeding = (id) => (id === STANDBY.check ? 1 : 8)),
                /^error: prod-eu \(eu-west-1\) is unhealthy: 1 of 8 Route 53 checkers report success on health check hc-prod-eu; failing over to an unhealthy standby would be an outage$/,
            ],
            [
                "when the primary is unhealthy already",
                (w) => (w.fake.succeeding = (id) => (id === PRIMARY.check ? 0 : 8)),
                /^error: prod-us \(us-east-2\) is unhealthy already: 0 of 8 .*; fix prod-us before a drill$/,
            ],
            [
                "when a record is not published",
                (w) => ((w.outputs["prod-eu"]!.failover as Record<string, unknown>).recordPublished = false),
                /^error: prod-eu does not publish its SECONDARY record for app\.example\.com \(output failover\.recordPublished is false\): a switchover may be under way; finish it first$/,
            ],
            [
                "when a switchover is under way",
                (w) => (w.tags["prod-eu multiregion:switchover"] = JSON.stringify({ from: "prod-us", to: "prod-eu", done: 1 })),
                /^error: a switchover from prod-us to prod-eu is in progress \(1 step done\); drill once it has finished$/,
            ],
            [
                "when another drill is in progress, saying how to clear a crashed one",
                (w) => w.fake.externalUpdate(PRIMARY.check, true),
                new RegExp(
                    `^error: another drill is in progress: prod-us's health check hc-prod-us is inverted already; if a drill crashed, clear it with: ${RESTORE_BY_HAND}$`,
                ),
            ],
            [
                "when --stack names the standby, naming the active stack",
                () => {},
                /^error: --stack must name the prod fleet's active stack \(the PRIMARY\): prod-eu is a standby; its active stack is prod-us$/,
                ["--stack", "prod-eu"],
            ],
            [
                "when the name servers do not answer with the primary",
                (w) => (w.pin = STANDBY),
                /^error: the zone's name servers do not answer app\.example\.com with prod-us's load balancer \(ns-1\.awsdns\.test: A 198\.51\.100\.20, 198\.51\.100\.21; .*\); traffic is not on the primary/,
            ],
        ];
        for (const [name, setup, expected, argv] of cases) {
            it(name, async () => {
                await start();
                setup(world);
                const r = argv ? await world.run([...argv, "--out", out]) : await drill();
                assert.equal(r.code, 2);
                assert.equal(r.err.split("\n").length, 1, r.err);
                assert.match(r.err, expected);
                assert.deepEqual(world.fake.updates(), []);
                assert.equal(report().outcome, "refused");
            });
        }

        it("when the check changes between the read and the invert (a second drill won), leaving that drill's inversion alone", async () => {
            await start();
            world.fake.after = (c) => c.op === "GetHostedZone" && world.fake.externalUpdate(PRIMARY.check, true);
            const r = await drill();
            assert.equal(r.code, 2);
            assert.match(r.err, /^error: prod-us's health check hc-prod-us changed while the drill started .*; nothing was changed$/);
            assert.deepEqual(
                world.fake.updates().map((c) => c.inverted),
                [true],
            );
            assert.equal(world.fake.checks.get(PRIMARY.check)!.inverted, true);
        });
    });

    it("an error before the invert (Route 53 denies a read): exit 1, nothing changed, the error in --out", async () => {
        await start();
        world.fake.fail = (c) => (c.op === "GetHostedZone" ? { status: 403, code: "AccessDenied", message: "not allowed" } : undefined);
        const r = await drill();
        assert.equal(r.code, 1);
        assert.match(r.err, /^error: Route 53 GetHostedZone Z0123456789ABC failed: AccessDenied: not allowed$/m);
        assert.deepEqual(world.fake.updates(), []);
        assert.deepEqual(
            [report().outcome, report().message],
            ["error", "Route 53 GetHostedZone Z0123456789ABC failed: AccessDenied: not allowed"],
        );
    });

    describe("restores the check on every way out", () => {
        it("an error mid-run: Route 53 fails a call", async () => {
            await start();
            world.fake.fail = (c) =>
                c.op === "GetHealthCheckStatus" && world.invertedAt() !== undefined && c.at >= world.invertedAt()! + 5000
                    ? { status: 400, code: "InvalidInput", message: "scripted failure" }
                    : undefined;
            const r = await drill();
            assert.equal(r.code, 1);
            assert.match(r.err, /drill error: Route 53 GetHealthCheckStatus hc-prod-us failed: InvalidInput: scripted failure/);
            assert.equal(report().outcome, "error");
            assertRestored();
        });

        it("an error mid-run: the DNS server dies", async () => {
            await start();
            world.onSleep = (now) => void (world.invertedAt() !== undefined && now >= world.invertedAt()! + 5000 && world.dns.close());
            const r = await drill();
            assert.equal(r.code, 1);
            assert.match(
                r.err,
                /drill error: no authoritative name server answered 3 times in a row \(ns-1\.awsdns\.test: 127\.0\.0\.1:\d+: /,
            );
            assertRestored();
        });

        it("a timeout, bounded by --timeout, reporting what it saw", async () => {
            await start({ switchAfterMs: Infinity, detectAfterMs: 3000 });
            const r = await drill("--timeout", "20");
            assert.equal(r.code, 1);
            assert.match(
                r.err,
                /drill timeout: the name servers did not answer prod-eu within 20 s; last seen: ns-1\.awsdns\.test: A 192\.0\.2\.10, 192\.0\.2\.11/,
            );
            const json = report();
            assert.deepEqual([json.outcome, json.measuredSeconds.detection, json.measuredSeconds.switch], ["timeout", 3, null]);
            assert.equal(Date.parse(json.timestamps.restored!) - Date.parse(json.timestamps.inverted!), 20_000);
            assertRestored();
        });

        for (const [signal, code] of [
            ["SIGINT", 130],
            ["SIGTERM", 143],
        ] as const) {
            it(`${signal}, then exit ${code}`, async () => {
                await start();
                world.onSleep = (now) =>
                    world.invertedAt() !== undefined && now === world.invertedAt()! + 5000 && world.signals.handler?.(signal);
                const r = await drill();
                assert.equal(r.code, code);
                assert.match(r.err, new RegExp(`^${signal}: restoring the health check, then exiting$`, "m"));
                assert.equal(report().outcome, "interrupted");
                assert.equal(Date.parse(report().timestamps.restored!) - Date.parse(report().timestamps.inverted!), 5000);
                assertRestored();
            });
        }

        it("and when the restore itself fails, prints the command to run by hand, exit 1", async () => {
            await start();
            world.fake.fail = (c) =>
                c.op === "UpdateHealthCheck" && c.inverted === false ? { status: 400, code: "InvalidInput", message: "no" } : undefined;
            const r = await drill();
            assert.equal(r.code, 1);
            assert.ok(r.err.split("\n").includes(`  ${RESTORE_BY_HAND}`), r.err);
            assert.equal(world.fake.updates().filter((c) => c.inverted === false).length, 3, "tries three times");
            assert.equal(world.fake.checks.get(PRIMARY.check)!.inverted, true);
            assert.equal(report().outcome, "restore-failed");
        });
    });

    it("--dry-run prints the steps with the ids and names it would use, and asks Route 53 and DNS nothing", async () => {
        await start();
        const r = await world.run(["--stack", "prod-us", "--dry-run"]);
        assert.equal(r.code, 0);
        for (const expected of [
            PRIMARY.check,
            STANDBY.check,
            PRIMARY.lb,
            STANDBY.lb,
            RESTORE_BY_HAND,
            "the public hosted zone example.com",
        ]) {
            assert.ok(r.out.includes(expected), expected);
        }
        assert.match(
            r.out,
            /^3\. measure replication: add 1 to item drill:\S+ of table multiregion-prod-data in us-east-2 \(UpdateItem ADD\), then read it in eu-west-1 every 0\.1 s/m,
        );
        assert.match(r.out, /^4\. invert hc-prod-us: aws route53 update-health-check --health-check-id hc-prod-us --inverted$/m);
        assert.deepEqual(world.fake.calls, []);
        assert.deepEqual(world.dns.asked, []);
        assert.deepEqual([await replicas.items(replicas.primary), await replicas.items(replicas.standby)], [[], []], "writes nothing");
    });

    const badInput: [string[], RegExp][] = [
        [["--stack", "prod-xx"], /^error: unknown stack "prod-xx"; stacks: ci-eu, ci-us, prod-eu, prod-us, stage-eu, stage-us$/],
        [["--stack", "prod-us", "--timeout", "soon"], /^error: --timeout takes whole seconds above 0, got soon$/],
        [["--stack", "prod-us", "--wait"], /^error: unknown option --wait\nusage: npm run drill/],
    ];
    for (const [argv, expected] of badInput) {
        it(`${argv.join(" ")}: says what is wrong, exit 2`, async () => {
            await start();
            const r = await world.run(argv);
            assert.equal(r.code, 2);
            assert.match(r.err, expected);
            assert.deepEqual(world.fake.calls, []);
        });
    }
});
