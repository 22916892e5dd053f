import { apiRoute } from '@/lib/api/route'
import { actionAnswer } from '@/lib/api/submit'
import { removeMyForwardAction } from '@/app/(dashboard)/my/actions'

export const DELETE = apiRoute<{ forwardId: string }>(async ({ params, dryRun }) =>
  actionAnswer(removeMyForwardAction, { forwardId: params.forwardId }, dryRun),
)
