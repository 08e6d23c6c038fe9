import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ExecutionTimers, type TimerSettings } from "./execution-timers.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
});
afterEach(() => {
  vi.useRealTimers();
});

function timers(settings: Partial<TimerSettings>) {
  const fired: string[] = [];
  const silences: number[] = [];
  const clock = new ExecutionTimers(
    { timeoutMs: null, idleTimeoutMs: null, statusIntervalMs: 1_000_000, ...settings },
    { onTimeout: (kind) => fired.push(kind), onSilence: (ms) => silences.push(ms) },
  );
  clock.start();
  return { clock, fired, silences };
}

describe("ExecutionTimers", () => {
  it("fires the wall timeout after timeoutMs, output or not", () => {
    const { clock, fired } = timers({ timeoutMs: 1000 });
    vi.advanceTimersByTime(600);
    clock.sawOutput();
    vi.advanceTimersByTime(399);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["wall"]);
  });

  it("fires the idle timeout only after idleTimeoutMs without output", () => {
    const { clock, fired } = timers({ idleTimeoutMs: 500 });
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(400);
      clock.sawOutput();
    }
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["idle"]);
  });

  it("does not count paused time toward the wall timeout", () => {
    const { clock, fired } = timers({ timeoutMs: 1000 });
    vi.advanceTimersByTime(500);
    clock.pause();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    clock.resume();
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["wall"]);
  });

  it("does not count paused time toward the idle timeout", () => {
    const { clock, fired } = timers({ idleTimeoutMs: 1000 });
    vi.advanceTimersByTime(800);
    clock.pause();
    vi.advanceTimersByTime(10_000);
    clock.resume();
    vi.advanceTimersByTime(199);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["idle"]);
  });

  it("counts idle time from the resume when output arrived while paused", () => {
    // Output already in the pipe is still read after SIGSTOP; silence restarts at the resume.
    const { clock, fired } = timers({ idleTimeoutMs: 500 });
    clock.pause();
    vi.advanceTimersByTime(100);
    clock.sawOutput();
    vi.advanceTimersByTime(900);
    clock.resume();
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["idle"]);
  });

  it("reports silence every statusIntervalMs of silence, never while output flows", () => {
    const { clock, silences } = timers({ statusIntervalMs: 1000 });
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(300);
      clock.sawOutput();
    }
    expect(silences).toEqual([]);
    vi.advanceTimersByTime(3000);
    expect(silences).toEqual([1000, 2000, 3000]);
    clock.sawOutput();
    vi.advanceTimersByTime(999);
    expect(silences).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(silences).toEqual([1000, 2000, 3000, 1000]);
  });

  it("reports no silence while paused", () => {
    const { clock, silences } = timers({ statusIntervalMs: 1000 });
    clock.pause();
    vi.advanceTimersByTime(5000);
    expect(silences).toEqual([]);
    clock.resume();
    vi.advanceTimersByTime(1000);
    expect(silences).toEqual([1000]);
  });

  it("fires nothing after stop()", () => {
    const { clock, fired, silences } = timers({
      timeoutMs: 100,
      idleTimeoutMs: 100,
      statusIntervalMs: 100,
    });
    clock.stop();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([]);
    expect(silences).toEqual([]);
  });
});
