/**
 * The longest duration anything in cc-executor waits for (DESIGN §11). Node's timers hold at most
 * 2^31−1 ms (~24.8 days); a longer delay fires at once (with a TimeoutOverflowWarning), so a
 * longer `timeout` would end a run as `timed_out` immediately. Durations past it are refused
 * where they come in (params, task lists, settings), and the timers clamp on top of that.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;
/** The longest duration in whole seconds, as the protocol gives durations: 2147483 (24.8 days). */
export const MAX_DURATION_SECONDS = Math.floor(MAX_DURATION_MS / 1000);

/** The refusal of a longer duration in seconds, after the field's name ("timeout: …"). */
export const TOO_LONG_SECONDS_MESSAGE = `must be at most ${MAX_DURATION_SECONDS} seconds (about 24.8 days): longer timers are not supported`;
/** The refusal of a longer duration setting in milliseconds. */
export const TOO_LONG_MS_MESSAGE = `must be at most ${MAX_DURATION_MS} ms (${MAX_DURATION_SECONDS} seconds, about 24.8 days): longer timers are not supported`;
