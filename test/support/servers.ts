/**
 * Real HTTP servers on ephemeral loopback ports: the two apps in-process, fakes that
 * misbehave on purpose, and the apps' entry points as child processes.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { createBackend } from "../../services/backend/app.mjs";
import { createFrontend } from "../../services/frontend/app.mjs";
import { createBackendClient } from "../../services/frontend/backendClient.mjs";
import { type Limits, QUIET_PATHS, serve } from "../../services/shared/http.mjs";
import { createLogger, type Level } from "../../services/shared/log.mjs";
import { backendSettings, serveOptions } from "../../services/shared/environment.mjs";
import { ROOT } from "../../tools/stacks";

export interface RecordingLogger extends ReturnType<typeof createLogger> {
    readonly lines: Record<string, unknown>[];
}

/** A logger that keeps its JSON lines for assertions instead of printing them. */
export function recordingLogger(service: string, level: Level = "debug"): RecordingLogger {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(service, { level, write: (line: string) => lines.push(JSON.parse(line)) });
    return Object.assign(logger, { lines });
}

/** The limits the apps run with when no environment variable overrides them. */
export const DEFAULT_LIMITS: Limits = serveOptions(backendSettings({})).limits;

export interface Running {
    readonly url: string;
    readonly port: number;
    /** The redirect and probe listeners' URLs, when it has them. */
    readonly redirectUrl: string | undefined;
    readonly probeUrl: string | undefined;
    readonly logger: RecordingLogger;
    /** Exit codes the server asked for. */
    readonly exits: number[];
    shutdown(): Promise<void>;
    close(): Promise<void>;
}

/** How a test wants serve() configured, beyond the production defaults. */
export interface ServeOverrides {
    drainMs?: number;
    limits?: Partial<Limits>;
    publicHost?: string;
    /** 0 for a free port, as for probePort. */
    redirectPort?: number;
    probePort?: number;
    logLevel?: Level;
}

async function start(
    name: string,
    createHandler: Parameters<typeof serve>[0]["createHandler"],
    logger: RecordingLogger,
    opts: ServeOverrides & { quietPaths?: string[] },
    cleanup: () => void = () => {},
): Promise<Running> {
    const exits: number[] = [];
    const s = await serve({
        name,
        logger,
        port: 0,
        host: "127.0.0.1",
        limits: { ...DEFAULT_LIMITS, ...opts.limits },
        publicHost: opts.publicHost,
        redirectPort: opts.redirectPort,
        probePort: opts.probePort,
        quietPaths: opts.quietPaths,
        drainMs: opts.drainMs ?? 0,
        shutdownTimeoutMs: 2000,
        createHandler,
        exit: (code: number) => exits.push(code),
    });
    return {
        url: `http://127.0.0.1:${s.port}`,
        port: s.port,
        redirectUrl: s.redirectPort === undefined ? undefined : `http://127.0.0.1:${s.redirectPort}`,
        probeUrl: s.probePort === undefined ? undefined : `http://127.0.0.1:${s.probePort}`,
        logger,
        exits,
        shutdown: () => s.shutdown("test"),
        close: async () => {
            cleanup();
            await s.close();
        },
    };
}

export function startBackend(opts: { region?: string } & ServeOverrides = {}): Promise<Running> {
    const logger = recordingLogger("backend", opts.logLevel);
    return start("backend", createBackend({ region: opts.region ?? "test-region-1" }), logger, opts);
}

export function startFrontend(
    backendUrl: string,
    opts: { region?: string; timeoutMs?: number; healthTimeoutMs?: number } & ServeOverrides = {},
): Promise<Running> {
    const logger = recordingLogger("frontend", opts.logLevel);
    const backend = createBackendClient({ url: backendUrl });
    const handler = createFrontend({
        region: opts.region ?? "test-region-1",
        backend,
        timeoutMs: opts.timeoutMs ?? 1000,
        healthTimeoutMs: opts.healthTimeoutMs ?? 500,
        logger,
    });
    return start("frontend", handler, logger, { ...opts, quietPaths: QUIET_PATHS }, () => backend.close());
}

export interface Fake {
    readonly url: string;
    readonly server: http.Server;
    /** TCP connections the fake accepted. */
    connections(): number;
    close(): Promise<void>;
}

/** A backend that answers however the test says. */
export async function fakeBackend(handler: http.RequestListener, options: { keepAliveTimeoutMs?: number } = {}): Promise<Fake> {
    const server = http.createServer({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 5000 }, handler);
    let connections = 0;
    server.on("connection", () => connections++);
    await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
    const { port } = server.address() as net.AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        server,
        connections: () => connections,
        close: async () => {
            server.closeAllConnections();
            await new Promise((resolve) => server.close(() => resolve(undefined)));
        },
    };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
    const fake = await fakeBackend(() => {});
    const port = Number(new URL(fake.url).port);
    await fake.close();
    return port;
}

export interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
    readonly ms: number;
}

/** One request on a fresh connection, with timing. */
export function request(url: string, method = "GET", headers: http.OutgoingHttpHeaders = {}): Promise<Response> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, agent: false }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: performance.now() - started }));
        });
        req.on("error", reject);
        req.end();
    });
}

export interface Child {
    readonly process: ChildProcess;
    readonly port: number;
    readonly url: string;
    /** The redirect listener's URL, when it has one. */
    readonly redirectUrl: string | undefined;
    /** Every JSON log line so far. */
    readonly logs: Record<string, unknown>[];
    /** Everything written to stderr so far. */
    stderr(): string;
    /** Resolves with the exit code. */
    readonly exited: Promise<number | null>;
}

/**
 * Runs an app's entry point as a real process and waits for its "listening" log line; rejects
 * with the exit code and the whole of stderr if it exits first.
 */
export function spawnService(script: "backend" | "frontend", env: Record<string, string>): Promise<Child> {
    const child = spawn(process.execPath, [path.join(ROOT, "services", script, "server.mjs")], {
        env: { ...process.env, PORT: "0", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const logs: Record<string, unknown>[] = [];
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return new Promise((resolve, reject) => {
        let buffer = "";
        child.stdout.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8");
            let newline: number;
            while ((newline = buffer.indexOf("\n")) >= 0) {
                const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
                buffer = buffer.slice(newline + 1);
                logs.push(line);
                if (line.msg === "listening") {
                    const port = Number(line.port);
                    const redirectUrl = line.redirectPort === undefined ? undefined : `http://127.0.0.1:${Number(line.redirectPort)}`;
                    resolve({ process: child, port, url: `http://127.0.0.1:${port}`, redirectUrl, logs, stderr: () => stderr, exited });
                }
            }
        });
        // Wait for stderr to end too, so the message is whole.
        void Promise.all([exited, new Promise((r) => child.stderr.on("end", r))]).then(([code]) =>
            reject(Object.assign(new Error(`${script} exited with ${code} before listening: ${stderr.trim()}`), { code, stderr })),
        );
    });
}

/** Runs an entry point that must refuse to start; resolves with its exit code and stderr. */
export async function spawnRefusal(script: "backend" | "frontend", env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    try {
        const child = await spawnService(script, env);
        child.process.kill("SIGKILL");
    } catch (err) {
        const { code, stderr } = err as { code: number; stderr: string };
        return { code, stderr };
    }
    throw new Error(`${script} started with ${JSON.stringify(env)}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw TCP client that records everything it receives and when the server closed it. */
export interface Raw {
    readonly socket: net.Socket;
    received(): string;
    /** Resolves with the ms from connect to the server's close (FIN or RST). */
    readonly closed: Promise<number>;
}

/** Raw TCP clients for one test file; `cleanup()`, in afterEach, destroys them and stops their drips. */
export function rawClients() {
    const sockets: net.Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    return {
        connect: (url: string): Promise<Raw> =>
            new Promise((resolve, reject) => {
                const socket = net.connect(Number(new URL(url).port), "127.0.0.1");
                sockets.push(socket);
                let data = "";
                const opened = performance.now();
                const closed = new Promise<number>((done) => {
                    for (const event of ["end", "close"]) socket.on(event, () => done(performance.now() - opened));
                });
                socket.setEncoding("latin1");
                socket.on("data", (chunk: string) => (data += chunk));
                socket.on("error", () => {});
                socket.once("connect", () => resolve({ socket, received: () => data, closed }));
                socket.once("error", reject);
            }),
        /** Writes `chunk` every `everyMs` until the socket closes. */
        drip: (socket: net.Socket, chunk: string, everyMs: number): { sent(): number } => {
            let sent = 0;
            const timer = setInterval(() => {
                if (socket.destroyed || !socket.writable) return clearInterval(timer);
                socket.write(chunk);
                sent++;
            }, everyMs);
            timers.push(timer);
            return { sent: () => sent };
        },
        cleanup: () => {
            for (const t of timers.splice(0)) clearInterval(t);
            for (const s of sockets.splice(0)) s.destroy();
        },
    };
}

/** Raw clients and the servers a describe block starts, all closed after each of its tests. */
export function serverHarness() {
    const servers: { close(): Promise<void> }[] = [];
    const clients = rawClients();
    afterEach(async () => {
        clients.cleanup();
        await Promise.all(servers.splice(0).map((s) => s.close()));
    });
    return {
        ...clients,
        /** Closes `server` after the test. */
        track: async <T extends { close(): Promise<void> }>(server: Promise<T>): Promise<T> => {
            const s = await server;
            servers.push(s);
            return s;
        },
    };
}
