import 'server-only'

/*
 * "A plan ran on this host": the executor says so here, whoever wants to know listens (the fleet inventory refreshes
 * the host's snapshot). The executor never imports its listeners, which live in layers above it. The listeners are
 * kept on globalThis: Next.js may load this module once for instrumentation and again for the route bundles, and a
 * listener registered at start-up must hear plans run by server actions.
 */

type HostChangedListener = (hostId: string) => void

const KEY = Symbol.for('virtnet.plan.hostChangedListeners')
const listeners: Set<HostChangedListener> = ((globalThis as Record<symbol, unknown>)[KEY] ??=
  new Set<HostChangedListener>()) as Set<HostChangedListener>

/** Calls `listener` with the host's id after every plan that ran on a host (finished, failed or rolled back). */
export function onHostChanged(listener: HostChangedListener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function hostChanged(hostId: string) {
  for (const listener of listeners) {
    try {
      listener(hostId)
    } catch {
      // a listener's failure is its own; the plan's outcome stands
    }
  }
}
