/** Errors of the history store, importable without loading a store's driver. */
export class StoreUnavailableError extends Error {
  override name = "StoreUnavailableError";
}
