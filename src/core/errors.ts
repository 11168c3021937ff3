/**
 * Errors that reach the user. `input` and `estimation` exit with status 1, `usage` with status 2
 * (docs/CONTRACT.md). Input errors carry the file, row (1-based data row, header excluded) and column
 * they are about, so that the message can name them.
 */
export type ErrorKind = "input" | "usage" | "estimation";

export interface ErrorLocation {
  file?: string;
  row?: number;
  column?: string;
}

export class KeytechError extends Error {
  readonly kind: ErrorKind;
  readonly location: ErrorLocation;
  constructor(kind: ErrorKind, message: string, location: ErrorLocation = {}) {
    // values from data files and flags end up in messages: control bytes are escaped line by line
    super(message.split("\n").map(printable).join("\n"));
    this.name = "KeytechError";
    this.kind = kind;
    this.location = location;
  }
  get exitCode(): number {
    return this.kind === "usage" ? 2 : 1;
  }
}

/** Bad input data: names file, row and column when known. */
export function inputError(message: string, location: ErrorLocation = {}): KeytechError {
  return new KeytechError("input", formatLocated(message, location), location);
}

/** Bad command-line usage (exit 2). */
export function usageError(message: string): KeytechError {
  return new KeytechError("usage", message);
}

/** An estimation that cannot be carried out on valid input (exit 1). */
export function estimationError(message: string): KeytechError {
  return new KeytechError("estimation", message);
}

/** "file.csv, row 12, column 'y': message" — the prefix every input error uses. */
export function formatLocated(message: string, loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) parts.push(printable(loc.file));
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.column !== undefined) parts.push(`column '${printable(loc.column)}'`);
  return parts.length ? `${parts.join(", ")}: ${message}` : message;
}

/**
 * Text safe to put in a one-line message: control characters (C0, DEL, C1) and bidirectional overrides
 * are escaped (\t, \n, \r, \xNN, \uNNNN), so a value from a data file never moves the cursor, changes
 * colours or reorders the terminal line.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const k = c.charCodeAt(0);
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return k < 0x80 ? "\\x" + k.toString(16).toUpperCase().padStart(2, "0") : "\\u" + k.toString(16).toUpperCase().padStart(4, "0");
  });
}
