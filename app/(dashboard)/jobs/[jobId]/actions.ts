'use server'

import { revalidatePath } from 'next/cache'
import { z } from 'zod'
import { runAction } from '@/lib/actions/run-action'
import type { FormState } from '@/lib/actions/form-state'
import { requireConnectableHost, toTarget } from '@/lib/hosts/store'
import { interruptedJobHostId, startRecovery } from '@/lib/jobs/recovery'

const JobRefSchema = z.object({ jobId: z.string().min(1).max(64) })

/*
 * Undo and Resume of a job that a restart cut short. runAction lets in the roles that start any plan job
 * (manageNetworks); the host resolver then asks for the permission that starts this job in particular (a host bridge
 * job needs manageBridges), so a refusal is audited as one.
 */
const interruptedJobHost = async ({ jobId }: { jobId: string }, user: Parameters<typeof interruptedJobHostId>[1]) =>
  (await requireConnectableHost(await interruptedJobHostId(jobId, user))).row

export async function undoInterruptedJobAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'job.undo',
      permission: 'manageNetworks',
      schema: JobRefSchema,
      input: formData,
      host: interruptedJobHost,
      target: (d) => d.jobId,
    },
    async ({ data, host, user }) => {
      const { jobId, message } = await startRecovery('undo', data.jobId, host, toTarget(host), user)
      revalidatePath(`/jobs/${data.jobId}`)
      return { message, jobId }
    },
  )
}

export async function resumeInterruptedJobAction(_previous: FormState, formData: FormData): Promise<FormState> {
  return runAction(
    {
      action: 'job.resume',
      permission: 'manageNetworks',
      schema: JobRefSchema,
      input: formData,
      host: interruptedJobHost,
      target: (d) => d.jobId,
    },
    async ({ data, host, user }) => {
      const { jobId, message } = await startRecovery('resume', data.jobId, host, toTarget(host), user)
      revalidatePath(`/jobs/${data.jobId}`)
      return { message, jobId }
    },
  )
}
