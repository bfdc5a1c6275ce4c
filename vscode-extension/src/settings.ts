// The extension's settings and what the server is told about them. Pure: no `vscode` import,
// so that node's test runner can check it.

/** Reads one key of the `schemaLint` section, as `WorkspaceConfiguration.get` does. */
export type ConfigReader = (key: string) => unknown;

/**
 * The settings the server reads (`schema_lint/lsp/settings.py`): sent as initialization
 * options, as the answer to `workspace/configuration` for the `schemaLint` section, and with
 * `workspace/didChangeConfiguration`.
 */
export interface ServerSettings {
  enable: boolean;
  select: string[];
  ignore: string[];
  /** SQL dialect, or null for `[tool.schema-lint]`'s (by default postgresql). */
  dialect: string | null;
  debounceMs: number;
  fixTitleMs: number;
}

export const DEFAULT_DEBOUNCE_MS = 150;
export const DEFAULT_FIX_TITLE_MS = 1000;

function milliseconds(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.round(value) : fallback;
}

/** The settings only the extension reads: how to find and run the server. */
export interface ClientSettings {
  /** A `schema-lint` executable, or "" to look further. */
  path: string;
  /** A Python interpreter that has schema_lint installed, or "" to look further. */
  interpreter: string;
}

export const SECTION = "schemaLint";

/** Settings that decide which server runs: changing one restarts it. */
export const SERVER_FINDING_KEYS: readonly string[] = ["path", "interpreter"].map(
  (key) => `${SECTION}.${key}`,
);

export type ChangeAction = "restart" | "none";

/**
 * What a settings change calls for. The server's own settings reach a running server through
 * `workspace/didChangeConfiguration`; a restart is only needed to find the server anew, or to
 * start or stop it when `enable` is turned on or off everywhere.
 */
export function actionForChange(
  affectsConfiguration: (section: string) => boolean,
  state: { running: boolean; enabledAnywhere: boolean },
): ChangeAction {
  if (SERVER_FINDING_KEYS.some((key) => affectsConfiguration(key))) {
    return state.enabledAnywhere || state.running ? "restart" : "none";
  }
  if (affectsConfiguration(`${SECTION}.enable`) && state.running !== state.enabledAnywhere) {
    return "restart";
  }
  return "none";
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") {
    value = [value];
  }
  if (!Array.isArray(value)) {
    return [];
  }
  const seen = new Set<string>();
  for (const item of value) {
    if (typeof item !== "string") {
      continue;
    }
    const trimmed = item.trim();
    if (trimmed !== "") {
      seen.add(trimmed);
    }
  }
  return [...seen];
}

export function toServerSettings(read: ConfigReader): ServerSettings {
  const enable = read("enable");
  const dialect = read("dialect");
  return {
    enable: typeof enable === "boolean" ? enable : true,
    select: stringList(read("select")),
    ignore: stringList(read("ignore")),
    dialect: typeof dialect === "string" && dialect.trim() !== "" ? dialect.trim() : null,
    debounceMs: milliseconds(read("debounceMs"), DEFAULT_DEBOUNCE_MS),
    fixTitleMs: milliseconds(read("fixTitleMs"), DEFAULT_FIX_TITLE_MS),
  };
}

/**
 * The answer to one `workspace/configuration` item, or `undefined` when the section is not
 * ours (the client then answers it as VS Code would).
 */
export function configurationAnswer(
  section: string | undefined,
  settings: ServerSettings,
): { value: unknown } | undefined {
  if (section === SECTION) {
    return { value: settings };
  }
  const prefix = `${SECTION}.`;
  if (section !== undefined && section.startsWith(prefix)) {
    const key = section.slice(prefix.length);
    if (Object.prototype.hasOwnProperty.call(settings, key)) {
      return { value: settings[key as keyof ServerSettings] };
    }
    return { value: null };
  }
  return undefined;
}

/** Values that `${...}` and a leading `~` stand for in `path` and `interpreter`. */
export interface Substitutions {
  userHome: string;
  workspaceFolder?: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Expands `~`, `${userHome}`, `${workspaceFolder}` and `${env:NAME}`, as VS Code's own settings do. */
export function expandPath(raw: string, subs: Substitutions): string {
  let value = raw.trim();
  if (value === "") {
    return "";
  }
  if (value === "~" || value.startsWith("~/") || value.startsWith("~\\")) {
    value = subs.userHome + value.slice(1);
  }
  return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === "userHome") {
      return subs.userHome;
    }
    if (name === "workspaceFolder" && subs.workspaceFolder !== undefined) {
      return subs.workspaceFolder;
    }
    if (name.startsWith("env:")) {
      return subs.env[name.slice(4)] ?? "";
    }
    return whole;
  });
}

export function toClientSettings(read: ConfigReader, subs: Substitutions): ClientSettings {
  const text = (key: string): string => {
    const value = read(key);
    return typeof value === "string" ? expandPath(value, subs) : "";
  };
  return { path: text("path"), interpreter: text("interpreter") };
}
