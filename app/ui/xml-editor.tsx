'use client'

import { useEffect, useRef, useState } from 'react'
import type { FormState } from '@/lib/actions/form-state'
import type { LineError } from '@/lib/core/errors'
import { FieldError } from '@/app/ui/form-status'
import { HiddenFields } from '@/app/ui/hidden-fields'
import type { XmlEditorHandle } from '@/app/ui/codemirror-xml'

const loadCodeMirror = () => import('@/app/ui/codemirror-xml')

/**
 * The field of a form that edits a libvirt document as XML (a network, a network filter): the hidden fields that
 * say which definition it edits, a code editor posting the text as `xml`, libvirt's refusals shown on the field and
 * on their lines, and libvirt's current XML beside the edit on request. The server renders a plain textarea named
 * `xml`, which works before hydration; CodeMirror replaces it in the browser, taking over whatever was typed.
 */
export function XmlEditField({
  label,
  hostId,
  name,
  xml,
  version,
  state,
}: {
  label: string
  hostId: string
  name: string
  /** libvirt's current XML: the start of the edit, and the left side of the comparison */
  xml: string
  /** the definitionVersion of `xml`, posted as `base` so an edit made on an older definition is refused */
  version: string
  /** the form's answer: its errors on `xml` and where they are */
  state: FormState
}) {
  // a form posted before hydration comes back rendered on the server with what was typed
  // virsh ends its XML with a blank line, which the editor need not show
  const current = `${xml.trimEnd()}\n`
  const [text, setText] = useState(state.values?.xml ?? current)
  const [comparing, setComparing] = useState(false)
  const invalid = Boolean(state.errors.xml?.length)
  return (
    <div>
      <HiddenFields fields={{ hostId, name, base: version }} />
      <XmlEditor
        id="xml"
        label={label}
        text={text}
        onChange={setText}
        invalid={invalid}
        lineErrors={state.errorLines?.xml}
      />
      <FieldError state={state} name="xml" />
      <button
        type="button"
        className="btn btn-sm mt-2"
        aria-expanded={comparing}
        aria-controls="xml-compare"
        onClick={() => setComparing(!comparing)}
      >
        {comparing ? 'Hide the comparison' : "Compare with libvirt's XML"}
      </button>
      {comparing && <XmlComparison id="xml-compare" original={current} edited={text} />}
    </div>
  )
}

/** The code editor itself, with the textarea it replaces; `id` names the posted field too. */
function XmlEditor({
  id,
  label,
  text,
  onChange,
  invalid,
  lineErrors,
}: {
  id: string
  label: string
  text: string
  onChange: (text: string) => void
  invalid: boolean
  lineErrors: LineError[] | undefined
}) {
  const fallback = useRef<HTMLTextAreaElement>(null)
  const host = useRef<HTMLDivElement>(null)
  const [editor, setEditor] = useState<XmlEditorHandle | null>(null)
  const errorId = `${id}-error`
  const describedBy = invalid ? `${id}-keys ${errorId}` : `${id}-keys`

  useEffect(() => {
    let handle: XmlEditorHandle | null = null
    let cancelled = false
    void loadCodeMirror().then(({ createXmlEditor }) => {
      if (cancelled || !host.current) return
      // what was typed into the textarea before the editor arrived is kept
      const typed = fallback.current?.value ?? text
      if (typed !== text) onChange(typed)
      handle = createXmlEditor(host.current, {
        doc: typed,
        labelledBy: `${id}-label`,
        describedBy,
        invalid,
        onChange,
      })
      setEditor(handle)
    })
    return () => {
      cancelled = true
      handle?.destroy()
    }
    // created once; the effects below carry later changes of its inputs into it
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  useEffect(() => editor?.setInvalid(invalid, describedBy), [editor, invalid, describedBy])
  useEffect(() => editor?.showLineErrors(lineErrors ?? []), [editor, lineErrors])

  return (
    <>
      <label className="label" id={`${id}-label`} htmlFor={id} onClick={() => editor?.view.focus()}>
        {label}
      </label>
      {editor ? (
        <input type="hidden" name={id} value={text} />
      ) : (
        <textarea
          ref={fallback}
          id={id}
          name={id}
          className="input h-96 font-mono text-xs"
          spellCheck={false}
          defaultValue={text}
          aria-invalid={invalid}
          aria-describedby={invalid ? errorId : undefined}
        />
      )}
      <div ref={host} data-testid={`${id}-editor`} className="[&_.cm-editor]:max-h-[36rem] [&_.cm-editor]:min-h-96" />
      {editor && (
        <p id={`${id}-keys`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          Tab indents. To leave the editor with the keyboard, press Escape, then Tab.
        </p>
      )}
    </>
  )
}

/** libvirt's current XML (left) beside the edited text (right), built in the browser when it is asked for. */
function XmlComparison({ id, original, edited }: { id: string; original: string; edited: string }) {
  const host = useRef<HTMLDivElement>(null)
  useEffect(() => {
    let diff: { destroy(): void } | null = null
    let cancelled = false
    void loadCodeMirror().then(({ createXmlDiff }) => {
      if (!cancelled && host.current) diff = createXmlDiff(host.current, original, edited)
    })
    return () => {
      cancelled = true
      diff?.destroy()
    }
  }, [original, edited])
  return (
    <section id={id} aria-label="libvirt's XML beside your edit" className="card mt-2 space-y-2 p-2">
      <div className="grid grid-cols-2 gap-2 text-xs font-medium text-slate-600 dark:text-slate-400">
        <p>libvirt&apos;s current XML</p>
        <p>Your edit</p>
      </div>
      <div ref={host} data-testid={`${id}-diff`} className="overflow-x-auto" />
    </section>
  )
}
