/**
 * A trace collector for the bench's tracing phase, in its own process: accepts OTLP/HTTP
 * exports (`POST /v1/traces`, protobuf or JSON), counts them and throws them away — the
 * phase measures what tracing costs the gateway, not what storing spans costs a collector.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { serveParent } from "./ipc";

let exportCount = 0;
let bytes = 0;
const server = http.createServer((req, res) => {
  req.on("data", (c: Buffer) => (bytes += c.length));
  req.on("end", () => {
    if (req.method === "POST" && req.url?.startsWith("/v1/traces")) exportCount++;
    res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf" }).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  serveParent({ url }, { stats: () => ({ exports: exportCount, bytes }) }, () => new Promise<void>((r) => server.close(() => r())));
});
