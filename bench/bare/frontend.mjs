// The floor the services are measured against: the frontend's page from node:http alone, one
// request to the backend over a keep-alive pool per page, and nothing else (no logs, timeouts,
// escaping or probes). Only `npm run bench` runs it.
import http from "node:http";

const backend = new URL(process.env.BACKEND_URL ?? "http://127.0.0.1:8081");
const agent = new http.Agent({ keepAlive: true });

http.createServer((_req, res) => {
    http.get(backend, { agent }, (answer) => {
        let raw = "";
        answer.setEncoding("utf8");
        answer.on("data", (chunk) => (raw += chunk));
        answer.on("end", () => {
            /** @type {unknown} */
            const parsed = JSON.parse(raw);
            const { text } = /** @type {{ text: string }} */ (parsed);
            const page = `<!doctype html><html><head><title>Sample app</title></head><body><h1>Hello from ${text}</h1></body></html>`;
            res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-length": Buffer.byteLength(page) });
            res.end(page);
        });
    }).on("error", (err) => {
        res.writeHead(502);
        res.end(String(err));
    });
}).listen(Number(process.env.PORT ?? 8080), "127.0.0.1");
