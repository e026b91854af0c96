/**
 * What `npm run bench` holds each app to in its per-pod mode: the pod's CPU limit, as a cgroup v1
 * `cpu` group with a CFS quota.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ChildProcess } from "node:child_process";

// The pods' CPU limit (500m, services/sampleApp.ts) as a CFS quota per period.
const POD_CPU = { quotaUs: 50_000, periodUs: 100_000 };
const CGROUP_CPU = "/sys/fs/cgroup/cpu";

export interface CpuGroup {
    add(child: ChildProcess): void;
    /** CFS periods in which the group was throttled so far. */
    throttled(): number;
    /** Removes the group; says so, never throws, when it cannot. */
    remove(): void;
}
export type Pod = { readonly frontend: CpuGroup; readonly backend: CpuGroup };

/** A cgroup v1 `cpu` group limited to the pod's CPU; throws when it cannot be made. */
function cpuGroup(name: string): CpuGroup {
    const dir = path.join(CGROUP_CPU, `bench-${process.pid}-${name}`);
    const file = (f: string) => path.join(dir, f);
    fs.mkdirSync(dir);
    const remove = () => {
        try {
            fs.rmdirSync(dir);
        } catch (err) {
            console.log(`could not remove the bench cgroup ${dir}: ${String(err)}`);
        }
    };
    try {
        fs.writeFileSync(file("cpu.cfs_period_us"), String(POD_CPU.periodUs));
        fs.writeFileSync(file("cpu.cfs_quota_us"), String(POD_CPU.quotaUs));
    } catch (err) {
        remove();
        throw err;
    }
    return {
        add: (child) => fs.writeFileSync(file("cgroup.procs"), String(child.pid)),
        throttled: () => Number(/nr_throttled (\d+)/.exec(fs.readFileSync(file("cpu.stat"), "utf8"))?.[1] ?? NaN),
        remove,
    };
}

/** The two pods' groups, or why they cannot be made. */
export function podGroups(): Pod | string {
    if (!fs.existsSync(path.join(CGROUP_CPU, "cpu.cfs_quota_us"))) return `no cgroup v1 cpu controller at ${CGROUP_CPU}`;
    let frontend: CpuGroup | undefined;
    try {
        frontend = cpuGroup("frontend");
        return { frontend, backend: cpuGroup("backend") };
    } catch (err) {
        frontend?.remove();
        return `cannot make a cpu cgroup under ${CGROUP_CPU} (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
    }
}
