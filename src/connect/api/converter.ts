/** Converters turn Connect data into bytes and back (Connect's Converter and HeaderConverter). */
import type { ConfigDef } from './config-def.js';
import type { ConnectHeader } from './connect-record.js';
import type { Schema } from './schema.js';

export interface SchemaAndValue {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export interface Converter {
  config(): ConfigDef;
  /** props without the `key.converter.`/`value.converter.` prefix */
  configure(props: Readonly<Record<string, string>>, isKey: boolean): void;
  fromConnectData(topic: string, headers: readonly ConnectHeader[], schema: Schema | null, value: unknown): Buffer | null;
  /** throws DataError (schema.ts) for bytes it cannot read */
  toConnectData(topic: string, headers: readonly ConnectHeader[], value: Buffer | null): SchemaAndValue;
}

export type ConverterFactory = () => Converter;

/**
 * Connect's HeaderConverter (`header.converter`, by default SimpleHeaderConverter): one header
 * value <-> bytes. JsonConverter, StringConverter, ByteArrayConverter and the number converters
 * are header converters too.
 */
export interface HeaderConverter {
  config(): ConfigDef;
  configure(props: Readonly<Record<string, string>>): void;
  fromConnectHeader(topic: string, headerKey: string, schema: Schema | null, value: unknown): Buffer | null;
  toConnectHeader(topic: string, headerKey: string, value: Buffer | null): SchemaAndValue;
}

export type HeaderConverterFactory = () => HeaderConverter;
