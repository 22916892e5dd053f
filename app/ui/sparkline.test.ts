import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { Sparkline } from './sparkline'

const render = (points: Array<{ at: number; ms: number | null }>) =>
  renderToStaticMarkup(createElement(Sparkline, { points, label: 'SSH round trip' }))

describe('Sparkline', () => {
  it('draws a single answered read as a dot with its value, not an empty box', () => {
    const svg = render([{ at: 1_000, ms: 552.94 }])
    expect(svg).toContain('data-testid="sparkline-single"')
    expect(svg).toMatch(/<circle [^>]*cy="14"/)
    expect(svg).toContain('1 read: 552.9 ms')
  })

  it('draws two reads as a line ending in a dot', () => {
    const svg = render([
      { at: 1_000, ms: 10 },
      { at: 2_000, ms: 20 },
    ])
    expect(svg).toMatch(/<path d="M1\.0,[\d.]+ L119\.0,2\.0"/)
    expect(svg).not.toContain('sparkline-single')
  })

  it('marks a read the host did not answer with a red tick', () => {
    const svg = render([
      { at: 1_000, ms: 10 },
      { at: 2_000, ms: null },
    ])
    expect(svg).toContain('stroke="#dc2626"')
  })
})
