/** Settings that cannot be used as given: the message names the source and what to do. */
export class SettingsError extends Error {
  override name = "SettingsError";
}
