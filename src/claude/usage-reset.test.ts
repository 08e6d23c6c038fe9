import { describe, expect, it } from "vitest";
import { usageResetFromText } from "./usage-reset.js";

const now = Date.UTC(2026, 10, 21, 8, 0); // 08:00 UTC

describe("usageResetFromText", () => {
  it("reads the clock form in UTC, later today or tomorrow", () => {
    const text = "You've hit your 5-hour limit · resets 9:58am (UTC)";
    expect(usageResetFromText(text, now)).toBe(Date.UTC(2026, 10, 21, 9, 58) / 1000);
    expect(usageResetFromText("resets 7am (UTC)", now)).toBe(Date.UTC(2026, 10, 22, 7, 0) / 1000);
    expect(usageResetFromText("resets 3pm", now)).toBe(Date.UTC(2026, 10, 21, 15, 0) / 1000);
    expect(usageResetFromText("resets 12am (UTC)", now)).toBe(Date.UTC(2026, 10, 22, 0, 0) / 1000);
  });

  it("reads a named time zone", () => {
    // Europe/Berlin is UTC+1 in November: 10am there is 09:00 UTC.
    expect(usageResetFromText("resets 10am (Europe/Berlin)", now)).toBe(
      Date.UTC(2026, 10, 21, 9, 0) / 1000,
    );
  });

  it("reads the older epoch form and gives up on anything else", () => {
    expect(usageResetFromText("Claude AI usage limit reached|1750000000", now)).toBe(1750000000);
    expect(usageResetFromText("resets 10am (Nowhere/Land)", now)).toBeNull();
    expect(usageResetFromText("Invalid API key", now)).toBeNull();
  });
});
