// The interpreter selected in the Python extension, through its API when it is installed.
// The extension does not depend on it: without it, this finds nothing and changes nothing.

import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";

// The part of the Python extension's API (`@vscode/python-extension`) used here.
interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

interface ResolvedEnvironment {
  readonly executable: { readonly uri: vscode.Uri | undefined };
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri | vscode.WorkspaceFolder): EnvironmentPath;
  resolveEnvironment(environment: EnvironmentPath | string): Promise<ResolvedEnvironment | undefined>;
  readonly onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  readonly environments?: PythonEnvironmentsApi;
}

async function environmentsApi(log: vscode.LogOutputChannel): Promise<PythonEnvironmentsApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (extension === undefined) {
    return undefined;
  }
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    return api?.environments;
  } catch (error) {
    log.warn(`The Python extension could not be activated: ${String(error)}`);
    return undefined;
  }
}

/** The selected interpreter's executable for `resource`, or undefined. */
export async function selectedInterpreter(
  resource: vscode.WorkspaceFolder | undefined,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  const api = await environmentsApi(log);
  if (api === undefined) {
    return undefined;
  }
  try {
    const environment = await api.resolveEnvironment(api.getActiveEnvironmentPath(resource));
    return environment?.executable.uri?.fsPath;
  } catch (error) {
    log.warn(`The Python extension did not tell the selected interpreter: ${String(error)}`);
    return undefined;
  }
}

/** Calls `listener` whenever another interpreter is selected in the Python extension. */
export async function onDidChangeInterpreter(
  listener: () => void,
  log: vscode.LogOutputChannel,
): Promise<vscode.Disposable | undefined> {
  const api = await environmentsApi(log);
  return api?.onDidChangeActiveEnvironmentPath(() => listener());
}
