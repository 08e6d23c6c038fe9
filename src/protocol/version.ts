/** Protocol and package version, sent in `connected`. Kept in step with package.json by a test. */
export const VERSION = "0.1.0";

export const CAPABILITIES = ["execute", "control", "stream", "subscribe", "replay"] as const;
