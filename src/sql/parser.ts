/**
 * The ksqlDB-dialect grammar as a chevrotain embedded-actions parser: rules build the AST of ast.ts
 * directly (no CST), which keeps parsing fast. Rule structure and precedence follow ksqlDB's
 * SqlBase.g4:  OR < AND < NOT < predicate < + - || < * / % < unary < postfix ([i], ->) < primary.
 * Where ANTLR's ALL(*) prediction resolves ambiguities (non-reserved keywords used as names,
 * lambdas, parenthesised GROUP BY lists) this parser uses explicit gates over a few tokens.
 */
import { EmbeddedActionsParser, EOF, tokenMatcher, type IToken, type TokenType } from 'chevrotain';
import { isMainThread } from 'node:worker_threads';
import type { SourcePosition } from '../common/errors.js';
import type * as A from './ast.js';
import { identifierName, isQuotedIdentifier, stringValue } from './lexer.js';
import * as T from './tokens.js';

/** Thrown from semantic actions for well-formed but invalid constructs; turned into a ParseError. */
export class SemanticSyntaxError extends Error {
  /** `preparation`: ksqlDB reports it while building the statement ("Failed to prepare statement: ...") */
  constructor(
    readonly token: IToken,
    message: string,
    readonly preparation = false,
  ) {
    super(message);
  }
}

const UNIT_NAMES: Record<string, A.TimeUnit> = {
  MILLISECOND: 'MILLISECONDS',
  MILLISECONDS: 'MILLISECONDS',
  SECOND: 'SECONDS',
  SECONDS: 'SECONDS',
  MINUTE: 'MINUTES',
  MINUTES: 'MINUTES',
  HOUR: 'HOURS',
  HOURS: 'HOURS',
  DAY: 'DAYS',
  DAYS: 'DAYS',
};

const PRIMITIVE_NAMES: Record<string, A.PrimitiveTypeName> = {
  BOOLEAN: 'BOOLEAN',
  INT: 'INTEGER',
  INTEGER: 'INTEGER',
  BIGINT: 'BIGINT',
  DOUBLE: 'DOUBLE',
  STRING: 'STRING',
  VARCHAR: 'STRING',
  BYTES: 'BYTES',
  DATE: 'DATE',
  TIME: 'TIME',
  TIMESTAMP: 'TIMESTAMP',
};

/** Tokens that may follow a parenthesised GROUP BY / PARTITION BY list (so it is not an expression). */
const CLAUSE_FOLLOWERS: readonly TokenType[] = [EOF, T.PARTITION, T.HAVING, T.EMIT, T.LIMIT, T.WINDOW, T.Semicolon];

/** Rule arguments are absent while chevrotain records the grammar; this stands in for them. */
const RECORDING_PLACEHOLDER: A.Expression = { kind: 'NullLiteral' };

function pos(tok: IToken): SourcePosition {
  return { line: tok.startLine ?? 1, column: tok.startColumn ?? 1, offset: tok.startOffset };
}

