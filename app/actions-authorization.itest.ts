import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { refusalSummaryAction } from '@/lib/audit/refusals'
import { assignGuest, setSelfServiceLimits } from '@/lib/users/changes'
import {
  auditEventsAdded,
  browseSignedOut,
  callAction,
  createTestUser,
  databaseChanges,
  discoverServerActions,
  hostChanges,
  signIn,
  snapshotDatabase,
  snapshotHostB,
  type ActionCall,
  type AuditRow,
  type DiscoveredAction,
  type FormFields,
  type ServerAction,
  type TestUser,
} from '@/lib/test/server-actions'
import {
  actionKey,
  actionTestbed,
  auditedRefusal,
  exemptActions,
  expectPreviewAnswer,
  keysOf,
  labGuest,
  shortNameOf,
  type ActionFixtures,
  type ActionTable,
} from '@/lib/test/action-cases'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * Authorization is proven on the server (issue 13 §1): every server action, found by importing every
 * app/**\/actions.ts, is posted as each kind of user — administrator, operator, auditor, a self-service user on their
 * own guest and forward, another self-service user on that same guest and forward, and a browser without a session —
 * and must be let in or refused as the matrix below says. The matrix is written out here, not derived from
 * lib/auth/roles.ts: opening an action to another role (in roles.ts or in the action) fails this test until the
 * matrix says so too.
 *
 * Every call is a preview (dryRun=1) with the valid input of lib/test/action-cases.ts, so letting a user in runs
 * nothing on a host: let in, the answer is the one the preview test expects (the plan, or the refusal to preview),
 * never a refusal of the user. Refused, the answer is the refusal of the role ("Your role (…) does not allow this.",
 * "You are not signed in.") or, for a self-service user on someone else's guest or forward, the refusal that it is
 * not theirs; no database row changes and the audit log gains exactly one record of the refusal, naming the user (or
 * '(anonymous)'). Host B is compared before and after all six calls of an action: unchanged after them, it was
 * unchanged by each.
 */

const testbed = actionTestbed('vnk', 245)
const { cases, inScope, ownsAddress } = testbed

const columns = ['admin', 'operator', 'auditor', 'self-service', "self-service, another's", 'anonymous'] as const
type Column = (typeof columns)[number]

/**
 * 'yes': let in. 'no': refused for the role (or, signed out, for being signed out). 'not-own': refused because the
 * guest or forward it names is not the user's (the role may use the action).
 */
type Verdict = 'yes' | 'no' | 'not-own'

