/**
 * Prints an expression the way ksqlDB does in error messages (`(A + 1)`, `SUM(X)`, `'text'`).
 * A local stand-in until the SQL printer (src/sql/printer.ts) is shared.
 */
import type { Expression, ExpressionKind, TypeNode } from '../sql/ast.js';

type Printer = { [K in ExpressionKind]: (e: Extract<Expression, { kind: K }>) => string };

function ident(name: string): string {
  return /^[A-Z_][A-Z0-9_@]*$/.test(name) ? name : '`' + name.replace(/`/g, '``') + '`';
}

export function formatTypeNode(t: TypeNode): string {
  switch (t.kind) {
    case 'PrimitiveType':
      return t.name;
    case 'DecimalType':
      return `DECIMAL(${t.precision}, ${t.scale})`;
    case 'ArrayType':
      return `ARRAY<${formatTypeNode(t.element)}>`;
    case 'MapType':
      return `MAP<${formatTypeNode(t.key)}, ${formatTypeNode(t.value)}>`;
    case 'StructType':
      return `STRUCT<${t.fields.map((f) => `${ident(f.name)} ${formatTypeNode(f.type)}`).join(', ')}>`;
    case 'NamedType':
      return t.name;
  }
}

const P: Printer = {
  NullLiteral: () => 'null',
  BooleanLiteral: (e) => String(e.value),
  IntegerLiteral: (e) => e.text,
  DecimalLiteral: (e) => e.text,
  DoubleLiteral: (e) => e.text,
  StringLiteral: (e) => `'${e.value.replace(/'/g, "''")}'`,
  ColumnRef: (e) => (e.source ? `${ident(e.source)}.${ident(e.name)}` : ident(e.name)),
  Dereference: (e) => `${formatExpression(e.base)}->${ident(e.field)}`,
  Subscript: (e) => `${formatExpression(e.base)}[${formatExpression(e.index)}]`,
  FunctionCall: (e) => `${e.name}(${e.star ? '*' : (e.distinct ? 'DISTINCT ' : '') + e.args.map(formatExpression).join(', ')})`,
  IntervalUnit: (e) => e.unit,
  Lambda: (e) => `(${e.params.join(', ')}) => ${formatExpression(e.body)}`,
  Negate: (e) => `-${formatExpression(e.operand)}`,
  Not: (e) => `(NOT ${formatExpression(e.operand)})`,
  Arithmetic: (e) => `(${formatExpression(e.left)} ${e.op} ${formatExpression(e.right)})`,
  Concat: (e) => `(${formatExpression(e.left)} || ${formatExpression(e.right)})`,
  Comparison: (e) => `(${formatExpression(e.left)} ${e.op} ${formatExpression(e.right)})`,
  DistinctFrom: (e) => `(${formatExpression(e.left)} IS ${e.not ? 'NOT ' : ''}DISTINCT FROM ${formatExpression(e.right)})`,
  Logical: (e) => `(${formatExpression(e.left)} ${e.op} ${formatExpression(e.right)})`,
  IsNull: (e) => `(${formatExpression(e.operand)} IS ${e.not ? 'NOT ' : ''}NULL)`,
  Like: (e) =>
    `(${formatExpression(e.operand)} ${e.not ? 'NOT ' : ''}LIKE ${formatExpression(e.pattern)}${e.escape !== undefined ? ` ESCAPE '${e.escape}'` : ''})`,
  Between: (e) =>
    `(${formatExpression(e.operand)} ${e.not ? 'NOT ' : ''}BETWEEN ${formatExpression(e.low)} AND ${formatExpression(e.high)})`,
  InList: (e) => `(${formatExpression(e.operand)} ${e.not ? 'NOT ' : ''}IN (${e.list.map(formatExpression).join(', ')}))`,
  SearchedCase: (e) =>
    `(CASE ${e.whens.map((w) => `WHEN ${formatExpression(w.when)} THEN ${formatExpression(w.then)}`).join(' ')}${
      e.else ? ` ELSE ${formatExpression(e.else)}` : ''
    } END)`,
  SimpleCase: (e) =>
    `(CASE ${formatExpression(e.operand)} ${e.whens.map((w) => `WHEN ${formatExpression(w.when)} THEN ${formatExpression(w.then)}`).join(' ')}${
      e.else ? ` ELSE ${formatExpression(e.else)}` : ''
    } END)`,
  Cast: (e) => `CAST(${formatExpression(e.operand)} AS ${formatTypeNode(e.type)})`,
  ArrayConstructor: (e) => `ARRAY[${e.elements.map(formatExpression).join(', ')}]`,
  MapConstructor: (e) => `MAP(${e.entries.map((x) => `${formatExpression(x.key)}:=${formatExpression(x.value)}`).join(', ')})`,
  StructConstructor: (e) => `STRUCT(${e.fields.map((f) => `${ident(f.name)}:=${formatExpression(f.value)}`).join(', ')})`,
};

export function formatExpression(e: Expression): string {
  return (P[e.kind] as (x: Expression) => string)(e);
}
