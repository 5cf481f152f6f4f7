/** What executing one statement reports back to the REPL, `sluice run` and embedders. */
import type { StatementKind } from '../sql/ast.js';

export interface ResultTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface StatementResult {
  readonly kind: StatementKind;
  /** the statement text */
  readonly statement: string;
  /** one line for the user: "Created stream PAGEVIEWS", "Started query CSAS_X_1", ... */
  readonly message: string;
  readonly queryId?: string;
  readonly table?: ResultTable;
  /** the results of the statements a RUN SCRIPT ran, in order */
  readonly results?: readonly StatementResult[];
  /** true when the statement changed nothing (e.g. a re-run of the same CREATE) */
  readonly unchanged?: boolean;
  /** the ksqlDB REST entity for this result, when the handler knows it (connectors) */
  readonly entity?: Readonly<Record<string, unknown>>;
}
