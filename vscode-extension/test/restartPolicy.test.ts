import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CrashPolicy } from "../src/restartPolicy";

describe("CrashPolicy", () => {
  it("restarts until the fifth crash within the window", () => {
    const policy = new CrashPolicy(5, 1000);
    assert.deepEqual(
      [0, 10, 20, 30, 40].map((t) => policy.recordCrash(t)),
      [true, true, true, true, false],
    );
  });

  it("forgets crashes older than the window", () => {
    const policy = new CrashPolicy(2, 1000);
    assert.equal(policy.recordCrash(0), true);
    assert.equal(policy.recordCrash(5000), true);
    assert.equal(policy.recordCrash(5001), false);
  });

  it("starts afresh after reset", () => {
    const policy = new CrashPolicy(1, 1000);
    assert.equal(policy.recordCrash(0), false);
    policy.reset();
    assert.equal(policy.recordCrash(1), false, "one crash is already too many with maxCrashes 1");
  });
});
