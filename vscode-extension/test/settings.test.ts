import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  actionForChange,
  configurationAnswer,
  expandPath,
  toClientSettings,
  toServerSettings,
} from "../src/settings";

const readerOf =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

describe("toServerSettings", () => {
  it("gives the defaults when nothing is set", () => {
    assert.deepEqual(toServerSettings(readerOf({})), {
      enable: true,
      select: [],
      ignore: [],
      dialect: null,
      debounceMs: 150,
      fixTitleMs: 1000,
    });
  });

  it("passes the server's settings through", () => {
    const settings = toServerSettings(
      readerOf({
        enable: false,
        select: ["SL001", "junction-missing-unique"],
        ignore: ["SL002"],
        dialect: "sqlite",
        debounceMs: 300,
        fixTitleMs: 0,
      }),
    );
    assert.deepEqual(settings, {
      enable: false,
      select: ["SL001", "junction-missing-unique"],
      ignore: ["SL002"],
      dialect: "sqlite",
      debounceMs: 300,
      fixTitleMs: 0,
    });
  });

  it("sends no dialect when it is left empty, so that pyproject.toml's applies", () => {
    assert.equal(toServerSettings(readerOf({ dialect: "" })).dialect, null);
    assert.equal(toServerSettings(readerOf({ dialect: " mysql " })).dialect, "mysql");
  });

  it("rounds debounceMs and keeps the default for nonsense", () => {
    assert.equal(toServerSettings(readerOf({ debounceMs: 99.6 })).debounceMs, 100);
    for (const bad of [-1, "200", Number.NaN, Number.POSITIVE_INFINITY, null]) {
      assert.equal(toServerSettings(readerOf({ debounceMs: bad })).debounceMs, 150, String(bad));
    }
  });

  it("trims, drops blanks and duplicates, and keeps the order", () => {
    const settings = toServerSettings(readerOf({ select: [" SL002", "SL001", "", "SL002 ", 7, null] }));
    assert.deepEqual(settings.select, ["SL002", "SL001"]);
  });

  it("reads a lone string as a list of one", () => {
    assert.deepEqual(toServerSettings(readerOf({ ignore: "SL003" })).ignore, ["SL003"]);
  });

  it("falls back to the default for values of the wrong type", () => {
    const settings = toServerSettings(
      readerOf({ enable: "no", select: { SL001: true }, dialect: 3, fixTitleMs: "fast" }),
    );
    assert.deepEqual(settings, {
      enable: true,
      select: [],
      ignore: [],
      dialect: null,
      debounceMs: 150,
      fixTitleMs: 1000,
    });
  });

  it("never sends the client-only settings", () => {
    const settings = toServerSettings(
      readerOf({ path: "/x", interpreter: "/y", trace: { server: "verbose" } }),
    );
    assert.deepEqual(Object.keys(settings).sort(), [
      "debounceMs",
      "dialect",
      "enable",
      "fixTitleMs",
      "ignore",
      "select",
    ]);
  });
});

describe("configurationAnswer", () => {
  const settings = {
    enable: true,
    select: ["SL001"],
    ignore: [],
    dialect: null,
    debounceMs: 150,
    fixTitleMs: 1000,
  };

  it("answers the schemaLint section with the server settings", () => {
    assert.deepEqual(configurationAnswer("schemaLint", settings), { value: settings });
  });

  it("answers one key of the section", () => {
    assert.deepEqual(configurationAnswer("schemaLint.select", settings), { value: ["SL001"] });
    assert.deepEqual(configurationAnswer("schemaLint.enable", settings), { value: true });
  });

  it("answers null for client-only keys", () => {
    assert.deepEqual(configurationAnswer("schemaLint.path", settings), { value: null });
  });

  it("leaves other sections to VS Code", () => {
    assert.equal(configurationAnswer("python", settings), undefined);
    assert.equal(configurationAnswer(undefined, settings), undefined);
    assert.equal(configurationAnswer("schemaLintX", settings), undefined);
  });
});

describe("actionForChange", () => {
  const only = (key: string) => (section: string) => section === key;
  const running = { running: true, enabledAnywhere: true };

  it("restarts when the way to find the server changes", () => {
    assert.equal(actionForChange(only("schemaLint.path"), running), "restart");
    assert.equal(actionForChange(only("schemaLint.interpreter"), running), "restart");
    assert.equal(
      actionForChange(only("schemaLint.path"), { running: false, enabledAnywhere: true }),
      "restart",
      "a server that was not found may be found now",
    );
  });

  it("does not start a server that is off everywhere", () => {
    assert.equal(
      actionForChange(only("schemaLint.path"), { running: false, enabledAnywhere: false }),
      "none",
    );
  });

  it("leaves the server's own settings to workspace/didChangeConfiguration", () => {
    for (const key of ["select", "ignore", "dialect", "debounceMs", "fixTitleMs", "enable"]) {
      assert.equal(actionForChange(only(`schemaLint.${key}`), running), "none", key);
    }
  });

  it("starts or stops the server when enable is turned on or off everywhere", () => {
    assert.equal(
      actionForChange(only("schemaLint.enable"), { running: false, enabledAnywhere: true }),
      "restart",
    );
    assert.equal(
      actionForChange(only("schemaLint.enable"), { running: true, enabledAnywhere: false }),
      "restart",
    );
  });

  it("ignores trace.server, which the client applies itself, and other sections", () => {
    assert.equal(actionForChange(only("schemaLint.trace.server"), running), "none");
    assert.equal(actionForChange(only("editor.fontSize"), running), "none");
  });
});

describe("expandPath", () => {
  const subs = { userHome: "/home/ada", workspaceFolder: "/src/app", env: { VENV: "/venvs/app" } };

  it("expands ~ and the variables", () => {
    assert.equal(expandPath("~/bin/schema-lint", subs), "/home/ada/bin/schema-lint");
    assert.equal(expandPath("${workspaceFolder}/.venv/bin/python", subs), "/src/app/.venv/bin/python");
    assert.equal(expandPath("${userHome}/x", subs), "/home/ada/x");
    assert.equal(expandPath("${env:VENV}/bin/python", subs), "/venvs/app/bin/python");
    assert.equal(expandPath("${env:MISSING}/python", subs), "/python");
  });

  it("leaves unknown variables and ~ inside a path alone", () => {
    assert.equal(expandPath("${unknown}/a~b", subs), "${unknown}/a~b");
    assert.equal(expandPath("${workspaceFolder}/x", { userHome: "/h", env: {} }), "${workspaceFolder}/x");
  });

  it("treats blank as unset", () => {
    assert.equal(expandPath("   ", subs), "");
  });
});

describe("toClientSettings", () => {
  it("reads and expands path and interpreter", () => {
    const settings = toClientSettings(readerOf({ path: " ~/bin/schema-lint ", interpreter: 3 }), {
      userHome: "/home/ada",
      env: {},
    });
    assert.deepEqual(settings, { path: "/home/ada/bin/schema-lint", interpreter: "" });
  });
});
