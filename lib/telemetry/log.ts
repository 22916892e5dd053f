import 'server-only'
import { AsyncLocalStorage } from 'node:async_hooks'
import pino, { type Logger } from 'pino'

/**
 * Structured logs: one JSON object per line on stdout (journald keeps it; jq reads it), at VIRTNET_LOG_LEVEL (default
 * info). Every line written while a request is served carries that request's context — its id, the signed-in user,
 * the action and the host — from an AsyncLocalStorage that follows the request across awaits, timers and the
 * background jobs it starts, so a host command logged deep in lib/ssh still names who asked for it and why.
 */
export type LogContext = { requestId: string; user?: string; action?: string; host?: string }

// On globalThis like the metrics: Next bundles the instrumentation hook, routes and actions apart.
const KEY = Symbol.for('virtnet.telemetry.log')
type Shared = { context: AsyncLocalStorage<LogContext>; logger: Logger }
const shared: Shared = ((globalThis as Record<symbol, unknown>)[KEY] ??= createShared()) as Shared

function createShared(): Shared {
  const context = new AsyncLocalStorage<LogContext>()
  const logger = pino(
    {
      level: process.env.VIRTNET_LOG_LEVEL ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than 30: readable in journalctl and by log shippers alike.
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ ...context.getStore() }),
      redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '(hidden)' },
    },
    // process.stdout (not pino's own file descriptor writer), so whoever owns stdout — systemd, a test — gets the lines.
    process.stdout,
  )
  return { context, logger }
}

export const log: Logger = shared.logger

/** Runs `fn` as one request: every line logged inside it (and in what it starts) carries `context`. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return shared.context.run({ ...context }, fn)
}

/** The context of the request being served, if any. */
export function logContext(): Readonly<LogContext> | undefined {
  return shared.context.getStore()
}

/** Adds what became known while serving the request (the user once authorized, the host once resolved). */
export function addLogContext(fields: Partial<Omit<LogContext, 'requestId'>>): void {
  const current = shared.context.getStore()
  if (current) Object.assign(current, fields)
}

/** A request id from the reverse proxy (X-Request-Id) when it is a plain token, so its log and ours line up. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[\w.:-]{1,100}$/.test(header) ? header : crypto.randomUUID()
}
