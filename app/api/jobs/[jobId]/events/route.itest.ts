import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NextRequest } from 'next/server'
import { db } from '@/lib/db/client'
import { createJob, type JobReporter } from '@/lib/jobs/jobs'
import { createTestUser, signIn, browseSignedOut, type TestUser } from '@/lib/test/server-actions'
import { GET } from './route'
import { GET as getList } from '../../events/route'

/*
 * A job's live progress as Server-Sent Events through the real route handler: the session cookie of a real user, the
 * real database. Another process (here: the test, through the JobReporter a plan job uses) changes the job row; the
 * stream sees it because it reads the row, not this process's memory.
 */
vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)

const prefix = `vnpolish-events-${process.pid}`
let auditor: TestUser
let selfService: TestUser
const jobIds: string[] = []

const get = (jobId: string, signal?: AbortSignal) =>
  GET(new NextRequest(`http://127.0.0.1/api/jobs/${jobId}/events`, { signal }), {
    params: Promise.resolve({ jobId }),
  })

async function startJob(): Promise<JobReporter> {
  const job = await createJob({
    kind: 'plan',
    title: `${prefix} job`,
    actorName: prefix,
    steps: [{ label: 'first', command: 'true' }, { label: 'second' }],
  })
  jobIds.push(job.jobId)
  return job
}

/** Reads the stream's events one by one as `{ event, data }`. */
function eventsOf(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffered = ''
  return async function next(): Promise<{
    event: string
    data: { status: string; steps: { status: string }[] }
  } | null> {
    while (!buffered.includes('\n\n')) {
      const chunk = await reader.read()
      if (chunk.done) return null
      buffered += chunk.value
    }
    const end = buffered.indexOf('\n\n')
    const message = buffered.slice(0, end)
    buffered = buffered.slice(end + 2)
    const field = (name: string) =>
      message
        .split('\n')
        .find((line) => line.startsWith(`${name}: `))!
        .slice(name.length + 2)
    return { event: field('event'), data: JSON.parse(field('data')) }
  }
}

beforeAll(async () => {
  auditor = await createTestUser(`${prefix}-auditor`, 'auditor')
  selfService = await createTestUser(`${prefix}-self`, 'selfservice')
})

afterAll(async () => {
  await db.job.deleteMany({ where: { id: { in: jobIds } } })
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
})

describe('GET /api/jobs/[jobId]/events', () => {
  it('refuses a request without a session (401), a role without jobs (403) and a missing job (404)', async () => {
    const job = await startJob()
    browseSignedOut()
    expect((await get(job.jobId)).status).toBe(401)
    await signIn(selfService)
    expect((await get(job.jobId)).status).toBe(403)
    await signIn(auditor)
    expect((await get(`${prefix}-missing`)).status).toBe(404)
  })

  it('sends the job at once, again after each change of its row, and ends when the job ends', async () => {
    const job = await startJob()
    await signIn(auditor)
    const response = await get(job.jobId)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const next = eventsOf(response)

    const first = await next()
    expect(first?.event).toBe('job')
    expect(first?.data.status).toBe('running')
    expect(first?.data.steps.map((s) => s.status)).toEqual(['pending', 'pending'])

    await job.stepStarted(0)
    expect((await next())?.data.steps.map((s) => s.status)).toEqual(['running', 'pending'])
    await job.stepFinished(0, 'done', { exitCode: 0, output: '' })
    await job.finish('succeeded')
    // The two writes may land in one read or in two; the stream's last event is the finished job.
    let last = await next()
    while (last && last.data.status === 'running') last = await next()
    expect(last?.data.status).toBe('succeeded')
    expect(last?.data.steps[0]?.status).toBe('done')
    expect(await next()).toBeNull()
  })

  it('stops reading when the browser leaves', async () => {
    const job = await startJob()
    await signIn(auditor)
    const leaving = new AbortController()
    const response = await get(job.jobId, leaving.signal)
    const next = eventsOf(response)
    expect((await next())?.data.status).toBe('running')
    leaving.abort()
    expect(await next()).toBeNull()
  })
})

describe('GET /api/jobs/events (the jobs list)', () => {
  it('refuses a request without a session (401) and a role without jobs (403)', async () => {
    browseSignedOut()
    expect((await getList(new NextRequest('http://127.0.0.1/api/jobs/events'))).status).toBe(401)
    await signIn(selfService)
    expect((await getList(new NextRequest('http://127.0.0.1/api/jobs/events'))).status).toBe(403)
  })

  it('sends an event now and another when a job starts', async () => {
    await signIn(auditor)
    const leaving = new AbortController()
    const response = await getList(new NextRequest('http://127.0.0.1/api/jobs/events', { signal: leaving.signal }))
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const next = eventsOf(response)
    const before = await next()
    expect(before?.event).toBe('jobs')
    const job = await startJob()
    const after = await next()
    expect(after?.event).toBe('jobs')
    expect(JSON.stringify(after?.data)).toContain(job.jobId)
    leaving.abort()
    expect(await next()).toBeNull()
  })
})
