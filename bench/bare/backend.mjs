// The floor the services are measured against: the backend's answer from node:http alone, with
// no logs, probes, limits or shutdown handling. Only `npm run bench` runs it.
import http from "node:http";

const body = JSON.stringify({ text: "backend microservice" });
http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
}).listen(Number(process.env.PORT ?? 8080), "127.0.0.1");