/** Drops undefined optional fields so equal trees compare equal. */
function compact<O extends object>(o: O): O {
  for (const k of Object.keys(o) as (keyof O)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function unitOf(tok: IToken): A.TimeUnit {
  return UNIT_NAMES[tok.image.toUpperCase()] ?? 'MILLISECONDS';
}

const ASSERT_SECOND_TOKENS = [T.NOT, T.TOPIC, T.SCHEMA];

export class SqlParser extends EmbeddedActionsParser {
  /** Set before a parse to record the rule stack at which this token gets consumed (error reports use it). */
  captureToken: IToken | undefined;
  capturedStack: string[] | undefined;

  constructor() {
    // the grammar's validations run on the main thread (and so in the tests); a large-stack parser
    // thread (deep-parse.ts) skips them to start faster
    super(T.allTokens, { recoveryEnabled: false, maxLookahead: 3, skipValidations: !isMainThread });
    this.performSelfAnalysis();
    // chevrotain has no hook for "token consumed"; wrap its internal consume once the grammar is recorded
    const self = this as unknown as { consumeInternal: (...args: unknown[]) => IToken; getHumanReadableRuleStack(): string[] };
    const consume = self.consumeInternal;
    self.consumeInternal = (...args: unknown[]): IToken => {
      const t = consume.apply(this, args);
      if (t === this.captureToken) this.capturedStack = self.getHumanReadableRuleStack();
      return t;
    };
  }

  private is(k: number, type: TokenType): boolean {
    return tokenMatcher(this.LA(k), type);
  }

  // -------------------------------------------------------------------------------------------
  // Names and small pieces

  public identifier = this.RULE('identifier', (): string => identifierName(this.CONSUME(T.Identifier)));

  /** Topic and subject names keep their case even when unquoted (ksqlDB's resourceName). */
  private resourceName = this.RULE('resourceName', (): string =>
    this.OR([
      { ALT: () => stringValue(this.CONSUME(T.StringLiteralToken)) },
      {
        ALT: () => {
          const t = this.CONSUME(T.Identifier);
          return isQuotedIdentifier(t) ? identifierName(t) : t.image;
        },
      },
    ]),
  );

  private stringLit = this.RULE('string', (): string => stringValue(this.CONSUME(T.StringLiteralToken)));

  private integer = this.RULE('integer', (): number => Number(this.CONSUME(T.IntegerValue).image));

  /** ksqlDB parses any number after LIMIT and rejects non-integers; negative ones fail later, in planning. */
  private limitValue = this.RULE('limitValue', (): number => {
    const minus = this.OPTION(() => this.CONSUME(T.Minus));
    const t = this.CONSUME(T.NumberToken);
    this.ACTION(() => {
      if (t.tokenType !== T.IntegerValue) throw new SemanticSyntaxError(t, 'Value must be integer for command: LIMIT', true);
    });
    return minus ? -Number(t.image) : Number(t.image);
  });

  private timeUnit = this.RULE('timeUnit', (): A.TimeUnit => unitOf(this.CONSUME(T.TimeUnitToken)));

  private duration = this.RULE('duration', (): A.Duration => {
    const t = this.CONSUME(T.IntegerValue);
    const unit = this.SUBRULE(this.timeUnit);
    return { kind: 'Duration', value: Number(t.image), unit, pos: pos(t) };
  });

  private gracePeriod = this.RULE('gracePeriod', (): A.Duration => {
    this.CONSUME(T.GRACE);
    this.CONSUME(T.PERIOD);
    return this.SUBRULE(this.duration);
  });

  private ifNotExists = this.RULE('ifNotExists', (): boolean => {
    this.CONSUME(T.IF);
    this.CONSUME(T.NOT);
    this.CONSUME(T.EXISTS);
    return true;
  });

  private ifExists = this.RULE('ifExists', (): boolean => {
    this.CONSUME(T.IF);
    this.CONSUME(T.EXISTS);
    return true;
  });

  private extended = this.RULE('extended', (): boolean => {
    this.CONSUME(T.EXTENDED);
    return true;
  });

  private columnNames = this.RULE('columnNames', (): string[] => {
    const names: string[] = [];
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => names.push(this.SUBRULE(this.identifier)) });
    this.CONSUME(T.RParen);
    return names;
  });

  private valueList = this.RULE('valueList', (): A.Expression[] => {
    const values: A.Expression[] = [];
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => values.push(this.SUBRULE(this.expression)) });
    this.CONSUME(T.RParen);
    return values;
  });

  // -------------------------------------------------------------------------------------------
  // Types

  public type = this.RULE('type', (): A.TypeNode =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            const t = this.CONSUME(T.ARRAY);
            this.CONSUME(T.Lt);
            const element = this.SUBRULE(this.type);
            this.CONSUME(T.Gt);
            return { kind: 'ArrayType', element, pos: pos(t) } as A.ArrayTypeNode;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.MAP);
            this.CONSUME2(T.Lt);
            const key = this.SUBRULE2(this.type);
            this.CONSUME(T.Comma);
            const value = this.SUBRULE3(this.type);
            this.CONSUME2(T.Gt);
            return { kind: 'MapType', key, value, pos: pos(t) } as A.MapTypeNode;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.STRUCT);
            const fields: { name: string; type: A.TypeNode }[] = [];
            this.OR2([
              // `STRUCT<>` lexes as STRUCT followed by the not-equal operator
              { ALT: () => this.CONSUME(T.Neq) },
              {
                ALT: () => {
                  this.CONSUME3(T.Lt);
                  this.MANY_SEP({
                    SEP: T.Comma,
                    DEF: () => {
                      const name = this.SUBRULE(this.identifier);
                      const type = this.SUBRULE4(this.type);
                      fields.push({ name, type });
                    },
                  });
                  this.CONSUME3(T.Gt);
                },
              },
            ]);
            return { kind: 'StructType', fields, pos: pos(t) } as A.StructTypeNode;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.DECIMAL);
            this.CONSUME(T.LParen);
            const precision = this.SUBRULE(this.integer);
            this.CONSUME2(T.Comma);
            const scale = this.SUBRULE2(this.integer);
            this.CONSUME(T.RParen);
            return { kind: 'DecimalType', precision, scale, pos: pos(t) } as A.DecimalTypeNode;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(T.Identifier);
            // ksqlDB accepts (and ignores) type parameters such as VARCHAR(10): typeParameter is
            // INTEGER_VALUE | 'STRING' in its grammar, so `INTEGER (KEY)` is a syntax error
            this.OPTION(() => {
              this.CONSUME2(T.LParen);
              this.AT_LEAST_ONE_SEP({
                SEP: T.Comma,
                DEF: () =>
                  this.OR3([
                    { ALT: () => this.CONSUME(T.IntegerValue) },
                    { ALT: () => this.CONSUME(T.STRING) },
                  ]),
              });
              this.CONSUME2(T.RParen);
            });
            const name = identifierName(t);
            const primitive = isQuotedIdentifier(t) ? undefined : PRIMITIVE_NAMES[name];
            return primitive
              ? ({ kind: 'PrimitiveType', name: primitive, pos: pos(t) } as A.PrimitiveTypeNode)
              : ({ kind: 'NamedType', name, pos: pos(t) } as A.NamedTypeNode);
          },
        },
      ],
    }),
  );

  // -------------------------------------------------------------------------------------------
  // Expressions

  public expression = this.RULE('expression', (): A.Expression => {
    let left = this.SUBRULE(this.andExpression);
    this.MANY(() => {
      this.CONSUME(T.OR);
      const right = this.SUBRULE2(this.andExpression);
      left = { kind: 'Logical', op: 'OR', left, right, pos: left.pos! };
    });
    return left;
  });

  private andExpression = this.RULE('andExpression', (): A.Expression => {
    let left = this.SUBRULE(this.notExpression);
    this.MANY(() => {
      this.CONSUME(T.AND);
      const right = this.SUBRULE2(this.notExpression);
      left = { kind: 'Logical', op: 'AND', left, right, pos: left.pos! };
    });
    return left;
  });

  private notExpression = this.RULE('notExpression', (): A.Expression =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.NOT);
          const operand = this.SUBRULE(this.notExpression);
          return { kind: 'Not', operand, pos: pos(t) } as A.Not;
        },
      },
      { ALT: () => this.SUBRULE(this.predicated) },
    ]),
  );

  private predicated = this.RULE('predicated', (): A.Expression => {
    const value = this.SUBRULE(this.valueExpression);
    return this.OPTION(() => this.SUBRULE(this.predicate, { ARGS: [value] })) ?? value;
  });

  private predicate = this.RULE('predicate', (operand: A.Expression = RECORDING_PLACEHOLDER): A.Expression =>
    this.OR([
      {
        ALT: () => {
          const op = this.SUBRULE(this.comparisonOperator);
          const right = this.SUBRULE(this.valueExpression);
          return { kind: 'Comparison', op, left: operand, right, pos: operand.pos! } as A.Comparison;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.IS);
          const not = this.OPTION(() => this.CONSUME(T.NOT)) !== undefined;
          return this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.NULL);
                return { kind: 'IsNull', not, operand, pos: operand.pos! } as A.IsNull;
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.DISTINCT);
                this.CONSUME(T.FROM);
                const right = this.SUBRULE2(this.valueExpression);
                return { kind: 'DistinctFrom', not, left: operand, right, pos: operand.pos! } as A.DistinctFrom;
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          const not = this.OPTION2(() => this.CONSUME2(T.NOT)) !== undefined;
          return this.OR3([
            {
              ALT: () => {
                this.CONSUME(T.BETWEEN);
                const low = this.SUBRULE3(this.valueExpression);
                this.CONSUME(T.AND);
                const high = this.SUBRULE4(this.valueExpression);
                return { kind: 'Between', not, operand, low, high, pos: operand.pos! } as A.Between;
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.IN);
                this.CONSUME(T.LParen);
                const list: A.Expression[] = [];
                this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => list.push(this.SUBRULE(this.expression)) });
                this.CONSUME(T.RParen);
                return { kind: 'InList', not, operand, list, pos: operand.pos! } as A.InList;
              },
            },
            {
              ALT: () => {
                this.CONSUME(T.LIKE);
                const pattern = this.SUBRULE5(this.valueExpression);
                let escape: string | undefined;
                this.OPTION3(() => {
                  this.CONSUME(T.ESCAPE);
                  escape = this.SUBRULE(this.stringLit);
                });
                return compact({ kind: 'Like', not, operand, pattern, escape, pos: operand.pos! } as A.Like);
              },
            },
          ]);
        },
      },
    ]),
  );

  private comparisonOperator = this.RULE('comparisonOperator', (): A.ComparisonOperator =>
    this.OR([
      { ALT: () => (this.CONSUME(T.Eq), '=') },
      { ALT: () => (this.CONSUME(T.Neq), '<>') },
      { ALT: () => (this.CONSUME(T.Lte), '<=') },
      { ALT: () => (this.CONSUME(T.Lt), '<') },
      { ALT: () => (this.CONSUME(T.Gte), '>=') },
      { ALT: () => (this.CONSUME(T.Gt), '>') },
    ]),
  );

  /** Additive level: + - || (one level, left associative). */
  public valueExpression = this.RULE('valueExpression', (): A.Expression => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(T.Plus), '+' as const) },
        { ALT: () => (this.CONSUME(T.Minus), '-' as const) },
        { ALT: () => (this.CONSUME(T.ConcatOp), '||' as const) },
      ]);
      const right = this.SUBRULE2(this.multiplicative);
      left =
        op === '||'
          ? ({ kind: 'Concat', left, right, pos: left.pos! } as A.Concat)
          : ({ kind: 'Arithmetic', op, left, right, pos: left.pos! } as A.Arithmetic);
    });
    return left;
  });

  private multiplicative = this.RULE('multiplicative', (): A.Expression => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => (this.CONSUME(T.Asterisk), '*' as const) },
        { ALT: () => (this.CONSUME(T.Slash), '/' as const) },
        { ALT: () => (this.CONSUME(T.Percent), '%' as const) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = { kind: 'Arithmetic', op, left, right, pos: left.pos! } as A.Arithmetic;
    });
    return left;
  });

  private unary = this.RULE('unary', (): A.Expression =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          // `-5` is a negative literal (ksqlDB's `number: MINUS? INTEGER_VALUE`), unless a postfix follows
          GATE: () => this.is(2, T.NumberToken) && !this.is(3, T.LBracket) && !this.is(3, T.Arrow),
          ALT: () => {
            const m = this.CONSUME(T.Minus);
            const n = this.CONSUME(T.NumberToken);
            return this.numberLiteral(n, '-', pos(m));
          },
        },
        {
          ALT: () => {
            const m = this.CONSUME2(T.Minus);
            const operand = this.SUBRULE(this.unary);
            return { kind: 'Negate', operand, pos: pos(m) } as A.Negate;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Plus);
            return this.SUBRULE2(this.unary);
          },
        },
        { ALT: () => this.SUBRULE(this.postfix) },
      ],
    }),
  );

  private postfix = this.RULE('postfix', (): A.Expression => {
    let base = this.SUBRULE(this.primary);
    this.MANY({
      // `expr->*` belongs to the select item, not to the expression
      GATE: () => !(this.is(1, T.Arrow) && this.is(2, T.Asterisk)),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.LBracket);
              const index = this.SUBRULE(this.expression);
              this.CONSUME(T.RBracket);
              base = { kind: 'Subscript', base, index, pos: base.pos! };
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.Arrow);
              const field = this.SUBRULE(this.identifier);
              base = { kind: 'Dereference', base, field, pos: base.pos! };
            },
          },
        ]);
      },
    });
    return base;
  });

  private numberLiteral(tok: IToken, sign: '' | '-', p: SourcePosition): A.Expression {
    const text = sign + tok.image;
    if (tok.tokenType === T.IntegerValue) return { kind: 'IntegerLiteral', text, pos: p };
    if (tok.tokenType === T.DecimalValue) return { kind: 'DecimalLiteral', text, pos: p };
    return { kind: 'DoubleLiteral', text, pos: p };
  }

  private primary = this.RULE('primary', (): A.Expression =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.literal) },
        { ALT: () => this.SUBRULE(this.caseExpression) },
        { ALT: () => this.SUBRULE(this.castExpression) },
        { ALT: () => this.SUBRULE(this.arrayConstructor) },
        { ALT: () => this.SUBRULE(this.mapConstructor) },
        { ALT: () => this.SUBRULE(this.structConstructor) },
        { ALT: () => this.SUBRULE(this.functionCall) },
        {
          ALT: () => {
            const t = this.CONSUME(T.Identifier);
            this.CONSUME(T.Dot);
            const name = this.SUBRULE(this.identifier);
            return { kind: 'ColumnRef', source: identifierName(t), name, pos: pos(t) } as A.ColumnRef;
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME2(T.Identifier);
            return { kind: 'ColumnRef', name: identifierName(t), pos: pos(t) } as A.ColumnRef;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.LParen);
            const e = this.SUBRULE(this.expression);
            this.CONSUME(T.RParen);
            return e;
          },
        },
      ],
    }),
  );

  private literal = this.RULE('literal', (): A.Expression =>
    this.OR([
      { ALT: () => ({ kind: 'NullLiteral', pos: pos(this.CONSUME(T.NULL)) }) as A.NullLiteral },
      { ALT: () => ({ kind: 'BooleanLiteral', value: true, pos: pos(this.CONSUME(T.TRUE)) }) as A.BooleanLiteral },
      { ALT: () => ({ kind: 'BooleanLiteral', value: false, pos: pos(this.CONSUME(T.FALSE)) }) as A.BooleanLiteral },
      {
        ALT: () => {
          const t = this.CONSUME(T.StringLiteralToken);
          return { kind: 'StringLiteral', value: stringValue(t), pos: pos(t) } as A.StringLiteral;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.NumberToken);
          return this.numberLiteral(t, '', pos(t));
        },
      },
    ]),
  );

  /** Literal values of WITH (...) properties; numbers may be negative. */
  private propertyValue = this.RULE('propertyValue', (): A.Property['value'] =>
    this.OR([
      {
        ALT: () => {
          const m = this.CONSUME(T.Minus);
          const n = this.CONSUME(T.NumberToken);
          return this.numberLiteral(n, '-', pos(m)) as A.Property['value'];
        },
      },
      { ALT: () => this.SUBRULE(this.literal) as A.Property['value'] },
    ]),
  );

  private caseExpression = this.RULE('caseExpression', (): A.Expression => {
    const t = this.CONSUME(T.CASE);
    const operand = this.OPTION(() => this.SUBRULE(this.valueExpression));
    const whens: A.WhenClause[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(T.WHEN);
      const when = this.SUBRULE(this.expression);
      this.CONSUME(T.THEN);
      const then = this.SUBRULE2(this.expression);
      whens.push({ when, then });
    });
    const elseExpr = this.OPTION2(() => {
      this.CONSUME(T.ELSE);
      return this.SUBRULE3(this.expression);
    });
    this.CONSUME(T.END);
    return operand === undefined
      ? compact({ kind: 'SearchedCase', whens, else: elseExpr, pos: pos(t) } as A.SearchedCase)
      : compact({ kind: 'SimpleCase', operand, whens, else: elseExpr, pos: pos(t) } as A.SimpleCase);
  });

  private castExpression = this.RULE('castExpression', (): A.Expression => {
    const t = this.CONSUME(T.CAST);
    this.CONSUME(T.LParen);
    const operand = this.SUBRULE(this.expression);
    this.CONSUME(T.AS);
    const type = this.SUBRULE(this.type);
    this.CONSUME(T.RParen);
    return { kind: 'Cast', operand, type, pos: pos(t) };
  });

  private arrayConstructor = this.RULE('arrayConstructor', (): A.Expression => {
    const t = this.CONSUME(T.ARRAY);
    this.CONSUME(T.LBracket);
    const elements: A.Expression[] = [];
    this.MANY_SEP({ SEP: T.Comma, DEF: () => elements.push(this.SUBRULE(this.expression)) });
    this.CONSUME(T.RBracket);
    return { kind: 'ArrayConstructor', elements, pos: pos(t) };
  });

  private mapConstructor = this.RULE('mapConstructor', (): A.Expression => {
    const t = this.CONSUME(T.MAP);
    this.CONSUME(T.LParen);
    const entries: { key: A.Expression; value: A.Expression }[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const key = this.SUBRULE(this.expression);
        this.CONSUME(T.Assign);
        const value = this.SUBRULE2(this.expression);
        entries.push({ key, value });
      },
    });
    this.CONSUME(T.RParen);
    return { kind: 'MapConstructor', entries, pos: pos(t) };
  });

  private structConstructor = this.RULE('structConstructor', (): A.Expression => {
    const t = this.CONSUME(T.STRUCT);
    this.CONSUME(T.LParen);
    const fields: { name: string; value: A.Expression }[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => {
        const name = this.SUBRULE(this.identifier);
        this.CONSUME(T.Assign);
        const value = this.SUBRULE(this.expression);
        fields.push({ name, value });
      },
    });
    this.CONSUME(T.RParen);
    return { kind: 'StructConstructor', fields, pos: pos(t) };
  });

  private functionCall = this.RULE('functionCall', (): A.Expression => {
    const t = this.CONSUME(T.Identifier);
    this.CONSUME(T.LParen);
    const name = identifierName(t);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Asterisk);
          this.CONSUME(T.RParen);
          return { kind: 'FunctionCall', name, args: [], distinct: false, star: true, pos: pos(t) } as A.FunctionCall;
        },
      },
      {
        ALT: () => {
          const distinct = this.OPTION(() => this.CONSUME(T.DISTINCT)) !== undefined;
          const args: A.Expression[] = [];
          this.MANY_SEP({ SEP: T.Comma, DEF: () => args.push(this.SUBRULE(this.functionArgument)) });
          this.CONSUME2(T.RParen);
          return { kind: 'FunctionCall', name, args, distinct, star: false, pos: pos(t) } as A.FunctionCall;
        },
      },
    ]);
  });

  /** `(a, b) => ...` needs unbounded lookahead to tell from a parenthesised expression. */
  private lambdaAhead(): boolean {
    if (this.is(1, T.Identifier)) return this.is(2, T.LambdaArrow);
    if (!this.is(1, T.LParen)) return false;
    let k = 2;
    if (!this.is(k, T.Identifier)) return false;
    while (this.is(k + 1, T.Comma) && this.is(k + 2, T.Identifier)) k += 2;
    return this.is(k + 1, T.RParen) && this.is(k + 2, T.LambdaArrow);
  }

  private functionArgument = this.RULE('functionArgument', (): A.Expression =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.lambdaAhead(), ALT: () => this.SUBRULE(this.lambda) },
        {
          // a bare time unit argument: TIMESTAMPADD(SECONDS, 5, ts). As in ksqlDB's grammar
          // (functionArgument: expression | windowUnit), a non-reserved unit (DAY, HOUR, MINUTE,
          // SECOND) parses as an expression first: MULTI_ARG(FIRST, SECOND) names a column
          GATE: () => (this.is(2, T.Comma) || this.is(2, T.RParen)) && !this.is(1, T.Identifier),
          ALT: () => {
            const t = this.CONSUME(T.TimeUnitToken);
            return { kind: 'IntervalUnit', unit: unitOf(t), pos: pos(t) } as A.IntervalUnitArg;
          },
        },
        { ALT: () => this.SUBRULE(this.expression) },
      ],
    }),
  );

  private lambda = this.RULE('lambda', (): A.Expression => {
    const params: string[] = [];
    const first = this.LA(1);
    this.OR([
      { ALT: () => params.push(this.SUBRULE(this.identifier)) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => params.push(this.SUBRULE2(this.identifier)) });
          this.CONSUME(T.RParen);
        },
      },
    ]);
    this.CONSUME(T.LambdaArrow);
    const body = this.SUBRULE(this.expression);
    return { kind: 'Lambda', params, body, pos: pos(first) };
  });

  // -------------------------------------------------------------------------------------------
  // Queries

  public query = this.RULE('query', (): A.Query => {
    const t = this.CONSUME(T.SELECT);
    const select: A.SelectItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => select.push(this.SUBRULE(this.selectItem)) });
    this.CONSUME(T.FROM);
    const from = this.SUBRULE(this.relation);
    const window = this.OPTION(() => {
      this.CONSUME(T.WINDOW);
      return this.SUBRULE(this.windowExpression);
    });
    const where = this.OPTION2(() => {
      this.CONSUME(T.WHERE);
      return this.SUBRULE(this.expression);
    });
    const groupBy = this.OPTION3(() => {
      this.CONSUME(T.GROUP);
      this.CONSUME(T.BY);
      return this.SUBRULE(this.groupingList);
    });
    const partitionBy = this.OPTION4(() => {
      this.CONSUME(T.PARTITION);
      this.CONSUME2(T.BY);
      return this.SUBRULE2(this.groupingList);
    });
    const having = this.OPTION5(() => {
      this.CONSUME(T.HAVING);
      return this.SUBRULE2(this.expression);
    });
    const emit = this.OPTION6(() => {
      this.CONSUME(T.EMIT);
      return this.OR([
        { ALT: () => (this.CONSUME(T.CHANGES), 'CHANGES' as const) },
        { ALT: () => (this.CONSUME(T.FINAL), 'FINAL' as const) },
      ]);
    });
    const limit = this.OPTION7(() => {
      this.CONSUME(T.LIMIT);
      return this.SUBRULE(this.limitValue);
    });
    return compact({ kind: 'Query', select, from, window, where, groupBy, partitionBy, having, emit, limit, pos: pos(t) } as A.Query);
  });

  /**
   * GROUP BY / PARTITION BY: `a, b` or a parenthesised `(a, b)` list of value expressions (as in
   * ksqlDB's grammar: `PARTITION BY a AND b` is a syntax error, `PARTITION BY (a AND b)` is not).
   */
  private groupingList = this.RULE('groupingList', (): A.Expression[] => {
    const items: A.Expression[] = [];
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.parenthesisedListAhead(),
          ALT: () => {
            this.CONSUME(T.LParen);
            this.MANY_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE(this.valueExpression)) });
            this.CONSUME(T.RParen);
          },
        },
        { ALT: () => this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => items.push(this.SUBRULE2(this.valueExpression)) }) },
      ],
    });
    return items;
  });

  /**
   * True when `(` opens a list whose `)` ends the clause, e.g. `GROUP BY (a, b) HAVING ...`. As in
   * ksqlDB's grammar, where both readings fit (`(a)`, `(a IS NULL)`: one parenthesised expression)
   * the expression wins, so the list needs a comma at its top level, or nothing in it.
   */
  private parenthesisedListAhead(): boolean {
    if (!this.is(1, T.LParen)) return false;
    let depth = 0;
    let comma = false;
    for (let k = 1; ; k++) {
      const t = this.LA(k);
      if (t.tokenType === EOF) return false;
      if (tokenMatcher(t, T.LParen) || tokenMatcher(t, T.LBracket)) depth++;
      else if (depth === 1 && tokenMatcher(t, T.Comma)) comma = true;
      else if (tokenMatcher(t, T.RParen) || tokenMatcher(t, T.RBracket)) {
        depth--;
        if (depth === 0) {
          const next = this.LA(k + 1);
          return (comma || k === 2) && CLAUSE_FOLLOWERS.some((f) => tokenMatcher(next, f));
        }
      }
    }
  }

  private selectItem = this.RULE('selectItem', (): A.SelectItem =>
    this.OR([
      { ALT: () => ({ kind: 'AllColumns', pos: pos(this.CONSUME(T.Asterisk)) }) as A.AllColumns },
      {
        GATE: () => this.is(2, T.Dot) && this.is(3, T.Asterisk),
        ALT: () => {
          const t = this.CONSUME(T.Identifier);
          this.CONSUME(T.Dot);
          this.CONSUME2(T.Asterisk);
          return { kind: 'AllColumns', source: identifierName(t), pos: pos(t) } as A.AllColumns;
        },
      },
      {
        ALT: () => {
          const expression = this.SUBRULE(this.expression);
          return this.OR2([
            {
              ALT: () => {
                this.CONSUME(T.Arrow);
                this.CONSUME3(T.Asterisk);
                return { kind: 'StructAll', struct: expression, pos: expression.pos! } as A.StructAll;
              },
            },
            {
              ALT: () => {
                const alias = this.OPTION(() => {
                  this.OPTION2(() => this.CONSUME(T.AS));
                  return this.SUBRULE(this.identifier);
                });
                return compact({ kind: 'SingleColumn', expression, alias, pos: expression.pos! } as A.SingleColumn);
              },
            },
          ]);
        },
      },
    ]),
  );

  private relation = this.RULE('relation', (): A.Relation => {
    let left: A.Relation = this.SUBRULE(this.aliasedRelation);
    this.MANY(() => {
      const joinType = this.OPTION2(() => this.SUBRULE(this.joinType)) ?? 'INNER';
      this.CONSUME(T.JOIN);
      const right = this.SUBRULE2(this.aliasedRelation);
      const within = this.OPTION(() => this.SUBRULE(this.joinWindow));
      this.CONSUME(T.ON);
      const on = this.SUBRULE(this.expression);
      left = compact({ kind: 'JoinRelation', joinType, left, right, within, on, pos: left.pos! } as A.JoinRelation);
    });
    return left;
  });

  private joinType = this.RULE('joinType', (): A.JoinType =>
    this.OR([
      { ALT: () => (this.CONSUME(T.INNER), 'INNER' as const) },
      {
        ALT: () => {
          this.CONSUME(T.LEFT);
          this.OPTION(() => this.CONSUME(T.OUTER));
          return 'LEFT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.RIGHT);
          this.OPTION2(() => this.CONSUME2(T.OUTER));
          return 'RIGHT' as const;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.FULL);
          this.OPTION3(() => this.CONSUME3(T.OUTER));
          return 'FULL' as const;
        },
      },
    ]),
  );

  /** A source alias may be a non-reserved word, but not the start of the clause that follows. */
  private aliasAhead(): boolean {
    if (this.is(1, T.AS)) return true;
    if (!this.is(1, T.Identifier)) return false;
    if (this.is(1, T.EMIT)) return !(this.is(2, T.CHANGES) || this.is(2, T.FINAL));
    if (this.is(1, T.PARTITION)) return !this.is(2, T.BY);
    return true;
  }

  private aliasedRelation = this.RULE('aliasedRelation', (): A.SourceRelation => {
    const t = this.CONSUME(T.Identifier);
    const alias = this.OPTION({
      GATE: () => this.aliasAhead(),
      DEF: () => {
        this.OPTION2(() => this.CONSUME(T.AS));
        return this.SUBRULE(this.identifier);
      },
    });
    return compact({ kind: 'SourceRelation', name: identifierName(t), alias, pos: pos(t) } as A.SourceRelation);
  });

  private joinWindow = this.RULE('joinWindow', (): A.JoinWindow => {
    const t = this.CONSUME(T.WITHIN);
    const range = this.OR([
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          const b = this.SUBRULE(this.duration);
          this.CONSUME(T.Comma);
          const a = this.SUBRULE2(this.duration);
          this.CONSUME(T.RParen);
          return { before: b, after: a };
        },
      },
      {
        ALT: () => {
          const d = this.SUBRULE3(this.duration);
          return { before: d, after: d };
        },
      },
    ]);
    const grace = this.OPTION(() => this.SUBRULE(this.gracePeriod));
    return compact({ kind: 'JoinWindow', before: range.before, after: range.after, grace, pos: pos(t) } as A.JoinWindow);
  });

  private windowOptions = this.RULE('windowOptions', (): A.WindowOptions => {
    const retention = this.OPTION({
      GATE: () => this.is(2, T.RETENTION),
      DEF: () => {
        this.CONSUME(T.Comma);
        this.CONSUME(T.RETENTION);
        return this.SUBRULE(this.duration);
      },
    });
    const grace = this.OPTION2(() => {
      this.CONSUME2(T.Comma);
      return this.SUBRULE(this.gracePeriod);
    });
    return compact({ retention, grace });
  });

  private windowExpression = this.RULE('windowExpression', (): A.WindowExpression => {
    // ksqlDB allows (and ignores) a window name before the window type
    this.OPTION({
      GATE: () => this.is(2, T.TUMBLING) || this.is(2, T.HOPPING) || this.is(2, T.SESSION),
      DEF: () => this.CONSUME(T.Identifier),
    });
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.TUMBLING);
          this.CONSUME(T.LParen);
          this.CONSUME(T.SIZE);
          const size = this.SUBRULE(this.duration);
          const opts = this.SUBRULE(this.windowOptions);
          this.CONSUME(T.RParen);
          return { kind: 'TumblingWindow', size, ...opts, pos: pos(t) } as A.TumblingWindow;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.HOPPING);
          this.CONSUME2(T.LParen);
          this.CONSUME2(T.SIZE);
          const size = this.SUBRULE2(this.duration);
          this.CONSUME(T.Comma);
          this.CONSUME(T.ADVANCE);
          this.CONSUME(T.BY);
          const advance = this.SUBRULE3(this.duration);
          const opts = this.SUBRULE2(this.windowOptions);
          this.CONSUME2(T.RParen);
          return { kind: 'HoppingWindow', size, advance, ...opts, pos: pos(t) } as A.HoppingWindow;
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(T.SESSION);
          this.CONSUME3(T.LParen);
          const gap = this.SUBRULE4(this.duration);
          const opts = this.SUBRULE3(this.windowOptions);
          this.CONSUME3(T.RParen);
          return { kind: 'SessionWindow', gap, ...opts, pos: pos(t) } as A.SessionWindow;
        },
      },
    ]);
  });

  // -------------------------------------------------------------------------------------------
  // Statements

  public statement = this.RULE('statement', (): A.Statement =>
    this.OR([
      {
        ALT: () => {
          const query = this.SUBRULE(this.query);
          return { kind: 'QueryStatement', query, pos: query.pos! } as A.QueryStatement;
        },
      },
      { ALT: () => this.SUBRULE(this.createStatement) },
      { ALT: () => this.SUBRULE(this.insertStatement) },
      { ALT: () => this.SUBRULE(this.dropStatement) },
      { ALT: () => this.SUBRULE(this.alterStatement) },
      { ALT: () => this.SUBRULE(this.showStatement) },
      { ALT: () => this.SUBRULE(this.describeStatement) },
      { ALT: () => this.SUBRULE(this.explainStatement) },
      { ALT: () => this.SUBRULE(this.printStatement) },
      { ALT: () => this.SUBRULE(this.queryControlStatement) },
      { ALT: () => this.SUBRULE(this.setStatement) },
      { ALT: () => this.SUBRULE(this.unsetStatement) },
      { ALT: () => this.SUBRULE(this.defineStatement) },
      { ALT: () => this.SUBRULE(this.undefineStatement) },
      { ALT: () => this.SUBRULE(this.runScriptStatement) },
      { ALT: () => this.SUBRULE(this.outputStatement) },
      { ALT: () => this.SUBRULE(this.spoolStatement) },
      {
        // ksqlDB's grammar has ASSERT TOPIC and ASSERT SCHEMA as alternatives of `statement` itself,
        // so ANTLR's prediction there reads past ASSERT, and a wrong second token is a "no viable
        // alternative" of the statement; the gate makes this decision look at that token too
        GATE: () => ASSERT_SECOND_TOKENS.some((t) => tokenMatcher(this.LA(2), t)),
        ALT: () => this.SUBRULE(this.assertStatement),
      },
    ]),
  );

  private properties = this.RULE('properties', (): A.Property[] => {
    const props: A.Property[] = [];
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => props.push(this.SUBRULE(this.property)) });
    this.CONSUME(T.RParen);
    return props;
  });

  private withProperties = this.RULE('withProperties', (): A.Property[] => {
    this.CONSUME(T.WITH);
    return this.SUBRULE(this.properties);
  });

  private property = this.RULE('property', (): A.Property => {
    const first = this.LA(1);
    const name = String(
      this.OR([
        { ALT: () => this.SUBRULE(this.identifier) },
        { ALT: () => this.SUBRULE(this.stringLit) },
      ]),
    ).toUpperCase();
    this.CONSUME(T.Eq);
    const value = this.SUBRULE(this.propertyValue);
    return { kind: 'Property', name, value, pos: pos(first) };
  });

  private tableElements = this.RULE('tableElements', (): A.ColumnDefinition[] => {
    const cols: A.ColumnDefinition[] = [];
    this.CONSUME(T.LParen);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => cols.push(this.SUBRULE(this.tableElement)) });
    this.CONSUME(T.RParen);
    return cols;
  });

  private tableElement = this.RULE('tableElement', (): A.ColumnDefinition => {
    const first = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const type = this.SUBRULE(this.type);
    let constraint: A.ColumnConstraint = 'NONE';
    let headerKey: string | undefined;
    this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.PRIMARY);
            this.CONSUME(T.KEY);
            constraint = 'PRIMARY_KEY';
          },
        },
        { ALT: () => (this.CONSUME2(T.KEY), (constraint = 'KEY')) },
        { ALT: () => (this.CONSUME(T.HEADERS), (constraint = 'HEADERS')) },
        {
          ALT: () => {
            this.CONSUME(T.HEADER);
            this.CONSUME(T.LParen);
            headerKey = this.SUBRULE(this.stringLit);
            this.CONSUME(T.RParen);
            constraint = 'HEADER';
          },
        },
      ]),
    );
    return compact({ kind: 'ColumnDefinition', name, type, constraint, headerKey, pos: pos(first) } as A.ColumnDefinition);
  });

  private sourceType = this.RULE('sourceType', (): A.SourceType =>
    this.OR([
      { ALT: () => (this.CONSUME(T.STREAM), 'STREAM' as const) },
      { ALT: () => (this.CONSUME(T.TABLE), 'TABLE' as const) },
    ]),
  );

  private createStatement = this.RULE('createStatement', (): A.Statement => {
    const t = this.CONSUME(T.CREATE);
    const p = pos(t);
    return this.OR([
      { ALT: () => this.SUBRULE(this.createSource, { ARGS: [p] }) },
      { ALT: () => this.SUBRULE(this.createConnector, { ARGS: [p] }) },
      { ALT: () => this.SUBRULE(this.createSink, { ARGS: [p] }) },
      { ALT: () => this.SUBRULE(this.createType, { ARGS: [p] }) },
    ]);
  });

  private createSource = this.RULE('createSource', (p: SourcePosition): A.Statement => {
    const orReplace =
      this.OPTION(() => {
        this.CONSUME(T.OR);
        this.CONSUME(T.REPLACE);
        return true;
      }) ?? false;
    const sourceTok = this.OPTION2(() => this.CONSUME(T.SOURCE));
    const sourceType = this.SUBRULE(this.sourceType);
    const ifNotExists = this.OPTION3(() => this.SUBRULE(this.ifNotExists)) ?? false;
    const name = this.SUBRULE(this.identifier);
    const columnsTok = this.LA(1);
    const columns = this.OPTION4(() => this.SUBRULE(this.tableElements));
    const properties = this.OPTION5(() => this.SUBRULE(this.withProperties)) ?? [];
    const asTok = this.LA(1);
    const query = this.OPTION6(() => {
      this.CONSUME(T.AS);
      return this.SUBRULE(this.query);
    });
    if (query === undefined) {
      return { kind: 'CreateSource', sourceType, orReplace, isSource: sourceTok !== undefined, ifNotExists, name, columns: columns ?? [], properties, pos: p };
    }
    this.ACTION(() => {
      if (sourceTok !== undefined) throw new SemanticSyntaxError(sourceTok, `CREATE SOURCE ${sourceType} cannot have AS SELECT`);
      if (columns !== undefined) throw new SemanticSyntaxError(columnsTok.tokenType === T.LParen ? columnsTok : asTok, `CREATE ${sourceType} AS SELECT cannot declare columns`);
    });
    return { kind: 'CreateAsSelect', sourceType, orReplace, ifNotExists, name, properties, query, pos: p };
  });

  private createConnector = this.RULE('createConnector', (p: SourcePosition): A.CreateConnector => {
    const connectorType = this.OR([
      { ALT: () => (this.CONSUME(T.SOURCE), 'SOURCE' as const) },
      { ALT: () => (this.CONSUME(T.SINK), 'SINK' as const) },
    ]);
    this.CONSUME(T.CONNECTOR);
    const ifNotExists = this.OPTION(() => this.SUBRULE(this.ifNotExists)) ?? false;
    const name = this.SUBRULE(this.identifier);
    const properties = this.SUBRULE(this.withProperties);
    return { kind: 'CreateConnector', connectorType, ifNotExists, name, properties, pos: p };
  });

  private createSink = this.RULE('createSink', (p: SourcePosition): A.CreateSink => {
    this.CONSUME(T.SINK);
    const ifNotExists = this.OPTION(() => this.SUBRULE(this.ifNotExists)) ?? false;
    const name = this.SUBRULE(this.identifier);
    this.CONSUME(T.FROM);
    const from = this.SUBRULE2(this.identifier);
    const properties = this.SUBRULE(this.withProperties);
    return { kind: 'CreateSink', ifNotExists, name, from, properties, pos: p };
  });

  private createType = this.RULE('createType', (p: SourcePosition): A.CreateType => {
    this.CONSUME(T.TYPE);
    const ifNotExists = this.OPTION(() => this.SUBRULE(this.ifNotExists)) ?? false;
    const name = this.SUBRULE(this.identifier);
    this.CONSUME(T.AS);
    const type = this.SUBRULE(this.type);
    return { kind: 'CreateType', ifNotExists, name, type, pos: p };
  });

  private insertStatement = this.RULE('insertStatement', (): A.Statement => {
    const t = this.CONSUME(T.INSERT);
    this.CONSUME(T.INTO);
    const target = this.SUBRULE(this.identifier);
    return this.OR([
      {
        ALT: () => {
          const properties = this.OPTION(() => this.SUBRULE(this.withProperties)) ?? [];
          const query = this.SUBRULE(this.query);
          return { kind: 'InsertIntoSelect', target, properties, query, pos: pos(t) } as A.InsertIntoSelect;
        },
      },
      {
        ALT: () => {
          const columns = this.OPTION2(() => this.SUBRULE(this.columnNames));
          this.CONSUME(T.VALUES);
          const values = this.SUBRULE(this.valueList);
          return compact({ kind: 'InsertValues', target, columns, values, pos: pos(t) } as A.InsertValues);
        },
      },
    ]);
  });

  private dropStatement = this.RULE('dropStatement', (): A.Statement => {
    const t = this.CONSUME(T.DROP);
    return this.OR([
      {
        ALT: () => {
          const sourceType = this.SUBRULE(this.sourceType);
          const ifExists = this.OPTION(() => this.SUBRULE(this.ifExists)) ?? false;
          const name = this.SUBRULE(this.identifier);
          const deleteTopic =
            this.OPTION2(() => {
              this.CONSUME(T.DELETE);
              this.CONSUME(T.TOPIC);
              return true;
            }) ?? false;
          return { kind: 'DropSource', sourceType, ifExists, name, deleteTopic, pos: pos(t) } as A.DropSource;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.TYPE);
          const ifExists = this.OPTION3(() => this.SUBRULE2(this.ifExists)) ?? false;
          const name = this.SUBRULE2(this.identifier);
          return { kind: 'DropType', ifExists, name, pos: pos(t) } as A.DropType;
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.CONNECTOR);
          const ifExists = this.OPTION4(() => this.SUBRULE3(this.ifExists)) ?? false;
          const name = this.SUBRULE3(this.identifier);
          return { kind: 'DropConnector', ifExists, name, pos: pos(t) } as A.DropConnector;
        },
      },
    ]);
  });

  private alterStatement = this.RULE('alterStatement', (): A.Statement => {
    const t = this.CONSUME(T.ALTER);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.SYSTEM);
          const name = this.SUBRULE(this.stringLit);
          this.CONSUME(T.Eq);
          const value = this.SUBRULE2(this.stringLit);
          return { kind: 'AlterSystem', name, value, pos: pos(t) } as A.AlterSystem;
        },
      },
      {
        ALT: () => {
          const sourceType = this.SUBRULE(this.sourceType);
          const name = this.SUBRULE(this.identifier);
          const addColumns: A.ColumnDefinition[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => addColumns.push(this.SUBRULE(this.alterOption)) });
          return { kind: 'AlterSource', sourceType, name, addColumns, pos: pos(t) } as A.AlterSource;
        },
      },
    ]);
  });

  private alterOption = this.RULE('alterOption', (): A.ColumnDefinition => {
    this.CONSUME(T.ADD);
    // `ADD COLUMN x INT` vs a column named COLUMN: `ADD COLUMN INT`
    this.OPTION({
      GATE: () => this.is(1, T.COLUMN) && this.is(2, T.Identifier) && (this.is(3, T.Identifier) || this.is(3, T.DECIMAL)),
      DEF: () => this.CONSUME(T.COLUMN),
    });
    const first = this.LA(1);
    const name = this.SUBRULE(this.identifier);
    const type = this.SUBRULE(this.type);
    return { kind: 'ColumnDefinition', name, type, constraint: 'NONE', pos: pos(first) };
  });

  private showStatement = this.RULE('showStatement', (): A.Show => {
    const t = this.OR([{ ALT: () => this.CONSUME(T.SHOW) }, { ALT: () => this.CONSUME(T.LIST) }]);
    const show = (target: A.ShowTarget, extended = false, all = false, connectorType?: 'SOURCE' | 'SINK'): A.Show =>
      compact({ kind: 'Show', target, extended, all, connectorType, pos: pos(t) } as A.Show);
    return this.OR2([
      { ALT: () => (this.CONSUME(T.PROPERTIES), show('PROPERTIES')) },
      {
        ALT: () => {
          const all = this.OPTION(() => this.CONSUME(T.ALL)) !== undefined;
          this.CONSUME(T.TOPICS);
          const ext = this.OPTION2(() => this.SUBRULE(this.extended)) ?? false;
          return show('TOPICS', ext, all);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.STREAMS);
          return show('STREAMS', this.OPTION3(() => this.SUBRULE2(this.extended)) ?? false);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.TABLES);
          return show('TABLES', this.OPTION4(() => this.SUBRULE3(this.extended)) ?? false);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.QUERIES);
          return show('QUERIES', this.OPTION5(() => this.SUBRULE4(this.extended)) ?? false);
        },
      },
      { ALT: () => (this.CONSUME(T.FUNCTIONS), show('FUNCTIONS')) },
      { ALT: () => (this.CONSUME(T.TYPES), show('TYPES')) },
      { ALT: () => (this.CONSUME(T.VARIABLES), show('VARIABLES')) },
      {
        ALT: () => {
          const connectorType = this.OPTION6(() =>
            this.OR3([
              { ALT: () => (this.CONSUME(T.SOURCE), 'SOURCE' as const) },
              { ALT: () => (this.CONSUME(T.SINK), 'SINK' as const) },
            ]),
          );
          this.CONSUME(T.CONNECTORS);
          return show('CONNECTORS', false, false, connectorType);
        },
      },
    ]);
  });

  private describeStatement = this.RULE('describeStatement', (): A.Statement => {
    const t = this.CONSUME(T.DESCRIBE);
    const endsHere = (k: number) => this.is(k, EOF) || this.is(k, T.EXTENDED);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          ALT: () => {
            this.CONSUME(T.STREAMS);
            const extended = this.OPTION(() => this.SUBRULE(this.extended)) ?? false;
            return { kind: 'Describe', extended, target: { kind: 'All', sourceType: 'STREAM' }, pos: pos(t) } as A.Describe;
          },
        },
        {
          GATE: () => endsHere(2),
          ALT: () => {
            this.CONSUME(T.TABLES);
            const extended = this.OPTION2(() => this.SUBRULE2(this.extended)) ?? false;
            return { kind: 'Describe', extended, target: { kind: 'All', sourceType: 'TABLE' }, pos: pos(t) } as A.Describe;
          },
        },
        {
          GATE: () => !endsHere(2),
          ALT: () => {
            this.CONSUME(T.FUNCTION);
            const name = this.SUBRULE(this.identifier);
            return { kind: 'DescribeFunction', name, pos: pos(t) } as A.DescribeFunction;
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.CONNECTOR);
            const name = this.SUBRULE2(this.identifier);
            return { kind: 'DescribeConnector', name, pos: pos(t) } as A.DescribeConnector;
          },
        },
        {
          ALT: () => {
            const before = this.OPTION3(() => this.SUBRULE3(this.extended)) ?? false;
            const name = this.SUBRULE3(this.identifier);
            const after = this.OPTION4(() => this.SUBRULE4(this.extended)) ?? false;
            return { kind: 'Describe', extended: before || after, target: { kind: 'Source', name }, pos: pos(t) } as A.Describe;
          },
        },
      ],
    });
  });

  private explainStatement = this.RULE('explainStatement', (): A.Explain => {
    const t = this.CONSUME(T.EXPLAIN);
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.is(2, EOF),
          ALT: () => {
            const queryId = this.SUBRULE(this.identifier);
            return { kind: 'Explain', target: { kind: 'QueryId', queryId }, pos: pos(t) } as A.Explain;
          },
        },
        {
          ALT: () => {
            const statement = this.SUBRULE(this.statement);
            return { kind: 'Explain', target: { kind: 'Statement', statement }, pos: pos(t) } as A.Explain;
          },
        },
      ],
    });
  });

  private printStatement = this.RULE('printStatement', (): A.Print => {
    const t = this.CONSUME(T.PRINT);
    const topic = this.SUBRULE(this.resourceName);
    const fromBeginning =
      this.OPTION(() => {
        this.CONSUME(T.FROM);
        this.CONSUME(T.BEGINNING);
        return true;
      }) ?? false;
    const interval = this.OPTION2(() => {
      this.OR([{ ALT: () => this.CONSUME(T.INTERVAL) }, { ALT: () => this.CONSUME(T.SAMPLE) }]);
      return this.SUBRULE(this.integer);
    });
    const limit = this.OPTION3(() => {
      this.CONSUME(T.LIMIT);
      return this.SUBRULE2(this.integer);
    });
    return compact({ kind: 'Print', topic, fromBeginning, interval, limit, pos: pos(t) } as A.Print);
  });

  private queryControlStatement = this.RULE('queryControlStatement', (): A.QueryControl => {
    const t = this.LA(1);
    const action = this.OR([
      { ALT: () => (this.CONSUME(T.TERMINATE), 'TERMINATE' as const) },
      { ALT: () => (this.CONSUME(T.PAUSE), 'PAUSE' as const) },
      { ALT: () => (this.CONSUME(T.RESUME), 'RESUME' as const) },
    ]);
    const queryId = this.OR2([
      { ALT: () => (this.CONSUME(T.ALL), undefined) },
      { ALT: () => this.SUBRULE(this.identifier) },
    ]);
    return compact({ kind: 'QueryControl', action, queryId, pos: pos(t) } as A.QueryControl);
  });

  private setStatement = this.RULE('setStatement', (): A.SetProperty => {
    const t = this.CONSUME(T.SET);
    const name = this.SUBRULE(this.stringLit);
    this.CONSUME(T.Eq);
    const value = this.SUBRULE2(this.stringLit);
    return { kind: 'SetProperty', name, value, pos: pos(t) };
  });

  private unsetStatement = this.RULE('unsetStatement', (): A.UnsetProperty => {
    const t = this.CONSUME(T.UNSET);
    const name = this.SUBRULE(this.stringLit);
    return { kind: 'UnsetProperty', name, pos: pos(t) };
  });

  private variableName = this.RULE('variableName', (): string => {
    const t = this.CONSUME(T.Identifier);
    return isQuotedIdentifier(t) ? identifierName(t) : t.image;
  });

  private defineStatement = this.RULE('defineStatement', (): A.DefineVariable => {
    const t = this.CONSUME(T.DEFINE);
    const name = this.SUBRULE(this.variableName);
    this.CONSUME(T.Eq);
    const value = this.SUBRULE(this.stringLit);
    return { kind: 'DefineVariable', name, value, pos: pos(t) };
  });

  private undefineStatement = this.RULE('undefineStatement', (): A.UndefineVariable => {
    const t = this.CONSUME(T.UNDEFINE);
    const name = this.SUBRULE(this.variableName);
    return { kind: 'UndefineVariable', name, pos: pos(t) };
  });

  private runScriptStatement = this.RULE('runScriptStatement', (): A.RunScript => {
    const t = this.CONSUME(T.RUN);
    this.CONSUME(T.SCRIPT);
    const path = this.SUBRULE(this.stringLit);
    return { kind: 'RunScript', path, pos: pos(t) };
  });

  private outputStatement = this.RULE('outputStatement', (): A.OutputFormat => {
    const t = this.CONSUME(T.OUTPUT);
    // `FORMAT` is optional (ksqlDB's CLI takes `OUTPUT JSON`); `OUTPUT` alone shows the current format
    const words: IToken[] = [];
    this.OPTION(() => {
      words.push(this.CONSUME(T.Identifier));
      this.OPTION2(() => words.push(this.CONSUME2(T.Identifier)));
    });
    return this.ACTION(() => {
      const [first, second] = words;
      if (second && first!.image.toUpperCase() !== 'FORMAT') throw new SemanticSyntaxError(first!, 'expected FORMAT, TABULAR or JSON');
      const word = second ?? first;
      const format = word?.image.toUpperCase();
      if (!word || (format === 'FORMAT' && !second)) return { kind: 'OutputFormat', pos: pos(t) } as A.OutputFormat;
      if (format !== 'TABULAR' && format !== 'JSON') throw new SemanticSyntaxError(word, `unknown output format '${word.image}', expected TABULAR or JSON`);
      return { kind: 'OutputFormat', format, pos: pos(t) } as A.OutputFormat;
    });
  });

  private spoolStatement = this.RULE('spoolStatement', (): A.Spool => {
    const t = this.CONSUME(T.SPOOL);
    return this.OR([
      { ALT: () => ({ kind: 'Spool', path: this.SUBRULE(this.stringLit), pos: pos(t) }) as A.Spool },
      {
        ALT: () => {
          const off = this.CONSUME(T.Identifier);
          this.ACTION(() => {
            if (off.image.toUpperCase() !== 'OFF') throw new SemanticSyntaxError(off, 'expected a quoted file name or OFF');
          });
          return { kind: 'Spool', pos: pos(t) } as A.Spool;
        },
      },
    ]);
  });

  private timeout = this.RULE('timeout', (): A.Duration => {
    this.CONSUME(T.TIMEOUT);
    return this.SUBRULE(this.duration);
  });

  private assertStatement = this.RULE('assertStatement', (): A.Statement => {
    const t = this.CONSUME(T.ASSERT);
    const p = pos(t);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.NOT);
          this.CONSUME(T.EXISTS);
          return this.OR2([
            { ALT: () => this.SUBRULE(this.assertTopic, { ARGS: [p, false] }) },
            { ALT: () => this.SUBRULE(this.assertSchema, { ARGS: [p, false] }) },
          ]);
        },
      },
      { ALT: () => this.SUBRULE2(this.assertTopic, { ARGS: [p, true] }) },
      { ALT: () => this.SUBRULE2(this.assertSchema, { ARGS: [p, true] }) },
    ]);
  });

  /**
   * The test runner's own statements (ksqlDB's `testStatement`): ASSERT VALUES, ASSERT NULL VALUES
   * and ASSERT STREAM|TABLE parse only through this entry, never as ordinary statements.
   */
  public testStatement = this.RULE('testStatement', (): A.Statement =>
    this.OR([
      { ALT: () => this.SUBRULE(this.testAssertStatement) },
      { ALT: () => this.SUBRULE(this.statement) },
    ]),
  );

  private testAssertStatement = this.RULE('testAssertStatement', (): A.Statement => {
    const t = this.CONSUME(T.ASSERT);
    const p = pos(t);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.VALUES);
          const source = this.SUBRULE(this.identifier);
          const columns = this.OPTION(() => this.SUBRULE(this.columnNames));
          this.CONSUME2(T.VALUES);
          const values = this.SUBRULE(this.valueList);
          return compact({ kind: 'AssertValues', source, columns, values, pos: p } as A.AssertValues);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.NULL);
          this.CONSUME3(T.VALUES);
          const source = this.SUBRULE2(this.identifier);
          const columns = this.OPTION2(() => this.SUBRULE2(this.columnNames));
          this.CONSUME(T.KEY);
          const values = this.SUBRULE2(this.valueList);
          return compact({ kind: 'AssertNullValues', source, columns, values, pos: p } as A.AssertNullValues);
        },
      },
      {
        ALT: () => {
          const sourceType = this.SUBRULE(this.sourceType);
          const name = this.SUBRULE3(this.identifier);
          const columns = this.OPTION3(() => this.SUBRULE(this.tableElements)) ?? [];
          const properties = this.OPTION4(() => this.SUBRULE(this.withProperties)) ?? [];
          return { kind: 'AssertSource', sourceType, name, columns, properties, pos: p } as A.AssertSource;
        },
      },
    ]);
  });

  private assertTopic = this.RULE('assertTopic', (p: SourcePosition, exists: boolean): A.AssertTopic => {
    this.CONSUME(T.TOPIC);
    const topic = this.SUBRULE(this.resourceName);
    const properties = this.OPTION(() => this.SUBRULE(this.withProperties)) ?? [];
    const timeout = this.OPTION2(() => this.SUBRULE(this.timeout));
    return compact({ kind: 'AssertTopic', exists, topic, properties, timeout, pos: p } as A.AssertTopic);
  });

  private assertSchema = this.RULE('assertSchema', (p: SourcePosition, exists: boolean): A.AssertSchema => {
    this.CONSUME(T.SCHEMA);
    const subject = this.OPTION(() => {
      this.CONSUME(T.SUBJECT);
      return this.SUBRULE(this.resourceName);
    });
    const id = this.OPTION2(() => {
      this.CONSUME(T.ID);
      return this.SUBRULE(this.integer);
    });
    const timeout = this.OPTION3(() => this.SUBRULE(this.timeout));
    return compact({ kind: 'AssertSchema', exists, subject, id, timeout, pos: p } as A.AssertSchema);
  });
}

let instance: SqlParser | undefined;

/** The one parser instance (construction analyses the whole grammar, so it is done once). */
export function sqlParser(): SqlParser {
  return (instance ??= new SqlParser());
}
