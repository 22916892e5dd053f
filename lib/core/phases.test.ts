import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'

type Phases = typeof import('@/lib/core/phases')

/** A fresh copy of the module, as another Next.js bundle (the instrumentation hook's, a page's) loads it. */
async function freshCopy(): Promise<Phases> {
  vi.resetModules()
  return import('@/lib/core/phases')
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('phases', () => {
  it("a phase noted through another bundle's copy of the module counts in this copy's measurement", async () => {
    const pages = await freshCopy()
    const instrumentation = await freshCopy()
    expect(instrumentation).not.toBe(pages)
    const { phases } = await pages.measurePhases(() => instrumentation.timedPhase('db', async () => 'row'))
    expect(phases.get('db')?.count).toBe(1)
  })

  it('journals a wrapped read (wall time and phases) when the benchmark names a file, and nothing otherwise', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vn-phases-'))
    try {
      const file = path.join(dir, 'phases.jsonl')
      vi.stubEnv('VIRTNET_PHASES_FILE', file)
      const journaled = await freshCopy()
      const value = await journaled.journalPhases('host-tab', async () => {
        journaled.notePhase('ssh_virsh_inventory', 30)
        journaled.notePhase('db', 1)
        journaled.notePhase('db', 2)
        return 'read'
      })
      expect(value).toBe('read')
      const [line, ...more] = readFileSync(file, 'utf8').split('\n').filter(Boolean)
      expect(more).toEqual([])
      expect(JSON.parse(line!)).toMatchObject({
        label: 'host-tab',
        phases: { ssh_virsh_inventory: { ms: 30, count: 1 }, db: { ms: 3, count: 2 } },
      })

      vi.stubEnv('VIRTNET_PHASES_FILE', '')
      const plain = await freshCopy()
      rmSync(file)
      expect(await plain.journalPhases('host-tab', async () => 'read')).toBe('read')
      expect(() => readFileSync(file)).toThrow()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
