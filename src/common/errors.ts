/**
 * One root error class, split by phase. Every error carries enough context for a user to see
 * what is wrong and where; the CLI prints `message` (never a stack) for any SluiceError.
 */

export interface SourcePosition {
  /** 1-based line */
  readonly line: number;
  /** 1-based column */
  readonly column: number;
  /** 0-based character offset into the text that was parsed */
  readonly offset: number;
}

export type ErrorPhase =
  | 'parse'
  | 'type'
  | 'plan'
  | 'catalog'
  | 'serde'
  | 'execution'
  | 'log'
  | 'state'
  | 'config';

export abstract class SluiceError extends Error {
  abstract readonly phase: ErrorPhase;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad SQL text: names line:column, shows the line with a caret, the token and what was expected. */
export class ParseError extends SluiceError {
  readonly phase = 'parse' as const;
  constructor(
    message: string,
    readonly position: SourcePosition | undefined,
    readonly sql: string,
    readonly token?: string,
    readonly expected?: readonly string[],
  ) {
    super(message);
  }
}

/**
 * An error about one place in a statement. Thrown with the bare message (ksqlDB's wording, which
 * handlers may still wrap); the engine then `locate`s it against the statement's text, so the
 * message names the place as ksqlDB does (`Line: 3, Col: 70: ...`) and shows the line with a caret.
 */
export abstract class LocatedError extends SluiceError {
  /** the message without the place */
  readonly detail: string;
  constructor(
    detail: string,
    readonly position?: SourcePosition,
  ) {
    super(detail);
    this.detail = detail;
  }

  /**
   * Names the place in the message. `text` is the statement's text and `start` the position of
   * its first character in the input the positions count in. Idempotent.
   */
  locate(text: string, start: SourcePosition = { line: 1, column: 1, offset: 0 }): this {
    if (!this.position) return this;
    const excerpt = sourceExcerpt(text, this.position.offset - start.offset);
    this.message = `${this.placePrefix(this.position)}${this.detail}${excerpt ? `\n${excerpt}` : ''}`;
    return this;
  }

  /** ksqlDB's form for errors found while analysing a statement */
  protected placePrefix(pos: SourcePosition): string {
    return `Line: ${pos.line}, Col: ${pos.column}: `;
  }
}

/** The line of `text` holding `offset` and a caret under it ('' when the offset is outside the text). */
export function sourceExcerpt(text: string, offset: number): string {
  if (offset < 0 || offset > text.length) return '';
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  // keep tabs so the caret lines up in a terminal
  const pad = line.slice(0, offset - lineStart).replace(/[^\t]/g, ' ');
  return `  ${line}\n  ${pad}^`;
}

/** An expression that does not type-check (unknown column, bad argument types, ...). */
export class TypeCheckError extends LocatedError {
  readonly phase = 'type' as const;
  constructor(message: string, position?: SourcePosition, readonly expression?: string) {
    super(message, position);
  }
}

/** A statement that is well formed but cannot be planned (unsupported shape, invalid join, ...). */
export class PlanError extends LocatedError {
  readonly phase = 'plan' as const;
  constructor(message: string, position?: SourcePosition, readonly planNode?: string) {
    super(message, position);
  }
}

/** A statement that conflicts with the catalog (unknown or duplicate source, missing topic, ...). */
export class CatalogError extends LocatedError {
  readonly phase = 'catalog' as const;
}

/** A record that cannot be serialized or deserialized. */
export class SerdeError extends SluiceError {
  readonly phase = 'serde' as const;
  constructor(message: string, readonly topic?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A failure while a query runs: per record (goes to the processing log) or fatal for the task. */
export class ExecutionError extends SluiceError {
  readonly phase = 'execution' as const;
  constructor(
    message: string,
    readonly context: { queryId?: string; topic?: string; partition?: number; offset?: bigint } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Topic log failures: unknown topic, offset out of range, closed log, ... */
export class LogError extends SluiceError {
  readonly phase = 'log' as const;
  constructor(
    message: string,
    readonly code:
      | 'UNKNOWN_TOPIC'
      | 'TOPIC_EXISTS'
      | 'OFFSET_OUT_OF_RANGE'
      | 'INVALID_PARTITION'
      | 'CLOSED'
      | 'INVALID_CONFIG'
      | 'IO'
      /** stored data failed its checksum or is missing: never served */
      | 'CORRUPT'
      /** the log's filesystem is full; nothing was written */
      | 'DISK_FULL'
      /** a record is over the topic's max.message.bytes */
      | 'RECORD_TOO_LARGE'
      /** another process took over the writer's task (a newer producer epoch or group generation): the task moved */
      | 'FENCED'
      /**
       * a write whose outcome is unknown or a cluster briefly unreachable (a broker died): nothing of
       * it may be retried as is; the task reopens from what is committed and processes again
       */
      | 'TRANSIENT',
    readonly context: { topic?: string; partition?: number; offset?: bigint } = {},
  ) {
    super(message);
  }
}

export class StateError extends SluiceError {
  readonly phase = 'state' as const;
}

/** Bad configuration: properties, CLI flags, WITH clauses values. */
export class ConfigError extends SluiceError {
  readonly phase = 'config' as const;
}

export function isSluiceError(e: unknown): e is SluiceError {
  return e instanceof SluiceError;
}
