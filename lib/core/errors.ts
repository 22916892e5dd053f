/*
 * The errors every layer may throw and every door (server actions, API, scripts) knows how to show. They sit at
 * the bottom of lib/ so that no folder has to import a higher one to throw them. Transport errors (SshError and
 * its family) stay with lib/ssh, and a failed plan (PlanFailedError) with lib/plan: they carry those layers' data.
 */

/** A problem found at one line of a multi-line field (an XML document): the editor marks it there. */
export type LineError = { line: number; column?: number; message: string }

/**
 * Thrown by domain code when input is well-formed but wrong for the host (a subnet that overlaps, a name taken).
 * `lines`: where in a field's text the problems are, when that is known (1-based lines of the text as submitted).
 */
export class FieldErrors extends Error {
  constructor(
    readonly errors: Record<string, string[]>,
    message = 'Please correct the highlighted fields.',
    readonly lines: Record<string, LineError[]> = {},
  ) {
    super(message)
  }
}

/** An error whose message is written for the operator and safe to show as is. */
export class OperatorError extends Error {}

/**
 * A preview (dry run) reached something it may not do: a write to Virtnet's own records, or the end of an action that
 * has no host plan to show. The preview stops there; nothing changed.
 */
export class NothingToPreview extends OperatorError {
  constructor(readonly reason: string) {
    super(`There is no preview of this action: ${reason}. Nothing changed.`)
  }
}

/** The signed-in user (or nobody) may not do this; `role` is the user's role, or null when nobody is signed in. */
export class NotAuthorizedError extends Error {
  constructor(
    readonly user: { id: string; username: string; role: string } | null,
    readonly permission: string,
  ) {
    super(user ? `Your role (${user.role}) does not allow this.` : 'You are not signed in.')
  }
}

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
    const where =
      position?.line === undefined
        ? ''
        : ` (line ${position.line}${position.column === undefined ? '' : `, column ${position.column}`})`
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
