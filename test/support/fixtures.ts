/** Fixtures the test files share: stack-file copies, a recording Io, and the mocks' id and name shapes. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CommandRunner, Io } from "../../tools/cli";
import { HealthProbe, StackBackend } from "../../tools/pulumiStacks";
import { listStacks, ROOT } from "../../tools/stacks";
import type { Collector, ResourceRecord } from "../../tools/offline/mocks";
import type { StackConfig } from "../../config";

/** A temp copy of Pulumi.yaml and the stack files, to edit or drift on purpose. */
export function copyStackFiles(stacks = listStacks()): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
    for (const file of ["Pulumi.yaml", ...stacks.map((s) => `Pulumi.${s}.yaml`)])
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    return dir;
}

/** Rewrites one stack file in a copy with `edit`. */
export function editStackFile(dir: string, stack: string, edit: (text: string) => string): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, edit(fs.readFileSync(file, "utf8")));
}

/** Cloud resources the program registered: not providers, not components. */
export function createdResources(collector: Collector): ResourceRecord[] {
    return collector.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
}

/** The id the mocks give a resource named `name`. */
export function mockId(name: string): string {
    return `${name}_id`;
}

/** The physical name the mocks give an auto-named resource (IAM roles, EKS clusters). */
export function mockName(name: string): string {
    return `${name}-0123456`;
}

const unused = (what: string) => () => {
    throw new Error(`this test did not expect the tool to use ${what}`);
};

export interface TestIo extends Io {
    readonly lines: string[];
    readonly errors: string[];
    /** Everything written to `out`, one line each. */
    text(): string;
}

/** An Io that records output and fails loudly on anything the test did not provide. */
export function testIo(overrides: Partial<Io> = {}): TestIo {
    const lines: string[] = [];
    const errors: string[] = [];
    let clock = Date.UTC(2026, 0, 1);
    const commands: CommandRunner = { run: unused("external commands") };
    const pulumi = unused("Pulumi stacks");
    const stacks: StackBackend = { exists: pulumi, up: pulumi, preview: pulumi, outputs: pulumi, tag: pulumi, setTag: pulumi };
    const probe: HealthProbe = { healthy: unused("health probes") };
    return {
        root: ROOT,
        out: (line) => lines.push(line),
        err: (line) => errors.push(line),
        env: {},
        commands,
        stacks,
        probe,
        // A clock that only sleeping moves, so timings are exact and tests never wait.
        sleep: async (ms) => void (clock += ms),
        now: () => clock,
        ...overrides,
        lines,
        errors,
        text: () => lines.join("\n"),
    };
}

/** The image a stack file pins for a tier, as `repository:tag` or `repository@sha256:...`. */
export function imageOf(run: { readonly settings: StackConfig }, tier: "backend" | "frontend"): string {
    const image = run.settings.services[`${tier}Image`];
    return `${image.repository}${image.pin}`;
}
