import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParseError } from '../../src/common/errors.js';
import type * as A from '../../src/sql/ast.js';
import { parseStatements, stripPositions } from '../../src/sql/parse.js';

describe('variable substitution', () => {
  it('DEFINE applies to later statements, UNDEFINE removes', () => {
    const ps = parseStatements(
      "DEFINE fmt = 'JSON';\nDEFINE Name = 'pv';\nCREATE STREAM ${name} (id INT) WITH (kafka_topic='${name}_topic', value_format='${FMT}');\nUNDEFINE fmt;\nSELECT '${fmt}' FROM ${name};",
    );
    const create = ps[2]!.statement as A.CreateSource;
    assert.equal(create.name, 'PV');
    assert.deepEqual(stripPositions(create.properties).map((p) => [p.name, p.value]), [
      ['KAFKA_TOPIC', { kind: 'StringLiteral', value: 'pv_topic' }],
      ['VALUE_FORMAT', { kind: 'StringLiteral', value: 'JSON' }],
    ]);
    assert.equal(ps[2]!.text, "CREATE STREAM pv (id INT) WITH (kafka_topic='pv_topic', value_format='JSON');");
    assert.equal(ps[2]!.pos.line, 3);
    // an undefined variable inside a string is left as written
    const q = (ps[4]!.statement as A.QueryStatement).query;
    assert.deepEqual(stripPositions(q.select[0]), { kind: 'SingleColumn', expression: { kind: 'StringLiteral', value: '${fmt}' } });
  });

  it('takes initial variables from the options without changing them', () => {
    const vars = new Map([['lim', '3']]);
    const ps = parseStatements("SELECT * FROM s LIMIT ${lim}; DEFINE Lim = '4'; SELECT * FROM s LIMIT ${LIM};", { variables: vars });
    assert.equal((ps[0]!.statement as A.QueryStatement).query.limit, 3);
    assert.equal((ps[2]!.statement as A.QueryStatement).query.limit, 4);
    assert.equal(vars.get('lim'), '3');
  });

  it('rejects an undefined variable outside strings with its position', () => {
    try {
      parseStatements('SHOW STREAMS;\nSELECT * FROM ${nope};');
      assert.fail('expected a ParseError');
    } catch (e) {
      assert.ok(e instanceof ParseError);
      assert.deepEqual(e.position, { line: 2, column: 15, offset: 28 });
      assert.match(e.message, /variable '\$\{nope\}' is not defined/);
    }
  });

  it('reports errors in substituted statements at the statement', () => {
    try {
      parseStatements("DEFINE x = 'FROM';\nSELECT * ${x} ${x} s;");
      assert.fail('expected a ParseError');
    } catch (e) {
      assert.ok(e instanceof ParseError);
      assert.equal(e.position?.line, 2);
      assert.match(e.message, /Syntax Error\nextraneous input 'FROM' expecting /);
    }
  });
});
