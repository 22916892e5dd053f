'use server'

import { revalidatePath } from 'next/cache'
import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { DashboardKeySchema, GenerateDashboardKeySchema } from '@/lib/hosts/schemas'
import {
  describeChecks,
  discardDashboardKey,
  generateDashboardKey,
  rotateDashboardKey,
  testPendingKey,
} from '@/lib/hosts/dashboard-key'

const keyPage = '/hosts/dashboard-key'

export async function generateDashboardKeyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'dashboard-key.generate', 'manageHosts', GenerateDashboardKeySchema),
    async () => {
      const key = generateDashboardKey()
      revalidatePath(keyPage)
      return `New key ${key.fingerprint} generated. Authorize it on every host, then test it.`
    },
  )
}

export async function testDashboardKeyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'dashboard-key.test', 'manageHosts', DashboardKeySchema, (d) => d.fingerprint),
    async ({ data }) => {
      const checks = await testPendingKey(data.fingerprint)
      const accepting = checks.filter((check) => check.accepts).length
      return `${accepting} of ${checks.length} host(s) accept the new key. ${describeChecks(checks)}`
    },
  )
}

export async function rotateDashboardKeyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'dashboard-key.rotate', 'manageHosts', DashboardKeySchema, (d) => d.fingerprint),
    async ({ data }) => {
      const { checks } = await rotateDashboardKey(data.fingerprint)
      revalidatePath('/', 'layout')
      return `The new key ${data.fingerprint} is in use; every host (${checks.length}) accepted it and the old key file was retired. Remove the old key from the hosts' authorized_keys.`
    },
  )
}

export async function discardDashboardKeyAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    fromForm(formData, 'dashboard-key.discard', 'manageHosts', DashboardKeySchema, (d) => d.fingerprint),
    async ({ data }) => {
      discardDashboardKey(data.fingerprint)
      revalidatePath(keyPage)
      return `The new key ${data.fingerprint} was discarded; the key in use did not change.`
    },
  )
}
