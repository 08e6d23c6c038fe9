export * from "./errors.js";
export * from "./hooks.js";
export * from "./jsonrpc.js";
export * from "./methods.js";
export * from "./notifications.js";
export * from "./results.js";
export * from "./tasks.js";
export * from "./version.js";
