import 'server-only'
// A valid input for every server action, naming real things on lab host B, and what its preview (dryRun=1) answers:
// the table that app/actions-preview.itest.ts (a preview never acts) and app/actions-authorization.itest.ts (the role
// matrix) both post. Each test builds its own testbed with its own prefix and subnets, so two of them can run on host
// B at the same time: host fixtures (networks, a stopped guest, SR-IOV pools over a veth, a host bridge), database
// fixtures (an administrator, a self-service user with that guest and a forward, a host that is never contacted, an
// interrupted job) and the cases. An action without a case fails both tests until it gets one.
import { expect } from 'vitest'
import { db } from '@/lib/db/client'
import { assignGuest, setSelfServiceLimits } from '@/lib/users/changes'
import { storeDesired } from '@/lib/dhcp/store'
import { createJob, cutShortNote } from '@/lib/jobs/jobs'
import { savedPlanOf } from '@/lib/jobs/saved-plan'
import type { Permission } from '@/lib/auth/roles'
import type { FormState } from '@/lib/actions/form-state'
import { inHostB, labFingerprint, registeredLabHost } from '@/lib/test/lab'
import { networkXml } from '@/lib/libvirt/read-networks'
import { nwfilterXml } from '@/lib/nwfilters/read'
import { definitionVersion } from '@/lib/network-edit/version'
import { interruptedPlan } from '@/lib/test/interrupted-plan'
import {
  createTestUser,
  labAndPrefixScope,
  type AuditRow,
  type DiscoveredAction,
  type FormFields,
  type TestUser,
} from '@/lib/test/server-actions'

/**
 * What a preview of the action answers. 'preview': the plan (status 'preview'). 'no preview': the action has no host
 * plan (it changes Virtnet's own records), so the preview stops at its first write with the refusal "There is no
 * preview of this action" (NothingToPreview). { labCannot }: no valid input reaches the action's plan on the lab (it
 * lacks the hardware or state); the refusal expected instead is named and still may change nothing.
 */
export type PreviewVerdict = 'preview' | 'no preview' | { labCannot: string; refusal: string }

export type ActionFixtures = {
  hostId: string
  admin: TestUser
  /** owns the testbed's guest (a grant), a forward on it and a port range */
  selfService: TestUser
  guestUuid: string
  grantId: string
  forwardId: string
  removableHostId: string
  editedNetXml: string
  /** the version of the network definition editedNetXml was made on */
  netVersion: string
  /** the lab's stock filter allow-arp with a comment added, and the version of the definition it was made on */
  editedFilterXml: string
  filterVersion: string
  /** a job a restart cut short (two steps finished, the third cut short), its plan saved: it can be undone or resumed */
  interruptedJobId: string
}

export type ActionCase = {
  /** who posts it in the preview test */
  as: 'admin' | 'selfservice'
  /** a valid input; `user` is the one posting (changing a password needs their own) */
  input: (fx: ActionFixtures, user: TestUser) => FormFields
  verdict: PreviewVerdict
}

/** file → exported name → case */
export type ActionTable<T> = Record<string, Record<string, T>>

/** Actions outside runAction, with no Preview and no permission: the tests check they do not call runAction. */
export const exemptActions: ActionTable<string> = {
  'app/login/actions.ts': {
    login: 'signing in has no preview; it runs before anyone is signed in, outside runAction',
    verifySecondFactor: 'the second step of signing in, for a half-signed-in session only, outside runAction',
    startRequiredEnrolment:
      'the forced second-factor set-up, for a session that reaches nothing else, outside runAction',
    confirmRequiredEnrolment:
      'the forced second-factor set-up, for a session that reaches nothing else, outside runAction',
    chooseRequiredPassword:
      'the password chosen after a one-time one, for a session that reaches nothing else, outside runAction',
    logout: 'signing out has no preview and no form fields, outside runAction',
  },
}

export const actionKey = (file: string, name: string) => `${file} ${name}`

/** The actions a table names, as sorted keys (to compare with the discovered ones). */
export const keysOf = (...tables: ActionTable<unknown>[]) =>
  tables
    .flatMap((table) =>
      Object.entries(table).flatMap(([file, names]) => Object.keys(names).map((name) => actionKey(file, name))),
    )
    .sort()

