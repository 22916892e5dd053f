import { AsyncLocalStorage } from 'node:async_hooks'

/*
 * Whether the code running now is a preview (a dry run). It lives on the ground floor because the layers that must
 * refuse to act during a preview sit at different heights: the database client refuses writes, the executor throws
 * the plan back instead of running it.
 */

const previewing = new AsyncLocalStorage<true>()

export function inPreview(): boolean {
  return previewing.getStore() === true
}

/** Runs `work` as a preview: nothing it calls may change the database or a host. */
export function runAsPreview<T>(work: () => Promise<T>): Promise<T> {
  return previewing.run(true, work)
}
