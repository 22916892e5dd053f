import 'server-only'

/**
 * Raised when command output or an XML document is not what we expect.
 * `source` names what was being read (e.g. "virsh net-list") so an operator can tell which
 * command misbehaved; `line` (1-based) points into the input when the problem is local.
 */
export class ParseError extends Error {
  readonly source: string
  /** The message without source and position, e.g. for re-wrapping in another error. */
  readonly reason: string
  readonly line: number | undefined
  readonly column: number | undefined

  constructor(source: string, rawMessage: string, position?: { line?: number; column?: number }) {
    const message = shorten(rawMessage)
    const where = position?.line === undefined ? '' : ` (line ${position.line}${position.column === undefined ? '' : `, column ${position.column}`})`
    super(`${source}: ${message}${where}`)
    this.name = 'ParseError'
    this.source = source
    this.reason = message
    this.line = position?.line
    this.column = position?.column
  }
}

// Messages quote the offending input; keep them one short line even when the input is huge or multi-line.
const MAX_MESSAGE = 240

function shorten(message: string): string {
  const oneLine = message.replace(/\r?\n/g, '\\n').replace(/[\x00-\x1F\x7F]/g, '?')
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE - 1)}…` : oneLine
}
