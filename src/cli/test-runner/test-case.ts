/** The conformance test format (ksqlDB's query-validation tests), loaded and expanded. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isSupportedFormat, parseJsonText } from '../../index.js';

const KNOWN_FORMATS = new Set(['JSON', 'DELIMITED', 'KAFKA', 'NONE', 'AVRO', 'PROTOBUF', 'PROTOBUF_NOSR', 'JSON_SR']);

export interface TestRecord {
  readonly topic: string;
  readonly key?: unknown;
  readonly value: unknown;
  readonly timestamp?: number;
  readonly headers?: readonly { readonly KEY: string; readonly VALUE: string | null }[];
  readonly window?: { readonly start: number; readonly end: number; readonly type: string };
}

export interface PostSource {
  readonly name: string;
  readonly type: string;
  readonly schema?: string;
  readonly keyFormat?: { readonly format: string };
  readonly valueFormat?: string;
}

/** A topic the case declares, possibly with schemas registered for it in the schema registry. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions?: number;
  readonly keyFormat?: string;
  readonly valueFormat?: string;
  readonly keySchema?: unknown;
  readonly valueSchema?: unknown;
  readonly keySchemaId?: number;
  readonly valueSchemaId?: number;
  readonly valueSchemaReferences?: readonly { readonly name: string; readonly format?: string; readonly schema: unknown }[];
}

export interface TestCase {
  readonly file: string;
  readonly name: string;
  readonly statements: readonly string[];
  readonly inputs: readonly TestRecord[];
  readonly outputs: readonly TestRecord[];
  readonly expectedException?: { readonly type?: string; readonly message?: string };
  readonly post?: { readonly sources?: readonly PostSource[]; readonly topics?: { readonly blacklist?: string } };
  readonly properties: Readonly<Record<string, unknown>>;
  readonly topics: readonly TopicSpec[];
  /** set when the case is not run, with the reason */
  readonly skip?: string;
  /** REST cases (rest-query-validation-tests): the expected responses of the statements */
  readonly responses?: readonly Record<string, unknown>[];
  /** REST cases: the error the last statement must fail with */
  readonly expectedError?: { readonly type?: string; readonly message?: string; readonly status?: number };
  /** REST cases: each pull query is also answered in the REST API's protobuf format */
  readonly testPullWithProtoFormat?: boolean;
  /** REST cases: produce the inputs once the (push) query has started */
  readonly inputConditions?: { readonly waitForQueryHeader?: boolean; readonly waitForActivePushQuery?: boolean };
}

interface RawCase {
  name: string;
  statements: string[];
  inputs?: TestRecord[];
  outputs?: TestRecord[];
  expectedException?: { type?: string; message?: string };
  post?: TestCase['post'];
  properties?: Record<string, unknown>;
  topics?: TopicSpec[];
  format?: string[];
  config?: string[];
  enabled?: boolean;
  responses?: Record<string, unknown>[];
  expectedError?: TestCase['expectedError'];
  inputConditions?: TestCase['inputConditions'];
  testPullWithProtoFormat?: boolean;
}

/** a format Sluice does not support yet: the case is skipped, with the reason */
const unsupportedFormat = (name: string) => !isSupportedFormat(name.toUpperCase()) && KNOWN_FORMATS.has(name.toUpperCase());
const FORMAT_PROPERTY = /(?:KEY_FORMAT|VALUE_FORMAT|FORMAT)\s*=\s*'([A-Za-z_]+)'/gi;

export function expandCases(file: string, raw: { tests?: RawCase[] }): TestCase[] {
  const out: TestCase[] = [];
  for (const t of raw.tests ?? []) {
    const formats = t.format?.length ? t.format : [undefined];
    const configs = t.config?.length ? t.config : [undefined];
    for (const format of formats)
      for (const config of configs) {
        const sub = (s: string) => s.replaceAll('{FORMAT}', format ?? '{FORMAT}').replaceAll('{CONFIG}', config ?? '{CONFIG}');
        const statements = t.statements.map(sub);
        const suffix = [format, config].filter(Boolean).join(' - ');
        const name = suffix ? `${t.name} - ${suffix}` : t.name;
        const defaultFormats = [t.properties?.['ksql.persistence.default.format.value'], t.properties?.['ksql.persistence.default.format.key']].filter(
          (x): x is string => typeof x === 'string',
        );
        const used = [...statements.flatMap((s) => [...s.matchAll(FORMAT_PROPERTY)].map((m) => m[1]!)), ...defaultFormats];
        const unsupported = used.find(unsupportedFormat);
        const skip = t.enabled === false ? 'disabled in the suite' : unsupported ? `format ${unsupported.toUpperCase()} is not supported yet` : undefined;
        out.push({
          file: basename(file),
          name,
          statements,
          inputs: t.inputs ?? [],
          outputs: t.outputs ?? [],
          ...(t.expectedException ? { expectedException: t.expectedException } : {}),
          ...(t.post ? { post: t.post } : {}),
          properties: t.properties ?? {},
          topics: t.topics ?? [],
          ...(skip ? { skip } : {}),
          ...(t.responses ? { responses: t.responses } : {}),
          ...(t.expectedError ? { expectedError: t.expectedError } : {}),
          ...(t.inputConditions ? { inputConditions: t.inputConditions } : {}),
          ...(t.testPullWithProtoFormat ? { testPullWithProtoFormat: true } : {}),
        });
      }
  }
  return out;
}

export async function loadCaseFile(path: string): Promise<TestCase[]> {
  const text = await readFile(path, 'utf8');
  let json: { tests?: RawCase[] };
  try {
    json = parseJsonText(text) as { tests?: RawCase[] };
  } catch (e) {
    throw new Error(`${path}: not a JSON case file (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!json || typeof json !== 'object' || !Array.isArray(json.tests)) throw new Error(`${path}: not a case file (no "tests" array)`);
  return expandCases(path, json);
}

/** ksql-test-runner's form: a statements file, an inputs file and an outputs file. */
export async function loadRunnerCase(statementsPath: string, inputPath: string | undefined, outputPath: string): Promise<TestCase> {
  const { parseStatements } = await import('../../index.js');
  const sql = await readFile(statementsPath, 'utf8');
  const statements = parseStatements(sql).map((s) => s.text);
  const inputs = inputPath ? ((parseJsonText(await readFile(inputPath, 'utf8')) as { inputs?: TestRecord[] }).inputs ?? []) : [];
  const outputs = (parseJsonText(await readFile(outputPath, 'utf8')) as { outputs?: TestRecord[] }).outputs ?? [];
  return { file: basename(statementsPath), name: basename(statementsPath), statements, inputs, outputs, properties: {}, topics: [] };
}
