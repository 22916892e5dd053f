import 'server-only'
import { createHash } from 'node:crypto'

/**
 * The version of a network definition an editor was opened on: the edit carries it back, and an edit made on a
 * definition that has changed since (someone else's edit in between) is refused rather than undoing that edit.
 */
export function definitionVersion(xml: string): string {
  return createHash('sha256').update(xml).digest('hex')
}
