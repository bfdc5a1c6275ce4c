// The VS Code side of schema-lint: finds the language server, starts it over stdio, keeps it
// in step with the settings and the selected interpreter. Everything else is the server's.

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as readline from "node:readline";
import type { Readable } from "node:stream";
import * as vscode from "vscode";
import {
  CloseAction,
  DidChangeConfigurationNotification,
  type ErrorHandler,
  ErrorAction,
  type Executable,
  LanguageClient,
  type LanguageClientOptions,
  RevealOutputChannelOn,
} from "vscode-languageclient/node";

import { onDidChangeInterpreter, selectedInterpreter } from "./python";
import { CrashPolicy } from "./restartPolicy";
import { StderrLevels } from "./serverLog";
import {
  candidates,
  describe,
  findOnPath,
  installCommand,
  MODULE_ENV,
  notFoundMessage,
  type Probe,
  resolveServer,
  type ServerCommand,
} from "./serverResolution";
import {
  actionForChange,
  configurationAnswer,
  type ConfigReader,
  SECTION,
  toClientSettings,
  toServerSettings,
} from "./settings";

const NAME = "schema-lint";
const PROBE_TIMEOUT_MS = 30_000;

/** The library's own error notifications become log lines: the extension shows its own, once. */
class SchemaLintClient extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | "force"): void {
    super.error(message, data, false);
  }
}

let output: vscode.LogOutputChannel;
/** The extension's own folder: no Python modules in it, a safe working directory. */
let extensionPath: string | undefined;
let status: vscode.LanguageStatusItem;
let client: SchemaLintClient | undefined;
let queue: Promise<void> = Promise.resolve();
let restartQueued = false;
const crashPolicy = new CrashPolicy();

function reader(scope?: vscode.ConfigurationScope): ConfigReader {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  return (key) => config.get(key);
}

function enabledAnywhere(): boolean {
  const scopes: (vscode.ConfigurationScope | undefined)[] = [
    undefined,
    ...(vscode.workspace.workspaceFolders ?? []),
  ];
  return scopes.some((scope) => toServerSettings(reader(scope)).enable);
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/** Where and with what environment a candidate runs: never importing from the workspace. */
function launchOptions(
  candidate: ServerCommand,
  workspace: string | undefined,
): { cwd?: string; env: NodeJS.ProcessEnv } {
  if (candidate.module === true) {
    return { cwd: extensionPath, env: { ...process.env, ...MODULE_ENV } };
  }
  return { cwd: workspace, env: { ...process.env } };
}

/** `command ...args --help` must exit 0: the program exists and knows the `lsp` command. */
const probe: Probe = (candidate) =>
  new Promise((resolve) => {
    let stderr = "";
    let settled = false;
    const settle = (reason: string | undefined): void => {
      if (!settled) {
        settled = true;
        resolve(reason);
      }
    };
    const child = spawn(candidate.command, [...candidate.args, "--help"], {
      ...launchOptions(candidate, undefined),
      stdio: ["ignore", "ignore", "pipe"],
      timeout: PROBE_TIMEOUT_MS,
      windowsHide: true,
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      settle(error.code === "ENOENT" ? `${candidate.command} does not exist` : error.message);
    });
    child.on("close", (code, signal) => {
      if (code === 0) {
        settle(undefined);
        return;
      }
      const lastLine = stderr.trim().split(/\r?\n/).pop() ?? "";
      const how = signal !== null ? `was stopped by ${signal}` : `exited with code ${code}`;
      settle(`\`${describe(candidate, process.platform)} --help\` ${how}${lastLine ? `: ${lastLine}` : ""}`);
    });
  });

function setStatus(text: string, detail: string, severity: vscode.LanguageStatusSeverity): void {
  status.text = text;
  status.detail = detail;
  status.severity = severity;
}

async function showNotFound(message: string, install: string): Promise<void> {
  const copy = "Copy Install Command";
  const settings = "Open Settings";
  const logs = "Show Output";
  const choice = await vscode.window.showErrorMessage(message, copy, settings, logs);
  if (choice === copy) {
    await vscode.env.clipboard.writeText(install);
  } else if (choice === settings) {
    await vscode.commands.executeCommand("workbench.action.openSettings", `@ext:schema-lint.schema-lint`);
  } else if (choice === logs) {
    output.show();
  }
}

async function showServerFailed(message: string): Promise<void> {
  const restart = "Restart Server";
  const logs = "Show Output";
  const choice = await vscode.window.showErrorMessage(message, restart, logs);
  if (choice === restart) {
    requestRestart("asked for after a failure");
  } else if (choice === logs) {
    output.show();
  }
}

const errorHandler: ErrorHandler = {
  error(_error, _message, count) {
    if (count !== undefined && count > 3) {
      void showServerFailed(`${NAME}: the connection to the language server keeps failing; it was stopped.`);
      return { action: ErrorAction.Shutdown, handled: true };
    }
    return { action: ErrorAction.Continue, handled: true };
  },
  closed() {
    if (crashPolicy.recordCrash(Date.now())) {
      output.warn("The language server exited; starting it again.");
      return { action: CloseAction.Restart, handled: true };
    }
    setStatus(NAME, "The language server crashed repeatedly", vscode.LanguageStatusSeverity.Error);
    void showServerFailed(
      `${NAME}: the language server crashed ${crashPolicy.maxCrashes} times in a few minutes and ` +
        `was not started again. See the output for why.`,
    );
    return { action: CloseAction.DoNotRestart, handled: true };
  },
};

/** Each line the server writes to `stream`, in the output at the level it names. */
function pipeLines(stream: Readable, channel: vscode.LogOutputChannel): void {
  const levels = new StderrLevels();
  readline
    .createInterface({ input: stream, crlfDelay: Infinity, terminal: false })
    .on("line", (line) => channel[levels.levelOf(line)](line));
}

function clientOptions(): LanguageClientOptions {
  return {
    stdioOptions: { stdout: pipeLines, stderr: pipeLines },
    documentSelector: [{ scheme: "file", language: "python" }],
    outputChannel: output,
    traceOutputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: () => toServerSettings(reader()),
    initializationFailedHandler: () => false,
    errorHandler,
    // The server registers its own file watchers (pyproject.toml, models, migrations).
    synchronize: { configurationSection: SECTION },
    middleware: {
      workspace: {
        // The server is told its settings as they are mapped, not VS Code's whole section.
        didChangeConfiguration: async (sections, next) => {
          if (sections === undefined || !sections.includes(SECTION) || client === undefined) {
            return next(sections);
          }
          const others = sections.filter((section) => section !== SECTION);
          if (others.length > 0) {
            await next(others);
          }
          await client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { [SECTION]: toServerSettings(reader()) },
          });
        },
        configuration: async (params, token, next) => {
          const answers = params.items.map((item) =>
            configurationAnswer(
              item.section,
              toServerSettings(reader(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)),
            ),
          );
          const defaults = answers.some((answer) => answer === undefined) ? await next(params, token) : [];
          return answers.map((answer, index) =>
            answer !== undefined ? answer.value : Array.isArray(defaults) ? defaults[index] : null,
          );
        },
      },
    },
  };
}