// One row per action, one verdict per column, in the order of `columns`:
//   admin  operator  auditor  self-service  self-service-on-another's  anonymous
const matrix: ActionTable<string> = {
  'app/(dashboard)/account/actions.ts': {
    changePasswordAction: 'yes yes yes yes yes no',
    createTokenAction: 'yes yes yes yes yes no',
    revokeTokenAction: 'yes yes yes yes yes no',
    startSecondFactorAction: 'yes yes yes yes yes no',
    confirmSecondFactorAction: 'yes yes yes yes yes no',
  },
  'app/(dashboard)/hosts/[hostId]/bridges/actions.ts': {
    createHostBridgeAction: 'yes no no no no no',
    createBridgeNetworkAction: 'yes yes no no no no',
    attachGuestAction: 'yes yes no no no no',
    bridgeSettingsAction: 'yes no no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/filters/actions.ts': {
    applyFilterEditAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/forwards/actions.ts': {
    addForwardAction: 'yes yes no no no no',
    removeForwardAction: 'yes yes no no no no',
    setGuestForwardsAction: 'yes yes no no no no',
    reconcileForwardsAction: 'yes yes no no no no',
    installHookAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/guests/actions.ts': {
    attachInterfaceAction: 'yes yes no no no no',
    detachInterfaceAction: 'yes yes no no no no',
    changeNetworkAction: 'yes yes no no no no',
    interfaceSettingsAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/networks/[network]/dhcp/actions.ts': {
    saveMappingAction: 'yes yes no no no no',
    deleteMappingAction: 'yes yes no no no no',
    importDriftAction: 'yes yes no no no no',
    removeDriftAction: 'yes yes no no no no',
    pinLeaseAction: 'yes yes no no no no',
    reapplyAction: 'yes yes no no no no',
    importCsvAction: 'yes yes no no no no',
    replaceTableAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/networks/[network]/edit/actions.ts': {
    applyEditAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/networks/actions.ts': {
    createNetworkAction: 'yes yes no no no no',
    startNetworkAction: 'yes yes no no no no',
    stopNetworkAction: 'yes yes no no no no',
    autostartNetworkAction: 'yes yes no no no no',
    undefineNetworkAction: 'yes yes no no no no',
    restoreDefaultAction: 'yes yes no no no no',
  },
  'app/(dashboard)/hosts/[hostId]/sriov/actions.ts': {
    setVfCountAction: 'yes yes no no no no',
    createPoolAction: 'yes yes no no no no',
    startPoolAction: 'yes yes no no no no',
    autostartPoolAction: 'yes yes no no no no',
    deletePoolAction: 'yes yes no no no no',
    assignAction: 'yes yes no no no no',
    releaseAction: 'yes yes no no no no',
  },
  'app/(dashboard)/fleet/actions.ts': {
    refreshInventoryAction: 'yes yes yes no no no',
  },
  'app/(dashboard)/hosts/actions.ts': {
    addHostAction: 'yes no no no no no',
    confirmHostKeyAction: 'yes no no no no no',
    checkHostAction: 'yes yes no no no no',
    removeHostAction: 'yes no no no no no',
  },
  'app/(dashboard)/hosts/dashboard-key/actions.ts': {
    generateDashboardKeyAction: 'yes no no no no no',
    testDashboardKeyAction: 'yes no no no no no',
    rotateDashboardKeyAction: 'yes no no no no no',
    discardDashboardKeyAction: 'yes no no no no no',
  },
  'app/(dashboard)/jobs/[jobId]/actions.ts': {
    undoInterruptedJobAction: 'yes yes no no no no',
    resumeInterruptedJobAction: 'yes yes no no no no',
  },
  'app/(dashboard)/my/actions.ts': {
    addMyForwardAction: 'no no no yes not-own no',
    removeMyForwardAction: 'no no no yes not-own no',
    setMyGuestForwardsAction: 'no no no yes not-own no',
  },
  'app/(dashboard)/users/actions.ts': {
    createUserAction: 'yes no no no no no',
    setLimitsAction: 'yes no no no no no',
    assignGuestAction: 'yes no no no no no',
    unassignGuestAction: 'yes no no no no no',
    revokeAnyTokenAction: 'yes no no no no no',
    setSecondFactorPolicyAction: 'yes no no no no no',
    resetSecondFactorAction: 'yes no no no no no',
    setUserRoleAction: 'yes no no no no no',
    setUserDisabledAction: 'yes no no no no no',
    resetPasswordAction: 'yes no no no no no',
    endSessionsAction: 'yes no no no no no',
  },
}

/** What a self-service user is told when the guest or forward named is not theirs. */
const notOwnRefusals: ActionTable<string> = {
  'app/(dashboard)/my/actions.ts': {
    addMyForwardAction: 'That guest is not assigned to you.',
    removeMyForwardAction: 'That forward is not yours or no longer exists.',
    setMyGuestForwardsAction: 'That guest is not assigned to you.',
  },
}

function verdictsOf(a: DiscoveredAction): Verdict[] {
  const row = matrix[a.file]?.[a.name]
  if (row === undefined) throw new Error(`${a.name} (${a.file}) has no row in the matrix of this test: add one`)
  const verdicts = row.split(' ')
  if (verdicts.length !== columns.length || verdicts.some((word) => !['yes', 'no', 'not-own'].includes(word)))
    throw new Error(`The row of ${a.name} needs ${columns.length} verdicts (yes, no, not-own): "${row}"`)
  return verdicts as Verdict[]
}

/** A refusal of the user, whichever check made it: the role's, being signed out, or the job's permission. */
const refusalOfTheUser = /does not allow this\.|You are not signed in\.|may not start this kind of job/

let fx: ActionFixtures
/** Another self-service user: the lab guest vnlab-b1 is theirs, and a forward to it. */
let other: TestUser & { guestUuid: string; forwardId: string }
let users: Record<Column, TestUser | null>

const actions = await discoverServerActions()
const covered = actions.filter((a) => !exemptActions[a.file]?.[a.name])

/** Refusal: no row changed, one audit record of the refusal naming who was refused, and the refusal's words. */
function expectRefused(
  call: ActionCall,
  refusal: string,
  user: TestUser | null,
  changes: { rows: string[]; audited: AuditRow[] },
  who: string,
) {
  const state = call.state
  expect.soft(call.redirectedTo, `${who}: redirected as after a change`).toBeNull()
  expect.soft(state?.status, `${who}: refused (${state?.message})`).toBe('error')
  const said = `${state?.message} ${Object.values(state?.errors ?? {})
    .flat()
    .join(' ')}`
  expect.soft(said, `${who}: the refusal`).toContain(refusal)
  expect.soft(changes.rows, `${who}: database rows changed`).toEqual([])
  expect
    .soft(
      changes.audited
        // A signed-out refusal also writes the summaries of earlier minutes' unrecorded refusals (lib/audit/refusals.ts),
        // whichever clients they came from: not this call's record.
        .filter(({ action }) => action !== refusalSummaryAction)
        .map(({ result, error, actorId, actorName }) => ({ result, error, actorId, actorName })),
      `${who}: the audit records`,
    )
    .toEqual([
      {
        result: 'refused',
        error: auditedRefusal(state),
        actorId: user?.id ?? null,
        actorName: user?.username ?? '(anonymous)',
      },
    ])
}

/** Posts `input` to `action` (a preview) as `user` (null: signed out); what it answered and what it changed. */
async function post(action: ServerAction, input: FormFields, user: TestUser | null) {
  if (user) await signIn(user)
  else browseSignedOut()
  const before = await snapshotDatabase()
  const call = await callAction(action, input, { dryRun: true })
  const after = await snapshotDatabase()
  return { call, rows: databaseChanges(before, after), audited: auditEventsAdded(before, after) }
}

// Test titles: "hosts/[hostId]/sriov createPoolAction → admin, operator".
const titleOf = (a: DiscoveredAction) => {
  const row = matrix[a.file]?.[a.name]
  const allowed = row?.split(' ').flatMap((word, index) => (word === 'yes' ? [columns[index]] : []))
  return `${shortNameOf(a)} → ${row === undefined ? 'no row' : allowed?.join(', ') || 'nobody'}`
}

describe('authorization on the server: every server action as every role', () => {
  beforeAll(async () => {
    fx = await testbed.setUp()
    const operator = await createTestUser('vnk-operator', 'operator')
    const auditor = await createTestUser('vnk-auditor', 'auditor')
    const otherUser = await createTestUser('vnk-other', 'selfservice')
    await setSelfServiceLimits(otherUser.id, { portMin: 20500, portMax: 20600, maxForwards: 5 })
    const { uuid } = await assignGuest(otherUser.id, fx.hostId, labGuest.name)
    // In the table only, like the testbed's forward: nothing of it reaches the host.
    const forward = await db.portForward.create({
      data: {
        hostId: fx.hostId,
        guestName: labGuest.name,
        guestUuid: uuid,
        network: labGuest.network,
        bridge: labGuest.bridge,
        subnet: '192.168.122.0/24',
        guestMac: labGuest.mac,
        guestIp: '192.168.122.231',
        protocol: 'tcp',
        hostPortStart: 20510,
        hostPortEnd: 20510,
        guestPortStart: 22,
        guestPortEnd: 22,
        ownerId: otherUser.id,
        ownerName: otherUser.username,
      },
    })
    other = { ...otherUser, guestUuid: uuid, forwardId: forward.id }
    users = {
      admin: fx.admin,
      operator,
      auditor,
      'self-service': fx.selfService,
      "self-service, another's": other,
      anonymous: null,
    }
  })

  afterAll(async () => {
    // The other user's forward lives only in the shared test database; the forwards suite counts lab B's rows.
    if (other) await db.portForward.deleteMany({ where: { id: other.forwardId } })
    await testbed.tearDown(fx)
  })

  it('has a row (and an input case) for every server action, and none for an action that is gone', () => {
    const found = actions.map((a) => actionKey(a.file, a.name)).sort()
    expect(found.length).toBeGreaterThan(40)
    expect(found).toEqual(keysOf(matrix, exemptActions))
    expect(found).toEqual(keysOf(cases, exemptActions))
    for (const [file, names] of Object.entries(notOwnRefusals))
      for (const name of Object.keys(names)) expect(matrix[file]?.[name], name).toContain('not-own')
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

  it("compares host B without another test's rules, also those of a network gone from the later reads", () => {
    // Read while another test destroyed its transient network: its rules were read first, its network and bridge
    // were gone by the time virsh and ip listed them; the next snapshot has none of it.
    const ruleOf = (chain: string, bridge: string, subnet: string) =>
      `-A ${chain} -d ${subnet} -o ${bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`
    const before = new Map([
      [
        'iptables',
        [
          ruleOf('LIBVIRT_FWI', 'vbga4512', '10.235.1.0/24'),
          '-A LIBVIRT_PRT -s 10.235.1.0/24 ! -d 10.235.1.0/24 -j MASQUERADE',
          ruleOf('LIBVIRT_FWI', 'vnkbr1', '10.245.77.0/24'),
        ],
      ],
      ['links', ['lo UNKNOWN', 'vnkbr1 UP']],
    ])
    const after = new Map([
      ['iptables', []],
      ['links', ['lo UNKNOWN', 'vnkbr1 UP']],
    ])
    expect(hostChanges(before, after, inScope, ownsAddress)).toEqual([
      `iptables: - ${ruleOf('LIBVIRT_FWI', 'vnkbr1', '10.245.77.0/24')}`,
    ])
  })

  it("compares host B's shared forward table by the test's own rules only, not other tests' first or last forward", () => {
    const own = `-A VIRTNET_DNAT -d 10.77.0.2/32 -p tcp -m tcp --dport 2201 -m comment --comment vn:own:1 -j DNAT --to-destination ${testbed.names.guest.ip}:22`
    const before = new Map([
      ['iptables', ['-A FORWARD -j LIBVIRT_FWX']],
      ['files', ['-rw-r--r-- 1 root root 10 2026-12-01 03:00:00.000000000 +0000 forwards.log']],
      ['hooks', ['-rwxr-xr-x root /etc/libvirt/hooks/qemu', 'abc /etc/libvirt/hooks/qemu.d/virtnet-forwards']],
    ])
    const after = new Map([
      [
        'iptables',
        [
          ':VIRTNET_FWD - [0:0]',
          '-A FORWARD -j VIRTNET_FWD',
          '-A FORWARD -j LIBVIRT_FWX',
          '-A VIRTNET_DNAT -d 10.77.0.2/32 -p tcp -m tcp --dport 2202 -j DNAT --to-destination 192.168.122.50:22',
          own,
        ],
      ],
      ['files', ['-rw-r--r-- 1 root root 99 2026-12-01 03:00:01.000000000 +0000 forwards.log']],
      [
        'hooks',
        ['-rwxr-xr-x root /etc/libvirt/hooks/qemu.vnh-saved-1', 'abd /etc/libvirt/hooks/qemu.d/virtnet-forwards'],
      ],
    ])
    expect(hostChanges(before, after, inScope, ownsAddress)).toEqual([
      `iptables: + ${own}`,
      'hooks: - abc /etc/libvirt/hooks/qemu.d/virtnet-forwards',
      'hooks: + abd /etc/libvirt/hooks/qemu.d/virtnet-forwards',
    ])
  })

  it.each(covered.map((a) => ({ title: titleOf(a), a })))('$title', async ({ a }: { a: DiscoveredAction }) => {
    const verdicts = verdictsOf(a)
    const spec = cases[a.file]?.[a.name]
    if (!spec) throw new Error(`${a.name} (${a.file}) has no input case: add one to lib/test/action-cases.ts`)
    const hostBefore = snapshotHostB()

    for (const [index, column] of columns.entries()) {
      const user = users[column]
      // Signed out, the input is the administrator's (changing a password names the current one).
      const { call, rows, audited } = await post(a.action, spec.input(fx, user ?? fx.admin), user)
      const verdict = verdicts[index]!
      if (verdict === 'yes') {
        expect.soft(call.state?.message ?? '', `${column}: refused`).not.toMatch(refusalOfTheUser)
        expect.soft(rows, `${column}: database rows changed`).toEqual([])
        expectPreviewAnswer(call, spec.verdict, audited, column)
        continue
      }
      const refusal =
        verdict === 'not-own'
          ? (notOwnRefusals[a.file]?.[a.name] ?? `(no refusal for ${a.name} in notOwnRefusals)`)
          : user
            ? `Your role (${user.role}) does not allow this.`
            : 'You are not signed in.'
      expectRefused(call, refusal, user, { rows, audited }, column)
    }

    const changed = hostChanges(hostBefore, snapshotHostB(), inScope, ownsAddress)
    expect.soft(changed, `changes on host B:\n${changed.join('\n')}`).toEqual([])
  })

  it("refuses a self-service user the other user's guest and forward (the other way round)", async () => {
    const hostBefore = snapshotHostB()
    const my = 'app/(dashboard)/my/actions.ts'
    const action = (name: string) => actions.find((a) => a.file === my && a.name === name)!.action

    // Valid for their owner: the other user's own forward previews its removal.
    const own = await post(action('removeMyForwardAction'), { forwardId: other.forwardId }, other)
    expectPreviewAnswer(own.call, 'preview', own.audited, 'the owner')

    const guest = await post(
      action('addMyForwardAction'),
      { guest: `${other.guestUuid}/${labGuest.network}`, protocol: 'tcp', hostPort: '20040', guestPort: '22' },
      fx.selfService,
    )
    expectRefused(guest.call, notOwnRefusals[my]!.addMyForwardAction!, fx.selfService, guest, 'add')
    expect.soft(guest.call.state?.errors).toEqual({ guest: ['That guest is not assigned to you.'] })

    const forward = await post(action('removeMyForwardAction'), { forwardId: other.forwardId }, fx.selfService)
    expectRefused(forward.call, notOwnRefusals[my]!.removeMyForwardAction!, fx.selfService, forward, 'remove')

    expect.soft(hostChanges(hostBefore, snapshotHostB(), inScope, ownsAddress), 'changes on host B').toEqual([])
  })

  it('refuses an operator the undo and resume of a job only administrators may start (a host bridge job)', async () => {
    const jobId = await testbed.createInterruptedJob(fx.hostId, 'manageBridges', 'vnk-bridge-job')
    const jobs = 'app/(dashboard)/jobs/[jobId]/actions.ts'
    for (const name of ['undoInterruptedJobAction', 'resumeInterruptedJobAction']) {
      const action = actions.find((a) => a.file === jobs && a.name === name)!.action
      const operator = users.operator!
      const refused = await post(action, { jobId }, operator)
      expectRefused(
        refused.call,
        'Your role (operator) may not start this kind of job, so it may not undo or resume one either.',
        operator,
        refused,
        `${name} as operator`,
      )
      const allowed = await post(action, { jobId }, fx.admin)
      expectPreviewAnswer(allowed.call, 'preview', allowed.audited, `${name} as admin`)
      expect.soft(allowed.rows, `${name} as admin: database rows changed`).toEqual([])
    }
  })
})
