import 'server-only'
import { frameScript } from './frame'
import { shellQuote } from './quote'

/**
 * Shell text sent to a pool shell (see frame.ts for the framing around each command).
 *
 * Per command:
 *
 *   read -r __vn_u _ </proc/uptime; printf '%12d\n' $((${__vn_u%.*}+SECS)) 1<>"$__vn_w"   # arm watchdog
 *   [printf %s 'BASE64' | base64 -d |] ( eval 'COMMAND' ) [</dev/null]
 *   __vn_s=$?; printf '%12d\n' 0 1<>"$__vn_w"; __vn_rc $__vn_s                           # disarm, keep $?
 *
 * (The state file is rewritten in place with fixed-width values: `1<>` opens it without O_TRUNC,
 * because truncating a file on ext4 costs ~150 us, more than the rest of the command.)
 *
 * - The command text travels as ONE single-quoted argument to `eval` in a subshell: nothing in it
 *   (syntax errors, unbalanced quotes, `exit`, `cd`, variables, traps, `set -e`) can affect the pool
 *   shell or the next command. `eval` is a builtin, so the only cost is one fork (no exec), and
 *   there is no ARG_MAX limit on the command's size.
 * - stdin is /dev/null, so a command that reads stdin cannot swallow the channel's later input; when
 *   the caller passes stdin it arrives base64-encoded inside the script (base64 is quote-safe; printf
 *   is a builtin, so megabytes are fine) and is decoded on the host.
 * - Remote deadline without a process per command: each pool shell has one background watchdog
 *   (started by the setup script) that polls a small state file holding the running command's
 *   deadline in /proc/uptime seconds (every 5 s while armed, every 15 s while idle, so a command is
 *   stopped at most ~20 s after its deadline). Past the deadline it sends SIGTERM, then SIGKILL 5 s
 *   later, to the pool shell's process group: sshd puts every exec channel in its own session and
 *   process group, so that group is exactly this channel's shell, its watchdog and the command's
 *   processes (commands that daemonize with setsid escape it, as they should). This is the
 *   backstop for when the dashboard is gone (crash, restart, network loss); normally the dashboard
 *   stops a timed-out or cancelled command itself, at once, from another channel (killScript).
 */

/** Grace period between SIGTERM and SIGKILL. */
export const KILL_AFTER_SECONDS = 5
/** How often the watchdog wakes up while a command with a deadline runs, and while the shell is idle. */
export const WATCHDOG_POLL = { armedSeconds: 5, idleSeconds: 15 }

export type ScriptOptions = {
  /** Remote deadline in seconds from now; undefined = none. */
  timeoutSeconds?: number
  /** stdin bytes already base64-encoded (no newlines), or undefined for /dev/null. */
  stdinBase64?: string
  /** stdinBase64 holds the bytes gzip-compressed (only for a shell whose setup found gzip): decoded on the host. */
  stdinGzip?: boolean
}

export function commandScript(nonce: string, command: string, options: ScriptOptions = {}): string {
  if (command.includes('\0')) throw new TypeError('A command cannot contain a NUL byte')
  const arm =
    options.timeoutSeconds === undefined
      ? ''
      : `read -r __vn_u _ </proc/uptime; printf '%12d\\n' $((\${__vn_u%.*}+${Math.max(1, Math.ceil(options.timeoutSeconds))})) 1<>"$__vn_w"; `
  const disarm = options.timeoutSeconds === undefined ? '' : ` printf '%12d\\n' 0 1<>"$__vn_w";`
  const input = options.stdinBase64
    ? `printf %s '${assertBase64(options.stdinBase64)}' | base64 -d | ${options.stdinGzip ? 'gzip -dc | ' : ''}`
    : ''
  const noInput = options.stdinBase64 ? '' : ' </dev/null'
  return frameScript(
    nonce,
    `${arm}${input}( eval ${shellQuote(command)} )${noInput}; __vn_s=$?;${disarm} __vn_rc $__vn_s`,
  )
}

const watchdog = ({ armedSeconds, idleSeconds }: typeof WATCHDOG_POLL) =>
  [
    `trap '' TERM INT HUP`,
    `while kill -0 "$__vn_p" 2>/dev/null; do`,
    `  __vn_d=0; read -r __vn_d <"$__vn_w" 2>/dev/null; __vn_n=${idleSeconds}`,
    `  if [ "\${__vn_d:-0}" -gt 0 ] 2>/dev/null; then`,
    `    read -r __vn_u _ </proc/uptime; __vn_u=\${__vn_u%.*}`,
    `    if [ "$__vn_u" -ge "$__vn_d" ]; then`,
    `      if [ -n "$__vn_k" ]; then kill -TERM "$__vn_k"; else pkill -TERM -P "$__vn_p"; fi`,
    `      sleep ${KILL_AFTER_SECONDS}; rm -f "$__vn_w"`,
    `      if [ -n "$__vn_k" ]; then kill -KILL "$__vn_k"; else pkill -KILL -P "$__vn_p"; fi`,
    `      exit 0`,
    `    fi`,
    `    __vn_n=$((__vn_d - __vn_u)); [ "$__vn_n" -le ${armedSeconds} ] || __vn_n=${armedSeconds}`,
    `  fi`,
    `  sleep "$__vn_n"`,
    `done`,
    `rm -f "$__vn_w"`,
  ].join('\n')