async function startServer(): Promise<void> {
  if (!enabledAnywhere()) {
    output.info("schemaLint.enable is off: the language server is not started.");
    setStatus(`${NAME} (off)`, "schemaLint.enable is off", vscode.LanguageStatusSeverity.Information);
    return;
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  const settings = toClientSettings(reader(folder), {
    userHome: os.homedir(),
    workspaceFolder: folder?.uri.fsPath,
    env: process.env,
  });
  const pythonInterpreter =
    settings.interpreter === "" ? await selectedInterpreter(folder, output) : undefined;
  const pathEnv = process.env.PATH ?? process.env.Path ?? "";
  const list = candidates(
    { settings, pythonExtensionInterpreter: pythonInterpreter, pathEnv, platform: process.platform },
    (name) => findOnPath(name, pathEnv, process.platform, isExecutableFile, process.env.PATHEXT),
    isExecutableFile,
  );
  const resolution = await resolveServer(list, probe);
  for (const rejection of resolution.rejected) {
    output.warn(`Not using ${rejection.candidate.source}: ${rejection.reason}`);
  }
  if (resolution.found === undefined) {
    const interpreter = settings.interpreter || pythonInterpreter;
    const message = notFoundMessage(resolution, interpreter, process.platform);
    output.error(message);
    setStatus(NAME, "Language server not found", vscode.LanguageStatusSeverity.Error);
    void showNotFound(message, installCommand(interpreter, process.platform));
    return;
  }

  const found = resolution.found;
  output.info(`Starting the language server (from ${found.source}): ${describe(found, process.platform)}`);
  const server: Executable = {
    command: found.command,
    args: found.args,
    options: launchOptions(found, folder?.uri.fsPath),
  };
  const started = new SchemaLintClient(SECTION, NAME, server, clientOptions());
  client = started;
  try {
    await started.start();
    setStatus(
      NAME,
      `${found.source}: ${describe(found, process.platform)}`,
      vscode.LanguageStatusSeverity.Information,
    );
  } catch (error) {
    client = undefined;
    await started.dispose().catch(() => undefined);
    const why = error instanceof Error ? error.message : String(error);
    output.error(`The language server did not start: ${why}`);
    setStatus(NAME, "Language server failed to start", vscode.LanguageStatusSeverity.Error);
    void showServerFailed(
      `${NAME}: the language server (${describe(found, process.platform)}) failed to start: ${why}`,
    );
  }
}

async function stopServer(): Promise<void> {
  const stopping = client;
  client = undefined;
  if (stopping === undefined) {
    return;
  }
  try {
    await stopping.stop(5000);
  } catch (error) {
    output.warn(`Stopping the language server: ${String(error)}`);
  }
  await stopping.dispose().catch(() => undefined);
}

function enqueue(step: () => Promise<void>): Promise<void> {
  queue = queue.then(step).catch((error: unknown) => {
    output.error(
      `Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  });
  return queue;
}

function requestRestart(reason: string): Promise<void> {
  if (restartQueued) {
    return queue;
  }
  restartQueued = true;
  return enqueue(async () => {
    restartQueued = false;
    output.info(`Restarting the language server: ${reason}.`);
    crashPolicy.reset();
    await stopServer();
    await startServer();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel(NAME, { log: true });
  status = vscode.languages.createLanguageStatusItem("schemaLint.status", { language: "python" });
  status.name = NAME;
  status.command = { title: "Show Output", command: "schemaLint.showLogs" };
  setStatus(NAME, "Starting", vscode.LanguageStatusSeverity.Information);
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("schemaLint.restart", () => requestRestart("asked for")),
    vscode.commands.registerCommand("schemaLint.showLogs", () => output.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const action = actionForChange((section) => event.affectsConfiguration(section), {
        running: client !== undefined,
        enabledAnywhere: enabledAnywhere(),
      });
      if (action === "restart") {
        void requestRestart("the settings changed");
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void requestRestart("the workspace is trusted")),
  );
  const interpreterListener = await onDidChangeInterpreter(
    () => void requestRestart("another Python interpreter was selected"),
    output,
  );
  if (interpreterListener !== undefined) {
    context.subscriptions.push(interpreterListener);
  }
  await enqueue(startServer);
}

export function deactivate(): Promise<void> {
  return enqueue(stopServer);
}
