/**
 * Runs work for one key strictly one after another (in this dashboard process), whatever the outcome of the work
 * before it: for changes that read the host, check against what they read and then write, so that two at once could
 * each miss the other's change. Keys with nothing queued are forgotten.
 */
export function oneAtATimePerKey(): <T>(key: string, work: () => Promise<T>) => Promise<T> {
  const queues = new Map<string, Promise<unknown>>()
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(work)
    queues.set(key, next)
    void next.finally(() => queues.get(key) === next && queues.delete(key)).catch(() => undefined)
    return next
  }
}
