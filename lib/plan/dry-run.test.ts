import { describe, expect, it } from 'vitest'
import { sh } from '@/lib/ssh'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { PlanPreview, previewOf } from '@/lib/plan/dry-run'
import type { Plan } from '@/lib/plan/plan'

// A host whose key was never confirmed: running anything on it fails at once, so only a real run reaches that failure.
const nowhere = {
  id: 'dry-run-test',
  address: '192.0.2.1',
  port: 9,
  username: 'nobody',
  useSudo: false,
  pinnedFingerprint: null,
}
const plan: Plan = { title: 'Touch a file', steps: [{ label: 'Touch it', command: sh`touch ${'/tmp/x'}` }] }

describe('dry runs', () => {
  it('returns the plan the work would execute and runs nothing after it', async () => {
    let after = false
    const shown = await previewOf(async () => {
      await executePlan(nowhere, plan)
      after = true
    })
    expect(shown).toBe(plan)
    expect(after).toBe(false)
  })

  it('passes errors thrown before the plan through, and refuses work that never reaches one', async () => {
    await expect(previewOf(async () => Promise.reject(new Error('bad input')))).rejects.toThrow('bad input')
    await expect(previewOf(async () => undefined)).rejects.toThrow(
      'There is no preview of this action: it changes nothing on a host',
    )
  })

  it('leaves executePlan alone outside a preview', async () => {
    // Outside previewOf the executor really runs the step, and fails on the unconfirmed host.
    const outcome = executePlan({ ...nowhere, id: 'dry-run-test-2' }, plan)
    await expect(outcome).rejects.toBeInstanceOf(PlanFailedError)
    await expect(outcome).rejects.not.toBeInstanceOf(PlanPreview)
  })
})
