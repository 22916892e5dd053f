import fs from 'node:fs'
import path from 'node:path'
import type { APIRequestContext, APIResponse } from '@playwright/test'

/*
 * Posting a server action as a script would, without a browser: the action's real id from the production build's
 * manifest, the Next-Action header, and the body React's encodeReply writes for `(previousState, formData)` — part 0
 * the argument list, `$K1` naming the form whose fields come as `_1_<name>`.
 */

type ManifestEntry = { workers: Record<string, { exportedName?: string }>; exportedName?: string }

/** The action's id and a page that serves it (one without dynamic segments), from .next's server manifest. */
export function serverAction(exportedName: string): { id: string; page: string } {
  const distDir = process.env.VIRTNET_DIST_DIR ?? '.next'
  const manifest = JSON.parse(
    fs.readFileSync(path.resolve(distDir, 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, ManifestEntry> }
  for (const [id, entry] of Object.entries(manifest.node)) {
    for (const [worker, info] of Object.entries(entry.workers)) {
      if ((info.exportedName ?? entry.exportedName) !== exportedName || worker.includes('[')) continue
      const page = `/${worker
        .replace(/^app\//, '')
        .replace(/\/?page$/, '')
        .split('/')
        .filter((segment) => segment && !segment.startsWith('('))
        .join('/')}`
      return { id, page }
    }
  }
  throw new Error(`No server action ${exportedName} on a static page in ${distDir}: build first (npx next build)`)
}

/** Posts `fields` to the action, as a form calling it through useActionState does. */
export function postAction(
  request: APIRequestContext,
  action: { id: string; page: string },
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<APIResponse> {
  // The fields first and the argument list last, as encodeReply writes them: the server resolves part 0 as soon as it
  // arrives, and a form named in it must be complete by then.
  const multipart = new FormData()
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value)
  multipart.append('0', JSON.stringify(['$undefined', '$K1']))
  return request.post(action.page, {
    headers: { 'Next-Action': action.id, Accept: 'text/x-component', ...headers },
    multipart,
  })
}
