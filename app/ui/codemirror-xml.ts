import { basicSetup } from 'codemirror'
import { Compartment, EditorState, type Extension } from '@codemirror/state'
import { EditorView, keymap, lineNumbers } from '@codemirror/view'
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { tags } from '@lezer/highlight'
import { indentWithTab } from '@codemirror/commands'
import { xml } from '@codemirror/lang-xml'
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { MergeView } from '@codemirror/merge'
import type { LineError } from '@/lib/core/errors'

/*
 * CodeMirror 6 for the XML editors, loaded only in the browser (xml-editor.tsx imports this module from an effect),
 * so the server renders the plain textarea the page works with before hydration.
 */

/*
 * The look of the dashboard's inputs (slate border, sky focus ring, red when invalid), text-xs, in the colours of the
 * page's scheme: every colour is a CSS variable of globals.css (--cm-*), which follows the system's light or dark
 * setting as the rest of the page does, so the editor changes with it without being rebuilt.
 */
const dashboardTheme = EditorView.theme({
  '&': {
    fontSize: '0.75rem',
    color: 'var(--cm-text)',
    border: '1px solid var(--cm-border)',
    borderRadius: '0.375rem',
    backgroundColor: 'var(--cm-background)',
    boxShadow: '0 1px 2px 0 rgb(0 0 0 / 0.05)',
  },
  '&.cm-focused': { outline: 'none', borderColor: 'var(--cm-focus)', boxShadow: '0 0 0 1px var(--cm-focus)' },
  '.cm-content': { caretColor: 'var(--cm-text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--cm-text)' },
  '.cm-scroller': { fontFamily: 'var(--font-mono, ui-monospace, monospace)', lineHeight: '1.5' },
  '.cm-gutters': {
    backgroundColor: 'var(--cm-gutter)',
    color: 'var(--cm-muted)',
    borderRight: '1px solid var(--cm-gutter-border)',
    borderTopLeftRadius: '0.375rem',
    borderBottomLeftRadius: '0.375rem',
  },
  '.cm-activeLineGutter': { backgroundColor: 'var(--cm-active-gutter)' },
  '.cm-activeLine': { backgroundColor: 'var(--cm-active-line)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--cm-selection)',
  },
})

/** XML's tokens in the scheme's colours (the default highlighting is made for a light background only). */
const xmlHighlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: [tags.tagName, tags.angleBracket], color: 'var(--cm-tag)' },
    { tag: tags.attributeName, color: 'var(--cm-attribute)' },
    { tag: tags.attributeValue, color: 'var(--cm-value)' },
    { tag: [tags.comment, tags.processingInstruction, tags.documentMeta], color: 'var(--cm-muted)' },
    { tag: tags.invalid, color: 'var(--cm-invalid)' },
  ]),
)

const invalidTheme = EditorView.theme({ '&': { borderColor: 'var(--cm-invalid)' } })

export type XmlEditorOptions = {
  doc: string
  /** the id of the element that labels the editor, and of the texts that describe it */
  labelledBy: string
  describedBy: string
  invalid: boolean
  onChange: (text: string) => void
}

export type XmlEditorHandle = {
  view: EditorView
  /** marks the lines the server named (lines of the submitted text, which the server trimmed) */
  showLineErrors(errors: LineError[]): void
  setInvalid(invalid: boolean, describedBy: string): void
  destroy(): void
}

const contentAttributes = (labelledBy: string, describedBy: string, invalid: boolean) =>
  EditorView.contentAttributes.of({
    'aria-labelledby': labelledBy,
    'aria-describedby': describedBy,
    'aria-invalid': String(invalid),
    'aria-multiline': 'true',
  })

export function createXmlEditor(parent: HTMLElement, options: XmlEditorOptions): XmlEditorHandle {
  const attributes = new Compartment()
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc,
      extensions: [
        basicSetup,
        // Tab indents; CodeMirror lets Escape then Tab move focus on, so the editor never traps keyboard users.
        keymap.of([indentWithTab]),
        xml(),
        lintGutter(),
        xmlHighlighting,
        dashboardTheme,
        EditorView.lineWrapping,
        attributes.of([
          contentAttributes(options.labelledBy, options.describedBy, options.invalid),
          options.invalid ? invalidTheme : [],
        ]),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString())
        }),
      ],
    }),
  })
  return {
    view,
    showLineErrors: (errors) => view.dispatch(setDiagnostics(view.state, diagnosticsOf(view.state, errors))),
    setInvalid: (invalid, describedBy) =>
      view.dispatch({
        effects: attributes.reconfigure([
          contentAttributes(options.labelledBy, describedBy, invalid),
          invalid ? invalidTheme : [],
        ]),
      }),
    destroy: () => view.destroy(),
  }
}

/**
 * The server's line errors as lint diagnostics. Its lines count from the first non-blank line (the schema trims the
 * text), so the blank lines the editor starts with are added back; a line past the end marks the last one.
 */
export function diagnosticsOf(state: EditorState, errors: LineError[]): Diagnostic[] {
  const doc = state.doc
  const leadingLines = (doc.toString().match(/^\s*/)?.[0] ?? '').split('\n').length - 1
  return errors.map(({ line, column, message }) => {
    const target = doc.line(Math.min(Math.max(1, line + leadingLines), doc.lines))
    const indent = target.text.length - target.text.trimStart().length
    const from = target.from + Math.min(column === undefined ? indent : column - 1, target.length)
    return { from, to: Math.max(from, target.to), severity: 'error', message, source: 'libvirt' }
  })
}

/** The folded stretches of unchanged lines, marked with a glyph every font has (the default's is often missing). */
const diffTheme = EditorView.theme({
  '.cm-collapsedLines': { color: 'var(--cm-muted)', fontFamily: 'var(--font-sans, sans-serif)' },
  '.cm-collapsedLines:before': { content: '"↕"' },
  '.cm-collapsedLines:after': { content: '"↕"' },
})

// Only what reading needs: line numbers and highlighting, no folding or wrapping, so both sides' lines stay aligned.
const readOnlySide = (doc: string): { doc: string; extensions: Extension[] } => ({
  doc,
  extensions: [
    lineNumbers(),
    xml(),
    xmlHighlighting,
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    dashboardTheme,
    diffTheme,
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
  ],
})

/** libvirt's XML beside the edited text, the changed lines marked and long unchanged stretches folded away. */
export function createXmlDiff(parent: HTMLElement, original: string, edited: string): { destroy(): void } {
  return new MergeView({
    parent,
    a: readOnlySide(original),
    b: readOnlySide(edited),
    collapseUnchanged: { margin: 3, minSize: 6 },
  })
}
