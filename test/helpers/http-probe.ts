/**
 * Raw HTTP requests and WebSocket handshakes for security tests: the exact status, headers and
 * body the server answered, and whether a 101 (an upgrade) happened at all.
 */
import { type IncomingHttpHeaders, request } from "node:http";

export interface ProbeResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** True only when the server answered 101 Switching Protocols. */
  upgraded: boolean;
}

export interface ProbeOptions {
  method?: string;
  path?: string;
  /** The Host header; null sends none at all. Default: 127.0.0.1:<port>. */
  host?: string | null;
  headers?: Record<string, string>;
  /** Make it a WebSocket handshake (Upgrade, Sec-WebSocket-Key, version 13). */
  upgrade?: boolean;
  /** Offered subprotocols (Sec-WebSocket-Protocol). */
  protocols?: string[];
  /** Sent as Authorization: Bearer. */
  token?: string | null;
  /** The source address to connect from (any 127.x.y.z is this machine). */
  localAddress?: string;
}

export function probe(port: number, options: ProbeOptions = {}): Promise<ProbeResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.host !== null) headers.host = options.host ?? `127.0.0.1:${port}`;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.upgrade) {
    headers.connection = "Upgrade";
    headers.upgrade = "websocket";
    headers["sec-websocket-key"] = Buffer.from("cc-executor-test").toString("base64");
    headers["sec-websocket-version"] = "13";
  }
  if (options.protocols) headers["sec-websocket-protocol"] = options.protocols.join(", ");
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1",
      port,
      method: options.method ?? "GET",
      path: options.path ?? "/ws/mcp",
      headers,
      setHost: false,
      agent: false,
      localAddress: options.localAddress,
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "", upgraded: true });
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (part: string) => {
        body += part;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, upgraded: false }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
