import { describe, expect, it } from 'vitest'
import { inPreview, refuseInPreview, runAsPreview } from '@/lib/core/preview-scope'

class Refusal extends Error {}
const refuse = () => refuseInPreview(() => new Refusal('no writes in a preview'))

describe('the preview scope', () => {
  it('knows when a preview runs, also across awaits', async () => {
    expect(inPreview()).toBe(false)
    const seen = await runAsPreview(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return inPreview()
    })
    expect(seen).toBe(true)
    expect(inPreview()).toBe(false)
  })

  it('refuses only inside a preview', async () => {
    expect(() => refuse()).not.toThrow()
    await expect(runAsPreview(async () => refuse())).rejects.toBeInstanceOf(Refusal)
  })

  it('ends as the refusal even when the code in between rethrows it as another error', async () => {
    // What a domain function with a catch-all does: turns whatever went wrong into a field error of its own.
    const work = async () => {
      try {
        refuse()
      } catch (error) {
        throw new Error(`Please correct the user name: ${(error as Error).message}`)
      }
    }
    await expect(runAsPreview(work)).rejects.toBeInstanceOf(Refusal)
  })

  it('ends as the refusal even when the code in between swallows it and carries on', async () => {
    const work = async () => {
      try {
        refuse()
      } catch {
        // ignored
      }
      return 'went on'
    }
    await expect(runAsPreview(work)).rejects.toBeInstanceOf(Refusal)
  })

  it('passes other errors and results through', async () => {
    await expect(runAsPreview(async () => Promise.reject(new Error('bad input')))).rejects.toThrow('bad input')
    await expect(runAsPreview(async () => 42)).resolves.toBe(42)
  })
})
