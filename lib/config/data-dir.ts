import fs from 'node:fs'
import path from 'node:path'
import { dataDir } from '@/lib/config/paths'

/**
 * The data folder holds the database, the dashboard's SSH key, the audit seal key, the first admin's password and
 * the lab's keys: nobody but the dashboard's own user may read any of it. Folders become 0700, files lose every group
 * and other bit (0600, or 0700 for an executable). A lab host's own root file system (data/lab/<host>/fs) keeps the
 * modes its services need; the folder above it already shuts everyone else out. Symbolic links are not followed.
 */
export function secureDataDir(root = dataDir): void {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 })
  const walk = (dir: string) => {
    fs.chmodSync(dir, 0o700)
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      // A file another process removes meanwhile (a database's -journal) is nothing left to protect.
      ignoreGone(() => {
        if (entry.isDirectory()) {
          if (!isLabHostFileSystem(root, full)) walk(full)
        } else if (entry.isFile()) {
          const mode = fs.lstatSync(full).mode & 0o777
          if (mode & 0o077) fs.chmodSync(full, mode & 0o700)
        }
      })
    }
  }
  walk(root)
}

function isLabHostFileSystem(root: string, dir: string): boolean {
  const [lab, , fsFolder, ...rest] = path.relative(root, dir).split(path.sep)
  return lab === 'lab' && fsFolder === 'fs' && rest.length === 0
}

function ignoreGone(step: () => void) {
  try {
    step()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}
