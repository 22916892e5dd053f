import { afterEach, describe, expect, it, vi } from 'vitest'
import { percentile, report } from './stats'

describe('report', () => {
  const printed: string[] = []
  afterEach(() => {
    printed.length = 0
    vi.restoreAllMocks()
  })
  const capture = () => vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line))

  it('prints a figure without a target as one line', () => {
    capture()
    report('dhcp.csv2000_validate_ms', 126.4, 'ms')
    expect(printed).toEqual(['dhcp.csv2000_validate_ms: 126 ms'])
  })

  it('prints a time target as its bound and whether the figure meets it', () => {
    capture()
    report('page.tabs_p95_ms', 152.2, 'ms')
    report('ssh.session_p50_ms', 0.5951, 'ms')
    expect(printed).toEqual([
      'page.tabs_p95_ms: 152 ms',
      'page.tabs_p95_ms.target_max: 150 ms',
      'page.tabs_p95_ms.target_met: 0 bool',
      'ssh.session_p50_ms: 0.595 ms',
      'ssh.session_p50_ms.target_max: 0.600 ms',
      'ssh.session_p50_ms.target_met: 1 bool',
    ])
  })

  it('prints a ratio target as the least it must reach', () => {
    capture()
    report('forwards.nft_speedup', 44.5, 'x')
    expect(printed).toEqual([
      'forwards.nft_speedup: 44.5 x',
      'forwards.nft_speedup.target_min: 20.0 x',
      'forwards.nft_speedup.target_met: 1 bool',
    ])
  })
})

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const samples = Array.from({ length: 20 }, (_, i) => i + 1)
    expect(percentile(samples, 50)).toBe(10)
    expect(percentile(samples, 95)).toBe(19)
  })
})
