/** Connect's ConverterConfig: every converter's config has `converter.type` (key/value/header), set by configure(props, isKey). */
import { ConfigDef } from '../api/index.js';
import { Validators } from '../transforms/util/validators.js';

export function converterConfigDef(): ConfigDef {
  return new ConfigDef().define({
    name: 'converter.type',
    type: 'STRING',
    validator: Validators.caseInsensitiveValidString('key', 'value', 'header'),
    importance: 'LOW',
    documentation: 'How this converter will be used.',
  });
}

/** the props with converter.type set as Converter.configure(props, isKey) does */
export function converterProps(props: Readonly<Record<string, string>>, isKey: boolean | undefined): Record<string, string> {
  return { ...props, 'converter.type': isKey === undefined ? 'header' : isKey ? 'key' : 'value' };
}
