import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  candidates,
  findOnPath,
  installCommand,
  MODULE_ENV,
  notFoundMessage,
  type ResolutionInput,
  resolveServer,
  type ServerCommand,
} from "../src/serverResolution";

const input = (overrides: Partial<ResolutionInput> = {}): ResolutionInput => ({
  settings: { path: "", interpreter: "" },
  pathEnv: "/usr/local/bin:/usr/bin",
  platform: "linux",
  ...overrides,
});

const nowhere = (): string | undefined => undefined;
const onPath = (name: string): string | undefined => `/usr/local/bin/${name}`;

describe("candidates", () => {
  it("looks at schemaLint.path, then the interpreter setting, then PATH", () => {
    const list = candidates(
      input({ settings: { path: "/opt/schema-lint", interpreter: "/venv/bin/python" } }),
      onPath,
    );
    assert.deepEqual(list, [
      { command: "/opt/schema-lint", args: ["lsp"], source: "schemaLint.path" },
      {
        command: "/venv/bin/python",
        args: ["-m", "schema_lint", "lsp"],
        source: "schemaLint.interpreter",
        module: true,
      },
      { command: "/usr/local/bin/schema-lint", args: ["lsp"], source: "PATH" },
    ]);
  });

  it("uses the Python extension's interpreter when schemaLint.interpreter is unset", () => {
    const list = candidates(input({ pythonExtensionInterpreter: "/proj/.venv/bin/python" }), nowhere);
    assert.deepEqual(list, [
      {
        command: "/proj/.venv/bin/python",
        args: ["-m", "schema_lint", "lsp"],
        source: "Python extension",
        module: true,
      },
    ]);
  });

  it("prefers the schema-lint command beside the interpreter to python -m", () => {
    const files = new Set(["/proj/.venv/bin/schema-lint"]);
    const list = candidates(
      input({ pythonExtensionInterpreter: "/proj/.venv/bin/python" }),
      nowhere,
      (file) => files.has(file),
    );
    assert.deepEqual(list, [
      { command: "/proj/.venv/bin/schema-lint", args: ["lsp"], source: "Python extension" },
    ]);
  });

  it("finds the command of a Windows virtualenv and of a Windows base interpreter", () => {
    const files = new Set(["C:\\venv\\Scripts\\schema-lint.exe", "C:\\Python311\\Scripts\\schema-lint.exe"]);
    const exists = (file: string): boolean => files.has(file);
    const cases: [string, string][] = [
      ["C:\\venv\\Scripts\\python.exe", "C:\\venv\\Scripts\\schema-lint.exe"],
      ["C:\\Python311\\python.exe", "C:\\Python311\\Scripts\\schema-lint.exe"],
    ];
    for (const [python, script] of cases) {
      const list = candidates(
        input({ settings: { path: "", interpreter: python }, platform: "win32" }),
        nowhere,
        exists,
      );
      assert.deepEqual(list, [{ command: script, args: ["lsp"], source: "schemaLint.interpreter" }]);
    }
  });

  it("marks python -m, which needs a safe path, and nothing else", () => {
    const list = candidates(
      input({ settings: { path: "/opt/schema-lint", interpreter: "/usr/bin/python3" } }),
      onPath,
      () => false,
    );
    assert.deepEqual(
      list.map((c) => [c.source, c.module === true]),
      [
        ["schemaLint.path", false],
        ["schemaLint.interpreter", true],
        ["PATH", false],
      ],
    );
    assert.deepEqual(MODULE_ENV, { PYTHONSAFEPATH: "1" });
  });

  it("prefers schemaLint.interpreter to the Python extension's interpreter", () => {
    const list = candidates(
      input({
        settings: { path: "", interpreter: "/mine/python" },
        pythonExtensionInterpreter: "/theirs/python",
      }),
      nowhere,
    );
    assert.deepEqual(
      list.map((c) => c.command),
      ["/mine/python"],
    );
  });

  it("is empty when there is nothing to try", () => {
    assert.deepEqual(candidates(input({ pythonExtensionInterpreter: "" }), nowhere), []);
  });
});

