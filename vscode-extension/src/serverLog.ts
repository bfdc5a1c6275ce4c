// The server logs to stderr as `2026-01-31 12:00:00,123 WARNING schema_lint.lsp: message`
// (`schema_lint/lsp/server.py`). Each line goes to the output channel at the level it names;
// the lines that name none (a traceback) at the level of the line before. Pure.

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

const LEVELS: Readonly<Record<string, LogLevel>> = {
  DEBUG: "debug",
  INFO: "info",
  WARNING: "warn",
  WARN: "warn",
  ERROR: "error",
  CRITICAL: "error",
};

const PREFIX = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[,.]\d+)? (DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL) /;

export class StderrLevels {
  private current: LogLevel = "info";

  /** The level of `line`, given the lines before it. */
  levelOf(line: string): LogLevel {
    const match = PREFIX.exec(line);
    if (match !== null) {
      this.current = LEVELS[match[1]];
    }
    return this.current;
  }
}
