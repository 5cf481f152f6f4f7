/** Expression semantics: types, casts, comparison, type checking and compilation. */
export type {
  TypedExpression,
  TypedKind,
  Scope,
  ScopeColumn,
} from './typed-expression.js';
export { typeCheck, coerceTo, resolveTypeNode, type TypeCheckOptions } from './type-check.js';
export {
  compileExpression,
  compilePredicate,
  type CompiledExpression,
  type CompileOptions,
  type ErrorHandler,
  type Row,
} from './compile-expression.js';
export { javaDoubleToString } from '../functions/scalar/java-format.js';
export {
  castValue,
  castConverter,
  isCastSupported,
  valueToJavaString,
  parseBooleanExact,
} from './cast-value.js';
export {
  commonSuperType,
  canImplicitlyCast,
  widenDecimals,
  toDecimalType,
  decimalArithmeticType,
  numericArithmeticType,
} from '../common/type-coercion.js';
export { compareValues, valuesEqual } from './value-compare.js';
export { evaluateConstant } from './evaluate-constant.js';
export { findAggregateCalls, containsAggregateCall, findTableFunctionCalls, expressionChildren, mapChildren } from './expression-walk.js';
export { CodegenError } from './codegen-error.js';
export { typeCheckFilter, typeCheckSelect, type CheckedFilter, type FilterClause } from './clause-check.js';
export { rewriteMagicTimestamps, parsePartialTimestamp } from './magic-timestamps.js';
export { formatExpression } from './format-expression.js';
export { likeToRegExp } from './like-pattern.js';
export { fitDecimal } from './decimal-math.js';
export {
  parseDateText,
  parseTimeText,
  parseTimestampText,
  formatDateText,
  formatTimeText,
  formatTimestampText,
} from './date-time-text.js';