/**
 * First script on a new pool channel, run in the pool shell itself (not a subshell) so its
 * variables persist: records the shell's pid / process group / session, defines `__vn_rc` (sets $?
 * without a fork), creates the watchdog state file, starts the watchdog and prints
 * `PID PGID SID STATEFILE`. Its failure (e.g. `sudo -n` refused, no writable /tmp) is reported
 * with the host's own words.
 */
export function setupScript(nonce: string, poll: typeof WATCHDOG_POLL = WATCHDOG_POLL): string {
  if (![poll.armedSeconds, poll.idleSeconds].every((n) => Number.isInteger(n) && n >= 1))
    throw new Error('invalid poll interval')
  return frameScript(
    nonce,
    [
      `__vn_p=$$; read -r _ _ _ _ __vn_g __vn_sid _ </proc/$$/stat`,
      // Kill by process group only when the group is this channel's own (sshd calls setsid per channel).
      `__vn_k=; if [ "$__vn_g" -gt 1 ] 2>/dev/null && { [ "$__vn_g" = "$__vn_sid" ] || [ "$__vn_g" = "$__vn_p" ]; }; then __vn_k=-$__vn_g; fi`,
      `__vn_rc() { return "$1"; }`,
      // Remove state files left by pool shells that are gone without cleaning up (watchdog SIGKILLed).
      `for __vn_f in "\${TMPDIR:-/tmp}"/virtnet-watchdog.*.*; do [ -O "$__vn_f" ] || continue; __vn_o=\${__vn_f##*/virtnet-watchdog.}; __vn_o=\${__vn_o%%.*}; [ -d "/proc/$__vn_o" ] || rm -f "$__vn_f"; done`,
      `__vn_w=$(mktemp "\${TMPDIR:-/tmp}/virtnet-watchdog.$$.XXXXXXXX") && printf '%12d\\n' 0 >"$__vn_w" && { (\n${watchdog(poll)}\n) </dev/null >/dev/null 2>&1 & }`,
      `__vn_e=$?`,
      `if [ $__vn_e -eq 0 ] && ! command -v base64 >/dev/null 2>&1; then echo 'base64 (coreutils) is missing on the host' >&2; __vn_e=1; fi`,
      // Whether large stdin may travel gzip-compressed (a megabyte of rules shrinks to a few dozen kilobytes).
      `__vn_z=-; command -v gzip >/dev/null 2>&1 && __vn_z=gzip`,
      `__vn_rc $__vn_e && echo "$__vn_p \${__vn_k:-0} $__vn_w $__vn_z"`,
    ].join('\n'),
  )
}

export type ShellInfo = { pid: number; killTarget: string | null; stateFile: string; gzip: boolean }

/** Parse the setup script's output (`PID -PGID|0 STATEFILE gzip|-`). */
export function parseSetupOutput(stdout: string): ShellInfo | null {
  const m = /^(\d+) (-\d+|0) (\/\S+) (gzip|-)\n?$/.exec(stdout)
  if (!m) return null
  const pid = Number(m[1])
  const group = m[2] === '0' ? null : m[2]!
  if (!(pid > 1) || (group !== null && !(Number(group) < -1))) return null
  return { pid, killTarget: group, stateFile: m[3]!, gzip: m[4] === 'gzip' }
}

/** Command (run from another channel) that stops everything a discarded pool shell was running. */
export function killScript(info: ShellInfo): string {
  const term = info.killTarget ? `kill -TERM ${info.killTarget}` : `pkill -TERM -P ${info.pid}`
  const kill = info.killTarget ? `kill -KILL ${info.killTarget}` : `pkill -KILL -P ${info.pid}; kill -KILL ${info.pid}`
  return `${term} 2>/dev/null; ( sleep ${KILL_AFTER_SECONDS}; rm -f ${shellQuote(info.stateFile)}; ${kill} 2>/dev/null ) </dev/null >/dev/null 2>&1 &`
}

function assertBase64(text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Error('stdin must be base64 without newlines')
  return text
}
