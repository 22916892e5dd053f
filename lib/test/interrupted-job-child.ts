// A dashboard that dies mid-job, for lib/boot/recovery.itest.ts: starts the interrupted plan as a job on lab host B,
// prints the job's id and waits for it; the test kills this process (SIGKILL) while the job's wait step runs.
// Run: node --conditions=react-server --import tsx lib/test/interrupted-job-child.ts '<InterruptedPlanInput JSON>'
import { startPlanJob } from '@/lib/jobs/plan-job'
import { registeredLabHost } from '@/lib/test/lab'
import { interruptedPlan, type InterruptedPlanInput } from '@/lib/test/interrupted-plan'

const input = JSON.parse(process.argv[2]!) as InterruptedPlanInput
const host = await registeredLabHost('lab-b')
const { jobId, done } = await startPlanJob({
  host: host.row,
  target: host.target,
  plan: interruptedPlan(input),
  actor: { id: null, username: 'itest' },
  permission: 'manageNetworks',
  action: 'itest.recovery.job',
  auditTarget: input.name,
  auditParams: { network: input.name },
})
console.log(JSON.stringify({ jobId }))
await done
