/**
 * ksqlDB reads numeric literals while it builds the statement's tree, before analysing it, so their
 * errors come in its preparation form: `Failed to prepare statement: line 2:40: Number overflows
 * DOUBLE: ...`. The type checker throws this subclass for them. That form counts the column one
 * past the 1-based one (ksqlDB's ParsingException adds 1 to a column that already starts at 1).
 */
import type { SourcePosition } from '../common/errors.js';
import { TypeCheckError } from '../common/errors.js';

export class LiteralError extends TypeCheckError {
  protected override placePrefix(pos: SourcePosition): string {
    return `Failed to prepare statement: line ${pos.line}:${pos.column + 1}: `;
  }
}
