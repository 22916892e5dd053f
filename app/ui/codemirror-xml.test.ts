import { describe, expect, it } from 'vitest'
import { EditorState } from '@codemirror/state'
import { diagnosticsOf } from '@/app/ui/codemirror-xml'

/* The server's line errors become lint diagnostics on the lines of the text in the editor. */

const doc = '<network>\n  <name>x</name>\n  <bogus/>\n</network>'

describe('diagnosticsOf', () => {
  it('marks the named line from its first non-blank character to its end, or from the column given', () => {
    const state = EditorState.create({ doc })
    const [whole, atColumn] = diagnosticsOf(state, [
      { line: 3, message: 'Element network has extra content: bogus' },
      { line: 2, column: 4, message: 'here' },
    ])
    expect(state.sliceDoc(whole!.from, whole!.to)).toBe('<bogus/>')
    expect(whole).toMatchObject({ severity: 'error', message: 'Element network has extra content: bogus' })
    expect(state.sliceDoc(atColumn!.from, atColumn!.to)).toBe('name>x</name>')
  })

  it('adds back the blank lines the server trimmed off the start, and keeps a line past the end inside the text', () => {
    const state = EditorState.create({ doc: `\n  \n${doc}` })
    const [moved, past] = diagnosticsOf(state, [
      { line: 3, message: 'a' },
      { line: 40, message: 'b' },
    ])
    expect(state.sliceDoc(moved!.from, moved!.to)).toBe('<bogus/>')
    expect(state.sliceDoc(past!.from, past!.to)).toBe('</network>')
  })
})