/** "hosts/[hostId]/sriov createPoolAction", for test titles. */
export const shortNameOf = (a: DiscoveredAction) =>
  `${a.file.replace(/^app\/(\(dashboard\)\/)?/, '').replace(/\/?actions\.ts$/, '')} ${a.name}`

export const verdictName = (verdict: PreviewVerdict | undefined) =>
  verdict === undefined ? 'no case' : typeof verdict === 'string' ? verdict : `not on the lab (${verdict.labCannot})`

/** The lab guest (vnlab-b1) on host B's network default: the one lease on host B that a real DHCP client keeps. */
export const labGuest = { name: 'vnlab-b1', mac: '52:54:00:77:0b:01', network: 'default', bridge: 'virbr0' }

/**
 * Checks a preview's answer against its verdict: the plan, or the refusal to preview; never the change itself, never
 * an input error or a refusal of the user. `audited` holds the audit records the call added (a preview itself is not
 * audited; its refusal is, as refused).
 */
export function expectPreviewAnswer(
  call: { state: FormState | null; redirectedTo: string | null },
  verdict: PreviewVerdict,
  audited: AuditRow[],
  who = '',
) {
  const state = call.state
  const label = (what: string) => (who ? `${who}: ${what}` : what)
  expect.soft(call.redirectedTo, label('redirected as after a change')).toBeNull()
  if (verdict === 'preview') {
    expect.soft(state?.status, label(`a preview with its plan (${state?.message})`)).toBe('preview')
    expect.soft(state?.errors, label('field errors')).toEqual({})
    expect.soft(state?.plan?.length ?? 0, label('steps in the plan')).toBeGreaterThan(0)
    expect.soft(audited, label('audit records of a preview')).toEqual([])
    return
  }
  expect.soft(state?.status, label('the refusal to preview')).toBe('error')
  if (verdict === 'no preview') {
    expect.soft(state?.errors, label('field errors')).toEqual({})
    expect
      .soft(state?.message, label('the refusal to preview'))
      .toMatch(/^There is no preview of this action: .+\. Nothing changed\.$/)
    expect
      .soft(
        audited.map((event) => event.result),
        label('audit results'),
      )
      .toEqual(['refused'])
  } else {
    const said = `${state?.message} ${Object.values(state?.errors ?? {})
      .flat()
      .join(' ')}`
    expect.soft(said, label('the refusal the lab gives')).toContain(verdict.refusal)
  }
  expect.soft(audited.map((event) => event.error)[0], label('audited refusal')).toBe(auditedRefusal(state))
}

/** What the audit records of a refusal (runAction): the message, then the field messages ("field: …; field: …"). */
export function auditedRefusal(
  state: { message: string | null; errors?: Record<string, string[] | undefined> } | null | undefined,
) {
  const fields = Object.entries(state?.errors ?? {})
    .map(([field, messages]) => `${field}: ${messages?.join(' ')}`)
    .join('; ')
  return fields ? `${state?.message} ${fields}` : state?.message
}

/**
 * The testbed of one test: its things on host B carry `prefix` (three letters: bridges are `${prefix}br1`), its
 * subnets are 10.`octet`.77-80.0/24 and its MAC addresses 52:54:00:`octet in hex`:…, so tests with other prefixes
 * and octets can run on host B at the same time.
 */
