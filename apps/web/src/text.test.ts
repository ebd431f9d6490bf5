import { describe, expect, it } from "vitest";

import { textProblem } from "./text";

describe("textProblem mirrors the API's text rules", () => {
  it.each([
    ["\u3164", "visible"],
    ["\u0301\u0301", "visible"],
    ["priv\ue000ate", "unassigned"],
    ["zero\u200bwidth", "invisible formatting"],
  ])("refuses %j naming the rule", (name, words) => {
    expect(textProblem("Name", name, 100)).toContain(words);
  });

  it("accepts an ordinary name", () => {
    expect(textProblem("Name", "Café Ops", 100)).toBeNull();
  });
});
