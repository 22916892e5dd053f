import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'

/*
 * Replicas racing for the jobs of one that died: four processes claim at the same instant. Each stale job must go to
 * exactly one of them (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the conditional update), and a job whose
 * heartbeat is fresh to none.
 */

const root = path.resolve(import.meta.dirname, '../..')
const created: string[] = []

async function job(title: string, heartbeatAt: Date) {
  const row = await db.job.create({
    data: {
      kind: 'itest.claim',
      title,
      actorName: 'vnpg-claim',
      status: 'running',
      ownerId: 'vnpg-dead#1',
      heartbeatAt,
    },
  })
  created.push(row.id)
  return row.id
}

afterAll(async () => {
  await db.job.deleteMany({ where: { id: { in: created } } })
})

describe('claiming the jobs of a replica that died', () => {
  it('gives each stale job to exactly one of four racing processes, and a live one to none', async () => {
    const stale = await Promise.all(
      Array.from({ length: 6 }, (_, i) => job(`vnpg stale ${i}`, new Date(Date.now() - 60_000))),
    )
    const live = await job('vnpg live', new Date(Date.now() + 60_000))
    const children = Array.from({ length: 4 }, () => {
      const child = spawn(
        process.execPath,
        ['--conditions=react-server', '--import', 'tsx', 'lib/test/claim-stale-child.ts'],
        {
          cwd: root,
          env: process.env,
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      )
      let stdout = ''
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
      const exited = new Promise<string>((resolve) => child.on('exit', () => resolve(stdout)))
      const ready = new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('ready') && resolve()))
      return { child, exited, ready }
    })
    // Every child connected first: then all claim at the same moment.
    await Promise.all(children.map(({ ready }) => ready))
    for (const { child } of children) child.stdin.end('go\n')
    const outputs = await Promise.all(children.map(({ exited }) => exited))
    // each child's last line: the ids it won (a child that failed prints none, and the parse fails the test)
    expect(outputs.every((stdout) => stdout.trim().split('\n').at(-1)!.startsWith('['))).toBe(true)
    const claims = outputs.flatMap((stdout) => JSON.parse(stdout.trim().split('\n').at(-1)!) as string[])
    const ours = claims.filter((id) => created.includes(id))
    expect(ours.toSorted()).toEqual(stale.toSorted())
    expect(ours).not.toContain(live)
    const rows = await db.job.findMany({ where: { id: { in: stale } }, select: { ownerId: true } })
    expect(rows.every((row) => row.ownerId !== 'vnpg-dead#1')).toBe(true)
  })
})
