// Finding the schema-lint language server. Pure: the file system and processes come in as
// functions, so that node's test runner can check every path through it.

import * as path from "node:path";

import type { ClientSettings } from "./settings";

export type ServerSource = "schemaLint.path" | "schemaLint.interpreter" | "Python extension" | "PATH";

/** A way to start the server: `command ...args` speaks LSP over stdio. */
export interface ServerCommand {
  command: string;
  args: string[];
  source: ServerSource;
  /**
   * Started as `python -m`, which puts its working directory first on `sys.path`, so that a
   * `schema_lint.py` or `pygls.py` in the workspace would be imported. Such a command runs
   * with `MODULE_ENV` (Python >= 3.11) and in the extension's own folder (Python 3.10).
   */
  module?: true;
}

/** Keeps the working directory off `sys.path` (Python >= 3.11; `-P` would fail on 3.10). */
export const MODULE_ENV: Readonly<Record<string, string>> = { PYTHONSAFEPATH: "1" };

export interface ResolutionInput {
  settings: ClientSettings;
  /** The interpreter selected in the Python extension, when it is installed and has one. */
  pythonExtensionInterpreter?: string;
  /** The PATH the server would be looked up on. */
  pathEnv: string;
  platform: NodeJS.Platform;
  /** PATHEXT on Windows. */
  pathExt?: string;
}

export const EXECUTABLE = "schema-lint";
export const MODULE = "schema_lint";
export const LSP_ARGS: readonly string[] = ["lsp"];

/** Why a candidate was passed over, for the output channel and the notification. */
export interface Rejection {
  candidate: ServerCommand;
  reason: string;
}

export type Resolution =
  { found: ServerCommand; rejected: Rejection[] } | { found: undefined; rejected: Rejection[] };

/**
 * Where the `schema-lint` command of `interpreter`'s environment would be: beside it (a
 * virtualenv's `bin/` or `Scripts\`), or in `Scripts\` beside a Windows base interpreter.
 */
export function scriptPaths(interpreter: string, platform: NodeJS.Platform): string[] {
  if (platform === "win32") {
    const dir = path.win32.dirname(interpreter);
    return [path.win32.join(dir, `${EXECUTABLE}.exe`), path.win32.join(dir, "Scripts", `${EXECUTABLE}.exe`)];
  }
  return [path.posix.join(path.posix.dirname(interpreter), EXECUTABLE)];
}

/**
 * Every place to look, in order; a candidate for PATH is added only when one is found there.
 * An interpreter's own `schema-lint` command is preferred to `python -m schema_lint`: it never
 * imports from the working directory, on any Python version.
 */
export function candidates(
  input: ResolutionInput,
  which: (name: string) => string | undefined,
  isExecutableFile: (file: string) => boolean = () => false,
): ServerCommand[] {
  const list: ServerCommand[] = [];
  if (input.settings.path !== "") {
    list.push({ command: input.settings.path, args: [...LSP_ARGS], source: "schemaLint.path" });
  }
  const interpreter: [string, ServerSource] | undefined =
    input.settings.interpreter !== ""
      ? [input.settings.interpreter, "schemaLint.interpreter"]
      : input.pythonExtensionInterpreter !== undefined && input.pythonExtensionInterpreter !== ""
        ? [input.pythonExtensionInterpreter, "Python extension"]
        : undefined;
  if (interpreter !== undefined) {
    const [python, source] = interpreter;
    const script = scriptPaths(python, input.platform).find(isExecutableFile);
    list.push(
      script !== undefined
        ? { command: script, args: [...LSP_ARGS], source }
        : { command: python, args: ["-m", MODULE, ...LSP_ARGS], source, module: true },
    );
  }
  const onPath = which(EXECUTABLE);
  if (onPath !== undefined) {
    list.push({ command: onPath, args: [...LSP_ARGS], source: "PATH" });
  }
  return list;
}

/**
 * `which`: the first entry of `pathEnv` holding an executable `name` (on Windows, with one of
 * the PATHEXT extensions).
 */
export function findOnPath(
  name: string,
  pathEnv: string,
  platform: NodeJS.Platform,
  isExecutableFile: (file: string) => boolean,
  pathExt = ".COM;.EXE;.BAT;.CMD",
): string | undefined {
  const windows = platform === "win32";
  const separator = windows ? ";" : ":";
  const join = (dir: string, file: string): string => {
    const slash = windows ? "\\" : "/";
    return dir.endsWith("/") || dir.endsWith(slash) ? dir + file : dir + slash + file;
  };
  const names = windows
    ? ["", ...pathExt.split(";").filter((ext) => ext !== "")].map((ext) => name + ext.toLowerCase())
    : [name];
  for (const dir of pathEnv.split(separator)) {
    if (dir === "") {
      continue;
    }
    for (const candidate of names) {
      const file = join(dir, candidate);
      if (isExecutableFile(file)) {
        return file;
      }
    }
  }
  return undefined;
}

/** Runs `command ...args --help`; resolves to undefined when it works, else to why not. */
export type Probe = (candidate: ServerCommand) => Promise<string | undefined>;

/** The first candidate that the probe accepts. */
export async function resolveServer(list: readonly ServerCommand[], probe: Probe): Promise<Resolution> {
  const rejected: Rejection[] = [];
  for (const candidate of list) {
    let reason: string | undefined;
    try {
      reason = await probe(candidate);
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (reason === undefined) {
      return { found: candidate, rejected };
    }
    rejected.push({ candidate, reason });
  }
  return { found: undefined, rejected };
}

export function quoteArg(arg: string, platform: NodeJS.Platform): string {
  if (/^[\w@%+=:,./\\-]+$/.test(arg)) {
    return arg;
  }
  if (platform === "win32") {
    return `"${arg.replace(/"/g, '""')}"`;
  }
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

export function describe(candidate: ServerCommand, platform: NodeJS.Platform): string {
  return [candidate.command, ...candidate.args].map((arg) => quoteArg(arg, platform)).join(" ");
}

/** The command that installs the server where the extension would look for it first. */
export function installCommand(interpreter: string | undefined, platform: NodeJS.Platform): string {
  if (interpreter !== undefined && interpreter !== "") {
    return `${quoteArg(interpreter, platform)} -m pip install ${EXECUTABLE}`;
  }
  return `python -m pip install ${EXECUTABLE}`;
}

/** The one notification shown when no candidate works. */
export function notFoundMessage(
  resolution: Resolution,
  interpreter: string | undefined,
  platform: NodeJS.Platform,
): string {
  const install = installCommand(interpreter, platform);
  const tried = resolution.rejected.map((r) => `${r.candidate.source} (${r.reason})`);
  const triedText = tried.length > 0 ? ` Tried: ${tried.join("; ")}.` : "";
  return (
    `schema-lint: the language server was not found. Install it with \`${install}\` ` +
    `(or \`pipx install ${EXECUTABLE}\`), or set schemaLint.path, then run ` +
    `"schema-lint: Restart Server".${triedText}`
  );
}
