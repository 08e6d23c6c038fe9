/** Is a cc-executor answering at this address? A quick `/healthz` (no token needed). */
import { request } from "node:http";

export function probeHealth(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host,
        port,
        path: "/healthz",
        timeout: timeoutMs,
        headers: { host: `${hostHeader(host)}:${port}` },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

/** GET a JSON route with the token. */
export function getJson(
  host: string,
  port: number,
  path: string,
  token: string | null,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `${hostHeader(host)}:${port}` };
    if (token) headers.authorization = `Bearer ${token}`;
    const req = request({ host, port, path, timeout: 5000, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString()));
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end();
  });
}

function hostHeader(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
