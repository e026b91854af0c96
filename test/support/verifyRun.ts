/** One verify run against the fake AWS: the prod fleet's stack files, outputs a test can edit, and what a user would see. */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeFailure } from "../../tools/cli";
import { main } from "../../tools/verify/main";
import type { Claim, ClaimStatus } from "../../tools/verify/claim";
import type { StackBackend } from "../../tools/pulumiStacks";
import { accessDenied, FakeAws } from "./fakeAws";
import { healthyWorld, live, NOW, outputsOf, STACKS } from "./fakeAwsWorld";
import { FakeKube, healthyCluster, stackExpectations, startFakeKube } from "./fakeKubeApi";
import { testIo } from "./fixtures";

// The project runs on Node 22.12+ (package.json engines); on an older Node the SDK warns once per process.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export interface Run {
    readonly code: number;
    readonly out: string;
    readonly err: string;
    /** What --out wrote. */
    readonly json: any;
    /** The claims by id, from the JSON (the first stack's, for --fleet). */
    readonly claims: Record<string, Claim>;
}

export interface VerifyWorld {
    readonly fake: FakeAws;
    /** Each stack's outputs; delete one to see it missing. */
    readonly outputs: Record<string, Record<string, unknown>>;
    /** Makes reading a stack's outputs fail, as the Pulumi CLI would for a stack that does not exist. */
    outputsFail?: string;
    /** prod-us's and prod-eu's pieces of the live world. */
    readonly us: ReturnType<typeof live>;
    readonly eu: ReturnType<typeof live>;
    /** Each stack's fake cluster; edit its objects to break one claim. */
    readonly kube: Record<string, FakeKube>;
    run(argv: string[], root?: string): Promise<Run>;
    close(): Promise<void>;
}

/** A backend that only reads outputs: anything else fails the test. */
function outputsOnly(w: () => VerifyWorld): StackBackend {
    const unused = () => Promise.reject(new Error("verify only reads outputs"));
    return {
        exists: unused,
        up: unused,
        preview: unused,
        tag: unused,
        setTag: unused,
        outputs: async (s) => {
            if (w().outputsFail) throw new Error(w().outputsFail);
            return w().outputs[s] ?? {};
        },
    };
}

/** Each stack's cluster, healthy as a good `up` leaves it, behind a fake API server on loopback. */
async function clusters(): Promise<Record<string, FakeKube>> {
    const entries = await Promise.all(
        Object.keys(STACKS).map(async (stack) => {
            const { expected, zones } = await stackExpectations(stack);
            return [stack, await startFakeKube(healthyCluster(expected, zones))] as const;
        }),
    );
    return Object.fromEntries(entries);
}

export async function startVerify(): Promise<VerifyWorld> {
    const world = healthyWorld();
    const fake = await FakeAws.start(world);
    const kube = await clusters();
    const outputs = Object.fromEntries(
        Object.keys(STACKS).map((s) => [s, { ...outputsOf(s as keyof typeof STACKS), kubeconfig: kube[s]!.kubeconfig }]),
    );
    const v: VerifyWorld = {
        fake,
        outputs,
        us: live(world, "prod-us"),
        eu: live(world, "prod-eu"),
        run: async (argv, root) => {
            const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "verify-")), "verify.json");
            const io = testIo({ env: fake.env(), stacks: outputsOnly(() => v), now: () => NOW, ...(root ? { root } : {}) });
            let code: number;
            try {
                code = (await main([...argv, "--out", file], io)) ?? 0;
            } catch (err) {
                const failure = describeFailure(err, false);
                // As runMain shows it: --help on stdout, errors on stderr.
                (failure.code === 0 ? io.out : io.err)(failure.lines.join("\n"));
                code = failure.code;
            }
            const json = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
            const first = (json?.stacks?.[0] ?? json) as { claims?: Claim[] } | undefined;
            const claims = Object.fromEntries((first?.claims ?? []).map((c) => [c.id, c]));
            return { code, out: io.text(), err: io.errors.join("\n"), json, claims };
        },
        kube,
        close: async () => {
            await fake.close();
            for (const k of Object.values(kube)) await k.close();
            const writes = Object.values(kube).flatMap((k) => k.writes);
            assert.deepEqual(writes, [], "verify wrote to a cluster");
        },
    };
    return v;
}

/** Each claim's expected status in a case; every claim not named must PASS. */
export type Statuses = Record<string, ClaimStatus>;

export interface ClaimCase {
    readonly name: string;
    /** Breaks the live world, the outputs or the fake's answers. */
    readonly setup: (v: VerifyWorld) => void;
    readonly expect: Statuses;
    /** What every claim named that is not PASS says why. */
    readonly why?: RegExp;
}

/** The same status for several claims. */
export function each(ids: readonly string[], status: ClaimStatus): Statuses {
    return Object.fromEntries(ids.map((id) => [id, status]));
}

/** The fake refuses `op` as AWS refuses a role without the permission. */
export const deny = (op: string) => (v: VerifyWorld) => (v.fake.fail = (c) => (c.op === op ? accessDenied(c.service) : undefined));

/** A fresh world for each test of the enclosing block, closed after it, which fails if anything was written. */
export function freshWorld(): () => VerifyWorld {
    let v: VerifyWorld;
    beforeEach(async () => (v = await startVerify()));
    afterEach(async () => {
        assert.deepEqual(v.fake.writes(), []);
        await v.close();
    });
    return () => v;
}

/** Runs verify on prod-us for each case: the named claims have their status, every other claim PASSes, nothing was written. */
export function claimCases(title: string, cases: readonly ClaimCase[]): void {
    describe(title, () => {
        const world = freshWorld();
        for (const c of cases) {
            it(c.name, async () => {
                const v = world();
                c.setup(v);
                const r = await v.run(["--stack", "prod-us"]);
                const statuses = Object.fromEntries(Object.values(r.claims).map((claim) => [claim.id, claim.status]));
                assert.deepEqual(statuses, { ...each(Object.keys(statuses), "PASS"), ...c.expect }, r.out);
                for (const [id, status] of Object.entries(c.expect))
                    if (status !== "PASS" && c.why) assert.match(r.claims[id]!.why, c.why, `${id}: ${r.claims[id]!.why}`);
            });
        }
    });
}