describe("findOnPath", () => {
  it("returns the first directory that has it", () => {
    const files = new Set(["/b/schema-lint", "/c/schema-lint"]);
    assert.equal(
      findOnPath("schema-lint", "/a:/b:/c", "linux", (f) => files.has(f)),
      "/b/schema-lint",
    );
  });

  it("skips empty entries and copes with trailing slashes", () => {
    const files = new Set(["/b/schema-lint"]);
    assert.equal(
      findOnPath("schema-lint", "::/b/", "linux", (f) => files.has(f)),
      "/b/schema-lint",
    );
  });

  it("returns undefined when it is nowhere", () => {
    assert.equal(
      findOnPath("schema-lint", "/a:/b", "linux", () => false),
      undefined,
    );
  });

  it("uses ; and PATHEXT on Windows", () => {
    const files = new Set(["C:\\Py\\Scripts\\schema-lint.exe"]);
    assert.equal(
      findOnPath("schema-lint", "C:\\Windows;C:\\Py\\Scripts", "win32", (f) => files.has(f), ".COM;.EXE"),
      "C:\\Py\\Scripts\\schema-lint.exe",
    );
  });
});

describe("resolveServer", () => {
  const a: ServerCommand = { command: "/a", args: ["lsp"], source: "schemaLint.path" };
  const b: ServerCommand = { command: "/b", args: ["-m", "schema_lint", "lsp"], source: "Python extension" };
  const c: ServerCommand = { command: "/c", args: ["lsp"], source: "PATH" };

  it("takes the first candidate that works and records the others' failures", async () => {
    const probed: string[] = [];
    const resolution = await resolveServer([a, b, c], async (candidate) => {
      probed.push(candidate.command);
      return candidate === b ? undefined : "no";
    });
    assert.equal(resolution.found, b);
    assert.deepEqual(resolution.rejected, [{ candidate: a, reason: "no" }]);
    assert.deepEqual(probed, ["/a", "/b"], "stops probing once one works");
  });

  it("treats a probe that throws as a failure", async () => {
    const resolution = await resolveServer([a], async () => {
      throw new Error("spawn EACCES");
    });
    assert.equal(resolution.found, undefined);
    assert.deepEqual(resolution.rejected, [{ candidate: a, reason: "spawn EACCES" }]);
  });

  it("finds nothing in an empty list", async () => {
    assert.deepEqual(await resolveServer([], async () => undefined), { found: undefined, rejected: [] });
  });
});

describe("the not-found notification", () => {
  it("gives the install command for the selected interpreter", () => {
    assert.equal(
      installCommand("/proj/.venv/bin/python", "linux"),
      "/proj/.venv/bin/python -m pip install schema-lint",
    );
    assert.equal(
      installCommand("/my proj/bin/python", "linux"),
      "'/my proj/bin/python' -m pip install schema-lint",
    );
    assert.equal(
      installCommand("C:\\My Env\\python.exe", "win32"),
      '"C:\\My Env\\python.exe" -m pip install schema-lint',
    );
    assert.equal(installCommand(undefined, "linux"), "python -m pip install schema-lint");
  });

  it("is one message that says how to install it and what was tried", () => {
    const message = notFoundMessage(
      {
        found: undefined,
        rejected: [
          {
            candidate: {
              command: "/venv/bin/python",
              args: ["-m", "schema_lint", "lsp"],
              source: "Python extension",
            },
            reason: "No module named schema_lint",
          },
        ],
      },
      "/venv/bin/python",
      "linux",
    );
    assert.match(message, /`\/venv\/bin\/python -m pip install schema-lint`/);
    assert.match(message, /schemaLint\.path/);
    assert.match(message, /Tried: Python extension \(No module named schema_lint\)\./);
    assert.doesNotMatch(message, /\n/);
  });

  it("says nothing was tried when nothing was found to try", () => {
    const message = notFoundMessage({ found: undefined, rejected: [] }, undefined, "linux");
    assert.doesNotMatch(message, /Tried/);
    assert.match(message, /`python -m pip install schema-lint`/);
  });
});
