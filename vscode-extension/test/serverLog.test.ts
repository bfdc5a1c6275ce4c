import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { StderrLevels } from "../src/serverLog";

describe("StderrLevels", () => {
  it("reads the level the server's log line names", () => {
    const levels = new StderrLevels();
    assert.equal(levels.levelOf("2026-11-27 12:15:27,003 INFO schema_lint.lsp: started"), "info");
    assert.equal(levels.levelOf("2026-11-27 12:15:27,004 WARNING schema_lint.lsp: odd"), "warn");
    assert.equal(levels.levelOf("2026-11-27 12:15:27,005 ERROR pygls: boom"), "error");
    assert.equal(levels.levelOf("2026-11-27 12:15:27,006 DEBUG schema_lint: detail"), "debug");
  });

  it("gives a traceback the level of the line that announced it", () => {
    const levels = new StderrLevels();
    levels.levelOf("2026-11-27 12:15:27,005 ERROR schema_lint.lsp: error in a handler");
    assert.equal(levels.levelOf("Traceback (most recent call last):"), "error");
    assert.equal(levels.levelOf('  File "x.py", line 1'), "error");
    levels.levelOf("2026-11-27 12:15:28,000 INFO schema_lint.lsp: fine again");
    assert.equal(levels.levelOf("plain text"), "info");
  });

  it("logs unannounced lines as info", () => {
    assert.equal(new StderrLevels().levelOf("usage: schema-lint lsp"), "info");
  });
});
