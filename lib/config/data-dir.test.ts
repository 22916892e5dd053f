import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { secureDataDir } from './data-dir'

const made: string[] = []
afterEach(() => made.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })))

const modeOf = (file: string) => (fs.statSync(file).mode & 0o777).toString(8)

describe('the data folder', () => {
  it('is readable by its owner alone: folders 0700, files 0600 (executables 0700), whatever the umask made', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vnl-data-'))
    made.push(root)
    const files: Record<string, number> = {
      'virtnet.db': 0o644,
      'virtnet.db-wal': 0o664,
      'ssh/id_ed25519': 0o600,
      'ssh/id_ed25519.pub': 0o644,
      'audit/seal.key': 0o644,
      'first-admin.txt': 0o644,
      'lab/hosts.json': 0o644,
      'lab/guests/vnlab-a1.xml': 0o644,
      'lab/a/start.sh': 0o755,
      // a lab host's own root file system keeps its modes: its services need them
      'lab/b/fs/etc/libvirt/qemu.conf': 0o644,
    }
    for (const [name, mode] of Object.entries(files)) {
      fs.mkdirSync(path.join(root, path.dirname(name)), { recursive: true, mode: 0o755 })
      fs.writeFileSync(path.join(root, name), 'x', { mode })
      fs.chmodSync(path.join(root, name), mode)
    }
    fs.chmodSync(root, 0o755)

    secureDataDir(root)

    expect(modeOf(root)).toBe('700')
    for (const dir of ['ssh', 'audit', 'lab', 'lab/guests', 'lab/b'])
      expect([dir, modeOf(path.join(root, dir))]).toEqual([dir, '700'])
    for (const name of Object.keys(files).filter((name) => !name.startsWith('lab/b/fs') && !name.endsWith('.sh')))
      expect([name, modeOf(path.join(root, name))]).toEqual([name, '600'])
    expect(modeOf(path.join(root, 'lab/a/start.sh'))).toBe('700')
    expect(modeOf(path.join(root, 'lab/b/fs/etc/libvirt/qemu.conf'))).toBe('644')
  })

  it('is created 0700 when missing', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'vnl-data-'))
    made.push(parent)
    secureDataDir(path.join(parent, 'data'))
    expect(modeOf(path.join(parent, 'data'))).toBe('700')
  })
})
