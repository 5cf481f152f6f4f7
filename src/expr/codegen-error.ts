/**
 * ksqlDB finds some expression errors only when it generates code for an expression, after the
 * analysis that types it: unsupported CASTs and IN lists whose items cannot be coerced to one type.
 * Those reach the user with the prefix of the step that generated the code ("Invalid Predicate: "
 * for a WHERE clause, "Invalid Select: " for a projection) instead of the analysis prefix
 * ("Error in WHERE expression: "). The type checker throws this subclass for them so callers can
 * tell them apart (see clause-check.ts).
 */
import { TypeCheckError } from '../common/errors.js';

export class CodegenError extends TypeCheckError {}
