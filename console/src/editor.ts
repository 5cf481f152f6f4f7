/**
 * The SQL editor: CodeMirror 6 with its SQL language under a ksqlDB dialect (Sluice's own keyword
 * list and types), completion of keywords, streams, tables, columns and functions from the live
 * catalog, and errors marked at their position.
 */
import { autocompletion, completionKeymap, type Completion, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { SQLDialect, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';

export interface CatalogInfo {
  sources: { name: string; type: string; topic: string; columns: { name: string; type: string; key: boolean }[] }[];
  functions: { name: string; kind: string; description: string; signatures: string[] }[];
  types: { name: string; type: string }[];
  keywords: string[];
}

const TYPES = 'boolean int integer bigint double decimal varchar string bytes date time timestamp array map struct';

function dialect(keywords: string[]): SQLDialect {
  return SQLDialect.define({
    keywords: keywords.map((k) => k.toLowerCase()).join(' '),
    types: TYPES,
    builtin: '',
    backslashEscapes: false,
    doubleQuotedStrings: false,
    identifierQuotes: '`',
    hashComments: false,
    spaceAfterDashes: false,
  });
}

export class SqlEditor {
  readonly view: EditorView;
  private readonly language = new Compartment();
  private catalog: CatalogInfo = { sources: [], functions: [], types: [], keywords: [] };

  constructor(parent: HTMLElement, initial: string, keys: { run: () => void; runCurrent: () => void }) {
    const functionCompletions = (context: CompletionContext) => {
      const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
      if (!word || (word.from === word.to && !context.explicit)) return null;
      const options: Completion[] = this.catalog.functions.map((f) => ({ label: f.name, type: 'function', detail: f.kind.toLowerCase(), info: `${f.signatures.slice(0, 4).join('\n')}\n\n${f.description}`, apply: `${f.name}(`, boost: -1 }));
      for (const t of this.catalog.types) options.push({ label: t.name, type: 'type', detail: t.type });
      return { from: word.from, options, validFor: /^[A-Za-z0-9_]*$/ };
    };
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          history(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          placeholder('CREATE STREAM ... ;  SELECT * FROM ... EMIT CHANGES;'),
          this.language.of(this.languageFor()),
          autocompletion({ override: null }),
          EditorState.languageData.of(() => [{ autocomplete: functionCompletions }]),
          lintGutter(),
          Prec.highest(
            keymap.of([
              { key: 'Mod-Enter', run: () => (keys.run(), true) },
              { key: 'Shift-Mod-Enter', run: () => (keys.runCurrent(), true) },
            ]),
          ),
          keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        ],
      }),
    });
  }

  private languageFor() {
    const schema: Record<string, string[]> = {};
    for (const s of this.catalog.sources) schema[s.name] = s.columns.map((c) => c.name);
    return sql({ dialect: dialect(this.catalog.keywords.length ? this.catalog.keywords : ['select', 'from', 'where', 'create', 'stream', 'table', 'emit', 'changes']), schema, upperCaseKeywords: true });
  }

  /** New catalog: completion follows it. */
  setCatalog(catalog: CatalogInfo): void {
    this.catalog = catalog;
    this.view.dispatch({ effects: this.language.reconfigure(this.languageFor()) });
  }

  get text(): string {
    return this.view.state.doc.toString();
  }

  set text(value: string) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: value } });
  }

  get cursor(): number {
    return this.view.state.selection.main.head;
  }

  /** Marks an error at an offset of the document (to the end of the word there). */
  markError(offset: number, message: string): void {
    const doc = this.view.state.doc;
    const from = Math.max(0, Math.min(offset, doc.length));
    const rest = doc.sliceString(from, Math.min(doc.length, from + 80));
    const word = /^[A-Za-z0-9_`'.]+/.exec(rest)?.[0].length ?? 1;
    const to = Math.min(doc.length, from + Math.max(1, word));
    this.view.dispatch(setDiagnostics(this.view.state, [{ from, to, severity: 'error', message }]));
    this.view.dispatch({ selection: { anchor: from }, scrollIntoView: true });
  }

  clearError(): void {
    this.view.dispatch(setDiagnostics(this.view.state, []));
  }
}
