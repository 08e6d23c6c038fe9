/**
 * Host and Origin allow-lists (DESIGN §11). Exact matches only: a rebinding name such as
 * `127.0.0.1.nip.io:8003` or `2130706433:8003` is not `127.0.0.1:8003`, so it is refused even
 * though it resolves to loopback.
 */

export interface AllowListSettings {
  port: number;
  bindHost: string;
  allowedHosts: string[];
  allowedOrigins: string[];
}

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];
const WILDCARD_BINDS = new Set(["0.0.0.0", "::", "[::]"]);

export function isLoopbackHost(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || host === "[::1]";
}

function withPort(name: string, port: number): string {
  const lower = name.toLowerCase();
  if (/^\[.*\]:\d+$/.test(lower) || /^[^:[\]]+:\d+$/.test(lower)) return lower;
  return `${lower}:${port}`;
}

function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * The host a client on this machine puts in a URL for a server bound to `bindHost`. A wildcard
 * bind's own address is no such host: `0.0.0.0:P` is not an allowed Host (browsers reach
 * loopback through it), so its URLs name 127.0.0.1.
 */
export function urlHost(bindHost: string): string {
  return isWildcardBind(bindHost) ? "127.0.0.1" : bracketed(bindHost);
}

/** 0.0.0.0 or ::, every interface. */
export function isWildcardBind(bindHost: string): boolean {
  return WILDCARD_BINDS.has(bindHost);
}

export class AllowLists {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(settings: AllowListSettings) {
    const names = [...LOOPBACK_NAMES];
    if (!isWildcardBind(settings.bindHost)) names.push(bracketed(settings.bindHost));
    this.hosts = new Set(
      [...names, ...settings.allowedHosts].map((name) => withPort(name, settings.port)),
    );
    this.origins = new Set([
      ...[...this.hosts].flatMap((host) => [`http://${host}`, `https://${host}`]),
      ...settings.allowedOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, "")),
    ]);
  }

  hostAllowed(host: string | undefined): boolean {
    return host !== undefined && this.hosts.has(host.toLowerCase());
  }

  /** A missing Origin is a non-browser client: allowed here, it still needs the token. */
  originAllowed(origin: string | undefined): boolean {
    return origin === undefined || this.origins.has(origin.toLowerCase());
  }
}
