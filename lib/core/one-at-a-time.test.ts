import { describe, expect, it } from 'vitest'
import { oneAtATimePerKey } from '@/lib/core/one-at-a-time'

describe('oneAtATimePerKey', () => {
  it('runs the work of one key one after another, even after a failure, and other keys alongside', async () => {
    const serially = oneAtATimePerKey()
    const events: string[] = []
    let releaseFirst!: () => void
    const first = serially('net-a', async () => {
      events.push('a1 start')
      await new Promise<void>((resolve) => (releaseFirst = resolve))
      events.push('a1 end')
      throw new Error('a1 failed')
    })
    const second = serially('net-a', async () => {
      events.push('a2 start')
      return 'a2'
    })
    const other = serially('net-b', async () => {
      events.push('b1 start')
      return 'b1'
    })
    await expect(other).resolves.toBe('b1')
    expect(events).toEqual(['a1 start', 'b1 start'])
    releaseFirst()
    await expect(first).rejects.toThrow('a1 failed')
    await expect(second).resolves.toBe('a2')
    expect(events).toEqual(['a1 start', 'b1 start', 'a1 end', 'a2 start'])
  })
})
