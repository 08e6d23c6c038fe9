/**
 * `stress --mock`: the mock Anthropic API in this process, with the stand-in model, and the env
 * that points every Claude run at it from an isolated HOME (no login, no network but the mock).
 */
import { type OfflineModel, startOfflineModel } from "../testing/offline-model.js";
import { installStressModel } from "./mock-model.js";

export type StressMock = OfflineModel;

export function startStressMock(): Promise<StressMock> {
  return startOfflineModel(installStressModel, "cc-executor-stress-home-");
}
