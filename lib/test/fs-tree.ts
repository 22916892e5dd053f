// Builds a directory tree from a tab-separated listing (dir / file with content / link with target), so fixtures
// of sysfs — full of symlink cycles (physfn <-> virtfnN) — live in the repo as text that bundlers never walk.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function materializeTree(listingFile: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'virtnet-tree-'))
  for (const line of fs.readFileSync(listingFile, 'utf8').split('\n')) {
    if (!line) continue
    const [kind, relative, value = ''] = line.split('\t')
    const target = path.join(root, relative!)
    if (kind === 'dir') fs.mkdirSync(target, { recursive: true })
    else if (kind === 'file') fs.writeFileSync(target, `${value.replaceAll('\\n', '\n')}\n`)
    else if (kind === 'link') fs.symlinkSync(value, target)
    else throw new Error(`${listingFile}: unknown entry kind ${kind}`)
  }
  return root
}