export function actionTestbed(prefix: string, octet: number) {
  const inScope = labAndPrefixScope(prefix)
  const subnet = (third: number) => `10.${octet}.${third}`
  const mac = (fourth: string, last: string) => `52:54:00:${octet.toString(16).padStart(2, '0')}:${fourth}:${last}`

  // What the testbed creates on host B, beside the lab's network default and guest vnlab-b1. The lab's kernel has no
  // dummy links: veth pairs stand in for NICs.
  const net = { name: `${prefix}-net`, bridge: `${prefix}br1`, gateway: `${subnet(77)}.1` }
  const idleNet = { name: `${prefix}-idle`, bridge: `${prefix}br2` }
  const guest = { name: `${prefix}-g1`, mac: mac('0a', '01'), ip: `${subnet(77)}.10`, poolMac: mac('0b', '01') }
  const drift = { mac: mac('0a', '02'), ip: `${subnet(77)}.11` }
  const pool = `${prefix}-pool`
  const emptyPool = `${prefix}-pool2`
  const pf = `${prefix}pf0`
  const spareNic = `${prefix}nic0`
  const hostBridge = `${prefix}br0`

  const netXml = `<network><name>${net.name}</name><forward mode='nat'/><bridge name='${net.bridge}' stp='off'/>
<ip address='${net.gateway}' prefix='24'><dhcp><range start='${subnet(77)}.100' end='${subnet(77)}.200'/>
<host mac='${guest.mac}' ip='${guest.ip}'/><host mac='${drift.mac}' name='${prefix}-drift' ip='${drift.ip}'/></dhcp></ip></network>`
  const idleNetXml = `<network><name>${idleNet.name}</name><bridge name='${idleNet.bridge}'/><ip address='${subnet(79)}.1' prefix='24'/></network>`
  const poolXml = (name: string) =>
    `<network><name>${name}</name><forward mode='hostdev' managed='yes'><pf dev='${pf}'/></forward></network>`
  // Stopped: its interfaces are edited in its saved configuration only, and nothing of it runs.
  const guestXml = `<domain type='qemu'><name>${guest.name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices>
<interface type='network'><source network='${net.name}'/><mac address='${guest.mac}'/><model type='virtio'/></interface>
<interface type='network'><source network='${pool}'/><mac address='${guest.poolMac}'/></interface>
</devices></domain>`

  const define = (command: 'net-define' | 'define', xml: string) => `f=$(mktemp)
cat > "$f" <<'VN_XML'
${xml}
VN_XML
virsh -q ${command} "$f" >/dev/null
rm -f "$f"`

  function removeHostFixtures() {
    inHostB(`{
virsh -q undefine ${guest.name}
for n in ${net.name} ${idleNet.name} ${pool} ${emptyPool}; do virsh -q net-destroy $n; virsh -q net-undefine $n; done
ip link del ${pf}; ip link del ${spareNic}; ip link del ${hostBridge}
} >/dev/null 2>&1; true`)
  }

  function createHostFixtures() {
    inHostB(`set -e
ip link add ${pf} type veth peer name ${pf}p
ip link add ${spareNic} type veth peer name ${spareNic}p
ip link add ${hostBridge} type bridge
for link in ${pf} ${spareNic} ${hostBridge}; do ip link set $link up; done
${define('net-define', netXml)}
virsh -q net-start ${net.name} >/dev/null
${define('net-define', idleNetXml)}
${define('net-define', poolXml(pool))}
${define('net-define', poolXml(emptyPool))}
${define('define', guestXml)}`)
  }

  /**
   * A job on host B that a restart cut short, as the start-up leaves it (interrupted, re-read, its plan saved): the
   * restart test's plan (lib/test/interrupted-plan.ts), its first two steps finished, the third cut short. Only its
   * rows exist: undo and resume get as far as their previews and no further.
   */
  async function createInterruptedJob(hostId: string, permission: Permission, name: string): Promise<string> {
    const plan = interruptedPlan({
      name,
      bridge: `${prefix}brj`,
      ipv4Cidr: `${subnet(80)}.0/24`,
      holdFile: `/tmp/${name}.hold`,
    })
    const actor = { id: null, username: `${prefix}-restarted` }
    const job = await createJob({
      kind: 'network.create',
      title: plan.title,
      hostId,
      actorName: actor.username,
      steps: plan.steps.map((step) => ({ label: step.label, command: String(step.command) })),
      plan: savedPlanOf(plan, {
        hostId,
        permission,
        actor,
        audit: { target: name, params: { name } },
        followUp: false,
      }),
    })
    const now = new Date()
    await db.jobStep.updateMany({
      where: { jobId: job.jobId, position: { in: [0, 1] } },
      data: { status: 'done', exitCode: 0, startedAt: now, finishedAt: now },
    })
    await db.jobStep.update({
      where: { jobId_position: { jobId: job.jobId, position: 2 } },
      data: { status: 'failed', output: cutShortNote, startedAt: now, finishedAt: now },
    })
    await db.job.update({
      where: { id: job.jobId },
      data: { status: 'interrupted', finishedAt: now, recheckedAt: now, error: 'The dashboard restarted.' },
    })
    return job.jobId
  }

  /** Creates the host and database fixtures (removing leftovers of an earlier run first). */
  async function setUp(): Promise<ActionFixtures> {
    const labB = await registeredLabHost('lab-b')
    removeHostFixtures()
    createHostFixtures()
    const guestUuid = inHostB(`virsh -q domuuid ${guest.name}`).trim()
    const netXml = await networkXml(labB.target, net.name, { inactive: true })
    const editedNetXml = netXml.replace(
      '</dhcp>',
      `  <host mac='${mac('0a', '05')}' name='${prefix}-edit' ip='${subnet(77)}.14'/>\n    </dhcp>`,
    )
    const filterXml = (await nwfilterXml(labB.target, 'allow-arp')) ?? ''
    const admin = await createTestUser(`${prefix}-admin`, 'admin')
    const selfService = await createTestUser(`${prefix}-self`, 'selfservice')
    await setSelfServiceLimits(selfService.id, { portMin: 20000, portMax: 20100, maxForwards: 5 })
    await assignGuest(selfService.id, labB.row.id, guest.name)
    const grant = await db.selfServiceGuest.findFirstOrThrow({ where: { userId: selfService.id } })
    // Desired DHCP table of the network: the guest's entry (also on the host) and one the host lacks (so a re-apply
    // has a step); the host's second entry stays drift.
    await storeDesired(labB.row.id, net.name, [
      { family: 'ipv4', mac: guest.mac, ip: guest.ip },
      { family: 'ipv4', mac: mac('0a', '03'), ip: `${subnet(77)}.12` },
    ])
    // A forward in the table only: removing it is a plan that rewrites the host's table.
    const forward = await db.portForward.create({
      data: {
        hostId: labB.row.id,
        guestName: guest.name,
        guestUuid,
        network: net.name,
        bridge: net.bridge,
        subnet: `${subnet(77)}.0/24`,
        guestMac: guest.mac,
        guestIp: guest.ip,
        protocol: 'tcp',
        hostPortStart: 20010,
        hostPortEnd: 20010,
        guestPortStart: 80,
        guestPortEnd: 80,
        ownerId: selfService.id,
        ownerName: selfService.username,
      },
    })
    // Never contacted: removing a host only forgets it (TEST-NET-1 address).
    const removable = await db.host.create({ data: { name: `${prefix}-removable`, address: '192.0.2.1', port: 22 } })
    return {
      hostId: labB.row.id,
      admin,
      selfService,
      guestUuid,
      grantId: grant.id,
      forwardId: forward.id,
      removableHostId: removable.id,
      editedNetXml,
      netVersion: definitionVersion(netXml),
      editedFilterXml: filterXml.replace('</filter>', '  <!-- edited -->\n</filter>'),
      filterVersion: definitionVersion(filterXml),
      interruptedJobId: await createInterruptedJob(labB.row.id, 'manageNetworks', `${prefix}-restarted`),
    }
  }

  const host = (fx: ActionFixtures) => ({ hostId: fx.hostId })
  const onNet = (fx: ActionFixtures, fields: FormFields = {}) => ({ ...host(fx), network: net.name, ...fields })

  const cases: ActionTable<ActionCase> = {
    'app/(dashboard)/account/actions.ts': {
      changePasswordAction: {
        as: 'admin',
        input: (_fx, user) => ({
          currentPassword: user.password,
          newPassword: 'a-new-password-of-length',
          repeatPassword: 'a-new-password-of-length',
        }),
        verdict: 'no preview',
      },
      createTokenAction: {
        as: 'admin',
        input: () => ({ name: `${prefix}-token`, scope: 'read', expiresInDays: '30' }),
        verdict: 'no preview',
      },
      revokeTokenAction: { as: 'admin', input: () => ({ tokenId: `${prefix}-no-such-token` }), verdict: 'no preview' },
      startSecondFactorAction: { as: 'admin', input: () => ({}), verdict: 'no preview' },
      confirmSecondFactorAction: {
        as: 'admin',
        input: () => ({ token: '123456' }),
        verdict: {
          labCannot:
            'the posting user has no set-up under way: its secret comes from startSecondFactorAction, whose preview writes nothing',
          refusal: 'Start the set-up first: there is no QR code to confirm.',
        },
      },
    },
    'app/(dashboard)/hosts/[hostId]/bridges/actions.ts': {
      createHostBridgeAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), bridge: `${prefix}br9`, nic: spareNic, confirmSeconds: '60' }),
        verdict: 'preview',
      },
      createBridgeNetworkAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: `${prefix}-bridged`, bridge: hostBridge, autostart: 'on', start: 'on' }),
        verdict: 'preview',
      },
      attachGuestAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, target: `bridge:${hostBridge}` }),
        verdict: 'preview',
      },
      bridgeSettingsAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), disableBridgeNetfilter: 'on', mssClamping: 'on' }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/[hostId]/filters/actions.ts': {
      applyFilterEditAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: 'allow-arp', xml: fx.editedFilterXml, base: fx.filterVersion }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/[hostId]/forwards/actions.ts': {
      addForwardAction: {
        as: 'admin',
        input: (fx) => ({
          ...host(fx),
          guest: `${fx.guestUuid}/${net.name}`,
          protocol: 'tcp',
          hostPort: '20020',
          guestPort: '80',
        }),
        verdict: 'preview',
      },
      removeForwardAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), forwardId: fx.forwardId }),
        verdict: 'preview',
      },
      setGuestForwardsAction: {
        as: 'admin',
        input: (fx) => ({
          ...host(fx),
          guest: fx.guestUuid,
          forwards: JSON.stringify([{ network: net.name, protocol: 'tcp', hostPort: '20021', guestPort: '80' }]),
        }),
        verdict: 'preview',
      },
      reconcileForwardsAction: { as: 'admin', input: host, verdict: 'preview' },
      installHookAction: { as: 'admin', input: host, verdict: 'preview' },
    },
    'app/(dashboard)/hosts/[hostId]/guests/actions.ts': {
      attachInterfaceAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, type: 'network', source: net.name, model: 'virtio' }),
        verdict: 'preview',
      },
      detachInterfaceAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, mac: guest.mac }),
        verdict: 'preview',
      },
      changeNetworkAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, mac: guest.mac, network: 'default' }),
        verdict: 'preview',
      },
      interfaceSettingsAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, mac: guest.mac, link: 'down', model: 'virtio' }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/[hostId]/networks/[network]/dhcp/actions.ts': {
      saveMappingAction: {
        as: 'admin',
        input: (fx) => onNet(fx, { mac: mac('0a', '04'), ip: `${subnet(77)}.13`, name: `${prefix}-new` }),
        verdict: 'preview',
      },
      deleteMappingAction: { as: 'admin', input: (fx) => onNet(fx, { key: `mac:${guest.mac}` }), verdict: 'preview' },
      importDriftAction: { as: 'admin', input: (fx) => onNet(fx, { key: `mac:${drift.mac}` }), verdict: 'preview' },
      removeDriftAction: { as: 'admin', input: (fx) => onNet(fx, { key: `mac:${drift.mac}` }), verdict: 'preview' },
      pinLeaseAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), network: labGuest.network, mac: labGuest.mac }),
        verdict: 'preview',
      },
      reapplyAction: { as: 'admin', input: (fx) => onNet(fx), verdict: 'preview' },
      importCsvAction: {
        as: 'admin',
        input: (fx) => onNet(fx, { csv: `${mac('0a', '06')},${subnet(77)}.15,${prefix}-csv\n` }),
        verdict: 'preview',
      },
      replaceTableAction: {
        as: 'admin',
        input: (fx) => onNet(fx, { csv: `${mac('0a', '07')},${subnet(77)}.16,${prefix}-table\n` }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/[hostId]/networks/[network]/edit/actions.ts': {
      applyEditAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: net.name, xml: fx.editedNetXml, base: fx.netVersion }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/[hostId]/networks/actions.ts': {
      createNetworkAction: {
        as: 'admin',
        input: (fx) => ({
          ...host(fx),
          name: `${prefix}-new-net`,
          bridge: `${prefix}br7`,
          ipv4Cidr: `${subnet(78)}.0/24`,
          start: 'on',
        }),
        verdict: 'preview',
      },
      startNetworkAction: { as: 'admin', input: (fx) => ({ ...host(fx), name: idleNet.name }), verdict: 'preview' },
      stopNetworkAction: { as: 'admin', input: (fx) => ({ ...host(fx), name: net.name }), verdict: 'preview' },
      autostartNetworkAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: net.name, enabled: 'true' }),
        verdict: 'preview',
      },
      undefineNetworkAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: idleNet.name, confirmName: idleNet.name }),
        verdict: 'preview',
      },
      restoreDefaultAction: {
        as: 'admin',
        input: host,
        verdict: {
          labCannot: 'every lab host has its default network, which the restore needs to be gone (others use it)',
          refusal: 'This host already has a network named default.',
        },
      },
    },
    'app/(dashboard)/hosts/[hostId]/sriov/actions.ts': {
      setVfCountAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), pf: spareNic, count: '2' }),
        verdict: {
          labCannot: 'lab host B has no SR-IOV physical function (no VF-capable hardware)',
          refusal: `${spareNic} is not an SR-IOV physical function on this host.`,
        },
      },
      createPoolAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: `${prefix}-new-pool`, pf: spareNic, autostart: 'on' }),
        verdict: 'preview',
      },
      startPoolAction: { as: 'admin', input: (fx) => ({ ...host(fx), name: emptyPool }), verdict: 'preview' },
      autostartPoolAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), name: emptyPool, enabled: 'true' }),
        verdict: 'preview',
      },
      deletePoolAction: { as: 'admin', input: (fx) => ({ ...host(fx), name: emptyPool }), verdict: 'preview' },
      assignAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, target: `pool:${pool}`, vlan: '42' }),
        verdict: 'preview',
      },
      releaseAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), guest: guest.name, mac: guest.poolMac }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/hosts/actions.ts': {
      // lab-a's sshd: a real server that offers its key; it is not registered in the test database.
      addHostAction: {
        as: 'admin',
        // By name, not 127.0.0.1: other suites register lab A's 127.0.0.1:2222 in the same database.
        input: () => ({ name: `${prefix}-new-host`, address: 'localhost', port: '2222', username: 'root' }),
        verdict: 'no preview',
      },
      confirmHostKeyAction: {
        as: 'admin',
        input: (fx) => ({ ...host(fx), fingerprint: labFingerprint('lab-b') }),
        verdict: 'no preview',
      },
      checkHostAction: { as: 'admin', input: host, verdict: 'no preview' },
      removeHostAction: {
        as: 'admin',
        input: (fx) => ({ hostId: fx.removableHostId, confirmName: `${prefix}-removable` }),
        verdict: 'no preview',
      },
    },
    'app/(dashboard)/fleet/actions.ts': {
      // Re-reads the host into its inventory snapshot: Virtnet's own records only, no plan.
      refreshInventoryAction: { as: 'admin', input: host, verdict: 'no preview' },
    },
    'app/(dashboard)/hosts/dashboard-key/actions.ts': {
      // The dashboard's own key, not a host: no preview. A fingerprint of the right shape (no key waits under it).
      generateDashboardKeyAction: { as: 'admin', input: () => ({}), verdict: 'no preview' },
      testDashboardKeyAction: {
        as: 'admin',
        input: () => ({ fingerprint: `SHA256:${'A'.repeat(43)}` }),
        verdict: 'no preview',
      },
      rotateDashboardKeyAction: {
        as: 'admin',
        input: () => ({ fingerprint: `SHA256:${'A'.repeat(43)}` }),
        verdict: 'no preview',
      },
      discardDashboardKeyAction: {
        as: 'admin',
        input: () => ({ fingerprint: `SHA256:${'A'.repeat(43)}` }),
        verdict: 'no preview',
      },
    },
    'app/(dashboard)/jobs/[jobId]/actions.ts': {
      undoInterruptedJobAction: { as: 'admin', input: (fx) => ({ jobId: fx.interruptedJobId }), verdict: 'preview' },
      resumeInterruptedJobAction: {
        as: 'admin',
        input: (fx) => ({ jobId: fx.interruptedJobId }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/my/actions.ts': {
      addMyForwardAction: {
        as: 'selfservice',
        input: (fx) => ({
          guest: `${fx.guestUuid}/${net.name}`,
          protocol: 'tcp',
          hostPort: '20030',
          guestPort: '80',
        }),
        verdict: 'preview',
      },
      removeMyForwardAction: {
        as: 'selfservice',
        input: (fx) => ({ forwardId: fx.forwardId }),
        verdict: 'preview',
      },
      setMyGuestForwardsAction: {
        as: 'selfservice',
        input: (fx) => ({
          guest: fx.guestUuid,
          forwards: JSON.stringify([{ network: net.name, protocol: 'tcp', hostPort: '20031', guestPort: '80' }]),
        }),
        verdict: 'preview',
      },
    },
    'app/(dashboard)/users/actions.ts': {
      createUserAction: {
        as: 'admin',
        input: () => ({ username: `${prefix}-created`, role: 'operator', password: 'a-password-long-enough' }),
        verdict: 'no preview',
      },
      setLimitsAction: {
        as: 'admin',
        input: (fx) => ({ userId: fx.selfService.id, portMin: '21000', portMax: '21100', maxForwards: '3' }),
        verdict: 'no preview',
      },
      assignGuestAction: {
        as: 'admin',
        input: (fx) => ({ userId: fx.selfService.id, hostId: fx.hostId, guestName: labGuest.name }),
        verdict: 'no preview',
      },
      unassignGuestAction: { as: 'admin', input: (fx) => ({ grantId: fx.grantId }), verdict: 'no preview' },
      revokeAnyTokenAction: {
        as: 'admin',
        input: () => ({ tokenId: `${prefix}-no-such-token` }),
        verdict: 'no preview',
      },
      setSecondFactorPolicyAction: {
        as: 'admin',
        input: () => ({ role: 'auditor', required: 'yes' }),
        verdict: 'no preview',
      },
      resetSecondFactorAction: { as: 'admin', input: (fx) => ({ userId: fx.selfService.id }), verdict: 'no preview' },
      setUserRoleAction: {
        as: 'admin',
        input: (fx) => ({ userId: fx.selfService.id, role: 'auditor' }),
        verdict: 'no preview',
      },
      setUserDisabledAction: {
        as: 'admin',
        input: (fx) => ({ userId: fx.selfService.id, disabled: 'true' }),
        verdict: 'no preview',
      },
      resetPasswordAction: { as: 'admin', input: (fx) => ({ userId: fx.selfService.id }), verdict: 'no preview' },
      endSessionsAction: { as: 'admin', input: (fx) => ({ userId: fx.selfService.id }), verdict: 'no preview' },
    },
  }

  return {
    prefix,
    inScope,
    /** the testbed's own guest addresses (its subnets): the forward rules on host B that are its own */
    ownsAddress: (ip: string) => ip.startsWith(`10.${octet}.`),
    /** what the testbed names on host B */
    names: { net, idleNet, guest, pool, emptyPool, pf, spareNic, hostBridge },
    cases,
    setUp,
    /** removes what the testbed created on host B (the database is the test's own) */
    /** Takes back what setUp made on host B and, since the integration suites share one database, its rows for B. */
    async tearDown(fx: ActionFixtures | undefined) {
      removeHostFixtures()
      if (!fx) return
      await db.portForward.deleteMany({ where: { id: fx.forwardId } })
      await db.dhcpMapping.deleteMany({ where: { hostId: fx.hostId, network: net.name } })
      await db.job.deleteMany({ where: { id: fx.interruptedJobId } })
      await db.host.deleteMany({ where: { id: fx.removableHostId } })
    },
    createInterruptedJob,
  }
}
