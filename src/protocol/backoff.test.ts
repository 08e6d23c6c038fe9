import { describe, expect, it } from "vitest";
import { backoffMs } from "./backoff.js";

describe("backoffMs", () => {
  it("doubles from the base with each attempt, up to the cap", () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempt) =>
      backoffMs({ attempt, baseMs: 100, maxMs: 1000 }),
    );
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("adds up to `jitter` of the capped delay on top", () => {
    const options = { attempt: 9, baseMs: 1000, maxMs: 5000, jitter: 0.25 };
    expect(backoffMs({ ...options, random: () => 0 })).toBe(5000);
    expect(backoffMs({ ...options, random: () => 0.5 })).toBe(5625);
    expect(backoffMs({ ...options, random: () => 1 })).toBe(6250);
    for (let i = 0; i < 100; i++) {
      const delay = backoffMs({ ...options, attempt: 1 });
      expect(delay).toBeGreaterThanOrEqual(1000);
      expect(delay).toBeLessThanOrEqual(1250);
    }
  });

  it("has no jitter unless asked", () => {
    expect(backoffMs({ attempt: 2, baseMs: 150, maxMs: 10_000, random: () => 0.99 })).toBe(300);
  });

  it("stays finite for huge attempts and a zero base; rounds to whole ms", () => {
    expect(backoffMs({ attempt: 10_000, baseMs: 10, maxMs: 300_000 })).toBe(300_000);
    expect(backoffMs({ attempt: 10_000, baseMs: 0, maxMs: 300_000, jitter: 0.25 })).toBe(0);
    expect(backoffMs({ attempt: 0, baseMs: 100, maxMs: 1000 })).toBe(100);
    expect(backoffMs({ attempt: 1, baseMs: 0.4, maxMs: 1000 })).toBe(0);
  });
});
