'use server'

import { revalidatePath } from 'next/cache'
import { z } from 'zod'
import { fromForm, runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { requireConnectableHost, toTarget, type HostRow } from '@/lib/hosts/store'
import type { SessionUser } from '@/lib/auth/session'
import { interruptedJobHostId, startRecovery } from '@/lib/jobs/recovery'

const JobRefSchema = z.object({ jobId: z.string().min(1).max(64) })

/*
 * Undo and Resume of a job that a restart cut short. runAction lets in the roles that start any plan job
 * (manageNetworks); the host resolver then asks for the permission that starts this job in particular (a host bridge
 * job needs manageBridges), so a refusal is audited as one.
 */
const interruptedJobHost = async ({ jobId }: { jobId: string }, user: Parameters<typeof interruptedJobHostId>[1]) =>
  (await requireConnectableHost(await interruptedJobHostId(jobId, user))).row

/** Both recoveries share a permission, schema, host and target; the audit action names which one was asked for. */
const recoverySpec = (formData: FormData, action: 'job.undo' | 'job.resume') => ({
  ...fromForm(formData, action, 'manageNetworks', JobRefSchema, (d) => d.jobId),
  host: interruptedJobHost,
})

const recover =
  (kind: 'undo' | 'resume') =>
  async ({ data, host, user }: { data: z.infer<typeof JobRefSchema>; host: HostRow; user: SessionUser }) => {
    const { jobId, message } = await startRecovery(kind, data.jobId, host, toTarget(host), user)
    revalidatePath(`/jobs/${data.jobId}`)
    return { message, jobId }
  }

export async function undoInterruptedJobAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(recoverySpec(formData, 'job.undo'), recover('undo'))
}

export async function resumeInterruptedJobAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(recoverySpec(formData, 'job.resume'), recover('resume'))
}
