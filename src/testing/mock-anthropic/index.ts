/**
 * The mock Anthropic Messages API: start it, script replies, read what the CLI sent. Used by the
 * tests (re-exported from test/fixtures/mock-anthropic), `cc-executor stress --mock` and bench/.
 */
export { abortableDelay } from "./abortable-delay.js";
export {
  apiError,
  authenticationError,
  errorReply,
  invalidRequestError,
  overloadedError,
  permissionError,
  rateLimitError,
  usageLimitError,
} from "./errors.js";
export {
  firstUserText,
  lastUserText,
  systemText,
  type ToolResult,
  toolNames,
  toolResults,
} from "./request-content.js";
export {
  bashReply,
  maxTokensReply,
  messageReply,
  numberedWords,
  readFileReply,
  textReply,
  toolUseReply,
  writeFileReply,
} from "./responses.js";
export type { RuleOptions } from "./script.js";
export { type MockAnthropic, type MockAnthropicOptions, startMockAnthropic } from "./server.js";
export type * from "./types.js";
