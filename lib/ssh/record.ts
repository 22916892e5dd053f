import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import type { CommandRecord } from './types'

/**
 * Audit-trail recorder. Every command run() executes inside `recordCommands(fn)` (across awaits,
 * timers and promise chains started within fn) is appended to that call's list, including
 * failed, timed-out and cancelled ones. Recorders nest: an inner call's commands also appear in
 * every enclosing recorder.
 */

type Recorder = {
  commands: CommandRecord[]
  parent: Recorder | undefined
  onCommand: ((record: CommandRecord) => void) | undefined
}

// On globalThis so a Next.js dev hot reload of this module keeps one store for in-flight requests.
const STORAGE_KEY = Symbol.for('virtnet.ssh.commandRecorder')
const storage: AsyncLocalStorage<Recorder> = ((globalThis as Record<symbol, unknown>)[STORAGE_KEY] ??=
  new AsyncLocalStorage<Recorder>()) as AsyncLocalStorage<Recorder>

const commandsByError = new WeakMap<object, CommandRecord[]>()

/** Max characters of stdout/stderr kept per record. */
export const RECORD_OUTPUT_LIMIT = 4096

export async function recordCommands<T>(
  fn: () => T | Promise<T>,
  options: { onCommand?: (record: CommandRecord) => void } = {},
): Promise<{ result: Awaited<T>; commands: CommandRecord[] }> {
  const recorder: Recorder = { commands: [], parent: storage.getStore(), onCommand: options.onCommand }
  try {
    const result = await storage.run(recorder, fn)
    return { result, commands: recorder.commands }
  } catch (error) {
    // The caller still needs the trail of what ran before it failed: recordedCommandsOf(error).
    if (typeof error === 'object' && error !== null) commandsByError.set(error, recorder.commands)
    throw error
  }
}

/**
 * The commands recorded by the recordCommands() call that just rejected with this error (read it in
 * that call's catch; an enclosing recordCommands() that rethrows the same error replaces it with its own list).
 */
export function recordedCommandsOf(error: unknown): CommandRecord[] | undefined {
  return typeof error === 'object' && error !== null ? commandsByError.get(error) : undefined
}

export function truncateForRecord(text: string, limit = RECORD_OUTPUT_LIMIT): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit)}\n... [truncated, ${text.length - limit} more characters]`
}

/** Called by the run() choke point for every command. */
export function emitCommandRecord(record: CommandRecord): void {
  for (let r = storage.getStore(); r; r = r.parent) {
    r.commands.push(record)
    try {
      r.onCommand?.(record)
    } catch {
      /* a listener must not break the command */
    }
  }
}
