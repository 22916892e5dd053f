import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { inHostB } from '@/lib/test/lab'
import {
  auditEventsAdded,
  callAction,
  databaseChanges,
  discoverServerActions,
  hostChanges,
  signIn,
  snapshotDatabase,
  snapshotHostB,
  type DiscoveredAction,
} from '@/lib/test/server-actions'
import {
  actionKey,
  actionTestbed,
  exemptActions,
  expectPreviewAnswer,
  keysOf,
  shortNameOf,
  verdictName,
  type ActionFixtures,
} from '@/lib/test/action-cases'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * "A preview never acts" (issue 10 §2), for every server action there is: each is posted with dryRun=1 and an input
 * that passes validation and names real things on lab host B, as a signed-in user allowed to run it. The answer must
 * be the plan (status 'preview') or the refusal "There is no preview of this action" (NothingToPreview); and neither
 * the database (every table; the audit log may only gain that refusal) nor host B may change. New actions are found
 * by importing every app/**\/actions.ts: one without a case in lib/test/action-cases.ts fails here until it gets one.
 */

const testbed = actionTestbed('vng', 246)
const { cases, inScope, ownsAddress } = testbed
const { net } = testbed.names
let fx: ActionFixtures

const actions = await discoverServerActions()
// Test titles: "hosts/[hostId]/sriov createPoolAction → preview".
const titleOf = (a: DiscoveredAction) => `${shortNameOf(a)} → ${verdictName(cases[a.file]?.[a.name]?.verdict)}`

describe('a preview never acts: every server action with dryRun=1', () => {
  beforeAll(async () => {
    fx = await testbed.setUp()
  })

  afterAll(() => testbed.tearDown(fx))

  it('has a case for every server action, and none for an action that is gone', () => {
    const found = actions.map((a) => actionKey(a.file, a.name)).sort()
    expect(found.length).toBeGreaterThan(40)
    expect(found).toEqual(keysOf(cases, exemptActions))
  })

  it('sees a change on host B and in the database (the snapshots can tell)', async () => {
    const host = snapshotHostB()
    inHostB(`virsh -q net-autostart ${net.name} >/dev/null`)
    const changedHost = snapshotHostB()
    inHostB(`virsh -q net-autostart --disable ${net.name} >/dev/null`)
    expect(hostChanges(host, changedHost, inScope, ownsAddress)).toEqual(
      expect.arrayContaining([`net-list: - ${net.name} active no yes`, `net-list: + ${net.name} active yes yes`]),
    )
    expect(hostChanges(host, snapshotHostB(), inScope, ownsAddress)).toEqual([])

    const database = await snapshotDatabase()
    await db.host.update({ where: { id: fx.removableHostId }, data: { port: 23 } })
    const changedDatabase = await snapshotDatabase()
    await db.host.update({ where: { id: fx.removableHostId }, data: { port: 22 } })
    expect(databaseChanges(database, changedDatabase)).toEqual([
      expect.stringMatching(/^Host: - .*"port":22/),
      expect.stringMatching(/^Host: \+ .*"port":23/),
    ])
  })

  it('exempts only actions that do not go through runAction', () => {
    const exempted = actions.filter((a) => exemptActions[a.file]?.[a.name])
    expect(exempted.map((a) => a.name).sort()).toEqual([
      'chooseRequiredPassword',
      'confirmRequiredEnrolment',
      'login',
      'logout',
      'startRequiredEnrolment',
      'verifySecondFactor',
    ])
    for (const a of exempted) expect(a.source, `${a.file} ${a.name}`).not.toMatch(/\brunAction\(/)
  })

  const covered = actions.filter((a) => !exemptActions[a.file]?.[a.name])

  it.each(covered.map((a) => ({ title: titleOf(a), a })))('$title', async ({ a }: { a: DiscoveredAction }) => {
    const spec = cases[a.file]?.[a.name]
    if (!spec) throw new Error(`${a.name} (${a.file}) has no input case: add one to lib/test/action-cases.ts`)
    const user = spec.as === 'admin' ? fx.admin : fx.selfService
    await signIn(user)
    const input = spec.input(fx, user)
    const dbBefore = await snapshotDatabase()
    const hostBefore = snapshotHostB()

    const call = await callAction(a.action, input, { dryRun: true })

    const hostAfter = snapshotHostB()
    const dbAfter = await snapshotDatabase()

    // 1. The answer: the plan, or the refusal to preview; never the change itself, never an input error. The audit
    // log gained only the refusal (a preview itself is not audited).
    expectPreviewAnswer(call, spec.verdict, auditEventsAdded(dbBefore, dbAfter))

    // 2. No row changed.
    expect.soft(databaseChanges(dbBefore, dbAfter), 'database rows changed').toEqual([])

    // 3. Nothing changed on host B.
    expect.soft(hostChanges(hostBefore, hostAfter, inScope, ownsAddress), 'changes on host B').toEqual([])
  })
})
