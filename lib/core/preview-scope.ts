import { AsyncLocalStorage } from 'node:async_hooks'

/*
 * Whether the code running now is a preview (a dry run). It lives on the ground floor because the layers that must
 * refuse to act during a preview sit at different heights: the database client refuses writes, the executor throws
 * the plan back instead of running it.
 */

type PreviewScope = { refusal: Error | null }

const previewing = new AsyncLocalStorage<PreviewScope>()

export function inPreview(): boolean {
  return previewing.getStore() !== undefined
}

/**
 * Inside a preview, throws the error `refusal` makes (and remembers it); outside, does nothing. Remembering it keeps
 * the refusal whole: domain code between the refusing layer and the preview may catch errors and rethrow them as its
 * own (a field error, say), and the preview still ends as this refusal.
 */
export function refuseInPreview(refusal: () => Error): void {
  const scope = previewing.getStore()
  if (!scope) return
  const error = refusal()
  scope.refusal ??= error
  throw error
}

/**
 * Runs `work` as a preview: nothing it calls may change the database or a host. Once anything was refused on the way
 * (refuseInPreview), the preview ends with that refusal, whatever `work` made of it: rethrown as another error,
 * swallowed, or carried on past.
 */
export async function runAsPreview<T>(work: () => Promise<T>): Promise<T> {
  const scope: PreviewScope = { refusal: null }
  let result: T
  try {
    result = await previewing.run(scope, work)
  } catch (error) {
    throw scope.refusal ?? error
  }
  if (scope.refusal) throw scope.refusal
  return result
}
