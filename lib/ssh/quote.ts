import 'server-only'

/**
 * The ONE place where values become remote shell text.
 *
 * `run()` accepts only a {@link ShellCommand}, and the only way to make one is the `sh` tagged
 * template below: the literal parts are shell syntax written by us in code, and every interpolated
 * value is quoted with {@link shellQuote}. A raw user string therefore cannot reach a remote shell
 * unquoted by accident. There is deliberately no `raw()` escape hatch: constant syntax goes in the
 * template literal itself, and commands compose by interpolating other `ShellCommand`s, which are
 * inserted verbatim (they were built safely already):
 *
 *   const list = sh`virsh net-list --all --name`
 *   const cmd = sh`${list} | grep -Fx -- ${name}`      // name is quoted, list is inserted as-is
 *   const flag = force ? sh`--force` : sh``             // optional syntax
 *   const both = [a, b, c].reduce((x, y) => sh`${x} && ${y}`)
 *
 * The template's literal parts are taken RAW (like String.raw): `sh\`sed 's/\./x/'\`` sends the
 * backslash to the shell exactly as written, instead of JavaScript silently dropping it.
 */

const brand: unique symbol = Symbol.for('virtnet.ssh.ShellCommand')

/** Shell text that is safe to run: built only by `sh`, never from a raw string. */
export interface ShellCommand {
  /** The exact text the remote shell will parse. */
  readonly text: string
  readonly [brand]: true
  toString(): string
}

class ShellCommandImpl implements ShellCommand {
  readonly [brand] = true as const
  constructor(readonly text: string) {
    Object.freeze(this)
  }
  toString(): string {
    return this.text
  }
  toJSON(): string {
    return this.text
  }
}

export function isShellCommand(value: unknown): value is ShellCommand {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
}

// Characters that never need quoting in any position. `=` is excluded (a bare first word `a=b`
// would be a variable assignment), as are `~` (tilde expansion) and everything else.
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/

/**
 * Quote one argument for a POSIX shell so it arrives as exactly one word, byte for byte.
 * Single-quote style: `it's` becomes `'it'\''s'`. Plain words like `default` or `/etc/hosts` are
 * left bare for readable logs. Throws on NUL (no argv can carry it) and on lone UTF-16 surrogates
 * (they cannot be encoded as UTF-8, so the value would arrive altered).
 */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string') throw new TypeError(`shellQuote expects a string, got ${describe(arg)}`)
  if (arg.includes('\0')) throw new TypeError('A shell argument cannot contain a NUL byte')
  if (!arg.isWellFormed())
    throw new TypeError('A shell argument contains an unpaired UTF-16 surrogate and cannot be encoded')
  if (arg === '') return "''"
  if (SAFE_WORD.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** Quote every element and join with spaces: an argv for the remote shell. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ')
}

export type ShellAtom = string | number | bigint | ShellCommand
/** What `sh` accepts in `${...}`: atoms, or arrays of atoms (each becomes one word, space separated). */
export type ShellValue = ShellAtom | readonly ShellAtom[]

function atomText(value: unknown): string {
  if (isShellCommand(value)) return value.text
  if (typeof value === 'string') return shellQuote(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`sh: refusing to interpolate the number ${value}`)
    return shellQuote(String(value))
  }
  if (typeof value === 'bigint') return shellQuote(value.toString())
  // null/undefined/booleans/objects are almost certainly bugs; fail loudly instead of sending "undefined".
  throw new TypeError(
    `sh: cannot interpolate ${describe(value)}; pass a string, number, ShellCommand or an array of them`,
  )
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'a nested array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value} (${String(value)})`
}

/**
 * Tagged template that builds a {@link ShellCommand}. Interpolated strings/numbers are quoted,
 * arrays become space-separated quoted words, nested `ShellCommand`s are inserted verbatim.
 */
export function sh(strings: TemplateStringsArray, ...values: readonly ShellValue[]): ShellCommand {
  // A real template strings array is frozen and has .raw; refuse a hand-made array of user text.
  if (!Array.isArray(strings) || !Array.isArray(strings.raw) || !Object.isFrozen(strings)) {
    throw new TypeError('sh must be used as a tagged template: sh`command ${arg}`')
  }
  let text = strings.raw[0] ?? ''
  values.forEach((value, i) => {
    if (Array.isArray(value)) {
      text += (value as readonly unknown[]).map(atomText).join(' ')
    } else {
      text += atomText(value)
    }
    text += strings.raw[i + 1] ?? ''
  })
  return new ShellCommandImpl(text)
}
