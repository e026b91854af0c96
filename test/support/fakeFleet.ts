/**
 * Pulumi stacks and Route 53 as the switchover and the deploy guard see them: an update
 * deploys what the stack file says (a targeted one, the failover record alone), Route 53
 * rejects a change that would leave two PRIMARY or two SECONDARY records, as the real one
 * does, and stack outputs move only with a whole update. Every update takes time on a
 * clock shared with the tool's `sleep`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HealthProbe, RegionEndpoint, StackBackend, UpdateOptions } from "../../tools/pulumiStacks";
import { loadStack } from "../../tools/stacks";
import { recordUrn } from "../../tools/switchover/steps";
import { copyStackFiles, testIo, TestIo } from "./fixtures";

export const STACKS = ["prod-eu", "prod-us"];

/** Seconds a whole update and a targeted one take in the fake. */
export const UP_SECONDS = { all: 240, dns: 40, preview: 10 };

export interface Deployed {
    readonly role: string;
    readonly record: "PRIMARY" | "SECONDARY" | "none";
    readonly replicas: number;
    readonly activeReplicas: number;
}

/** A copy of the project's Pulumi.yaml and stack files to edit. */
export function workdir(): string {
    return copyStackFiles(STACKS);
}

export function files(dir: string): Record<string, string> {
    return Object.fromEntries(STACKS.map((s) => [s, fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8")]));
}

/** Puts the stack files back as they were: a fresh checkout of main. */
export function restoreFiles(dir: string, saved: Record<string, string>): void {
    for (const [stack, text] of Object.entries(saved)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
}

export class Clock {
    t = Date.UTC(2026, 10, 26, 12);
}

function fromFile(dir: string, stack: string): Deployed {
    const c = loadStack(stack, dir);
    return {
        role: c.role,
        record: c.failover.publishRecord ? c.failover.failoverType : "none",
        replicas: c.services.minReplicas,
        activeReplicas: c.services.activeReplicas,
    };
}

export class FakeFleet implements StackBackend {
    /** Every update, as `stack` or `stack:dns` for one targeted at the failover record. */
    readonly ups: string[] = [];
    readonly deployed: Record<string, Deployed> = {};
    readonly published: Record<string, Deployed> = {};
    readonly tags: Record<string, Record<string, string>> = {};
    /** When each stack's record became PRIMARY, and when each stack's floor last dropped. */
    readonly promotedAt: Record<string, number> = {};
    readonly scaledDownAt: Record<string, number> = {};
    /** Capacity of the region DNS pointed at, after every update. */
    readonly serving: { stack: string; replicas: number; activeReplicas: number }[] = [];
    failOnUp?: number;
    drift = 0;

    constructor(
        private readonly dir: string,
        readonly clock: Clock,
        private readonly existing = STACKS,
    ) {
        for (const stack of STACKS) this.deployed[stack] = this.published[stack] = fromFile(dir, stack);
    }

    async exists(stack: string) {
        return this.existing.includes(stack);
    }

    async outputs(stack: string): Promise<Record<string, unknown>> {
        const d = this.published[stack]!;
        return {
            role: d.role,
            failover: { recordPublished: d.record !== "none" },
            capacity: { minReplicas: d.replicas },
            loadBalancerHostname: `${stack}.elb.example`,
        };
    }

    async preview(stack: string, opts: UpdateOptions = {}) {
        this.checkTarget(stack, opts);
        this.clock.t += UP_SECONDS.preview * 1000;
        return this.drift;
    }

    async tag(stack: string, key: string) {
        return this.tags[stack]?.[key];
    }

    async setTag(stack: string, key: string, value: string | undefined) {
        const tags = (this.tags[stack] ??= {});
        if (value === undefined) delete tags[key];
        else tags[key] = value;
    }

    private checkTarget(stack: string, opts: UpdateOptions) {
        if (opts.target && opts.target.join() !== recordUrn("multiregion", stack))
            throw new Error(`unexpected target ${opts.target.join()}`);
    }

    async up(stack: string, opts: UpdateOptions = {}) {
        this.checkTarget(stack, opts);
        this.ups.push(opts.target ? `${stack}:dns` : stack);
        if (this.failOnUp === this.ups.length) throw new Error("pulumi up failed: injected RequestLimitExceeded");
        this.clock.t += (opts.target ? UP_SECONDS.dns : UP_SECONDS.all) * 1000;
        const file = fromFile(this.dir, stack);
        const before = this.deployed[stack]!;
        const after = opts.target ? { ...before, record: file.record } : file;
        const next = { ...this.deployed, [stack]: after };
        for (const type of ["PRIMARY", "SECONDARY"]) {
            const holders = Object.keys(next).filter((s) => next[s]!.record === type);
            if (holders.length > 1) throw new Error(`Route 53 InvalidChangeBatch: two ${type} records (${holders.join(", ")})`);
        }
        if (after.record === "PRIMARY" && before.record !== "PRIMARY") this.promotedAt[stack] = this.clock.t;
        if (after.replicas < before.replicas) this.scaledDownAt[stack] = this.clock.t;
        this.deployed[stack] = after;
        if (!opts.target) this.published[stack] = after;
        const serving = STACKS.find((s) => next[s]!.record === "PRIMARY") ?? STACKS.find((s) => next[s]!.record === "SECONDARY")!;
        this.serving.push({ stack: serving, replicas: next[serving]!.replicas, activeReplicas: next[serving]!.activeReplicas });
    }
}

/** A health probe answering from a script (the last answer repeats), recording each call and when. */
export function probe(answers: boolean[] | boolean, clock?: Clock): HealthProbe & { calls: string[]; at: number[] } {
    const calls: string[] = [];
    const at: number[] = [];
    return {
        calls,
        at,
        async healthy({ url, connectTo }: RegionEndpoint) {
            calls.push(`${url} at ${connectTo}`);
            at.push(clock?.t ?? 0);
            return Array.isArray(answers) ? (answers[calls.length - 1] ?? answers.at(-1)!) : answers;
        },
    };
}

/** The tools' world around a fake fleet: its clock, a Pulumi CLI that only answers `pulumi version`. */
export function fleetIo(dir: string, fleet: FakeFleet, health: HealthProbe): TestIo {
    const commands = {
        run: async (argv: string[]) => (argv.join(" ") === "pulumi version" ? "v3.270.0" : Promise.reject(new Error(argv[0]))),
    };
    return testIo({
        root: dir,
        stacks: fleet,
        probe: health,
        commands,
        sleep: async (ms) => void (fleet.clock.t += ms),
        now: () => fleet.clock.t,
    });
}
