import { describe, expect, it } from "vitest";
import { href, parseRoute } from "./router.js";

describe("dashboard routes", () => {
  it("round-trips an execution id through the hash", () => {
    const id = "a/b c%";
    expect(parseRoute(href({ view: "execution", id }))).toEqual({ view: "execution", id });
  });

  it("a malformed escape in the hash shows the list instead of failing", () => {
    expect(parseRoute("#/exec/%E0")).toEqual({ view: "executions", page: 0 });
  });
});
