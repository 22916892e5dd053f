/** Thrown by domain code when input is well-formed but wrong for the host (a subnet that overlaps, a name taken). */
export class FieldErrors extends Error {
  constructor(
    readonly errors: Record<string, string[]>,
    message = 'Please correct the highlighted fields.',
  ) {
    super(message)
  }
}

/** An error whose message is written for the operator and safe to show as is. */
export class OperatorError extends Error {}
