import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { inHostB, labFingerprint, registeredLabHost } from '@/lib/test/lab'
import {
  auditEventsAdded,
  callAction,
  createTestUser,
  databaseChanges,
  discoverServerActions,
  hostChanges,
  labAndPrefixScope,
  signIn,
  snapshotDatabase,
  snapshotHostB,
  type DiscoveredAction,
  type FormFields,
  type TestUser,
} from '@/lib/test/server-actions'
import { assignGuest, setSelfServiceLimits } from '@/lib/users/changes'
import { storeDesired } from '@/lib/dhcp/store'
import { virsh } from '@/lib/libvirt/virsh'
import { savedPlanOf, sealedPlan } from '@/lib/jobs/saved-plan'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * "A preview never acts" (issue 10 §2), for every server action there is: each is posted with dryRun=1 and an input
 * that passes validation and names real things on lab host B, as a signed-in user allowed to run it. The answer must
 * be the plan (status 'preview') or the refusal "There is no preview of this action" (NothingToPreview); and neither
 * the database (every table; the audit log may only gain that refusal) nor host B may change. New actions are found
 * by importing every app/**\/actions.ts: one without a case in the table below fails here until it gets one.
 */

const prefix = 'vng'
const inScope = labAndPrefixScope(prefix)

// What this test creates on host B (all with the prefix), beside the lab's network default and guest vnlab-b1. The
// lab's kernel has no dummy links: veth pairs stand in for NICs.
const net = { name: 'vng-net', bridge: 'vngbr1', gateway: '10.246.77.1' }
const idleNet = { name: 'vng-idle', bridge: 'vngbr2' }
const guest = { name: 'vng-g1', mac: '52:54:00:7e:0a:01', ip: '10.246.77.10', poolMac: '52:54:00:7e:0b:01' }
const drift = { mac: '52:54:00:7e:0a:02', ip: '10.246.77.11' }
const pool = 'vng-pool'
const emptyPool = 'vng-pool2'
const pf = 'vngpf0'
const spareNic = 'vngnic0'
const hostBridge = 'vngbr0'
const labGuestMac = '52:54:00:77:0b:01'

const netXml = `<network><name>${net.name}</name><forward mode='nat'/><bridge name='${net.bridge}' stp='off'/>
<ip address='${net.gateway}' prefix='24'><dhcp><range start='10.246.77.100' end='10.246.77.200'/>
<host mac='${guest.mac}' ip='${guest.ip}'/><host mac='${drift.mac}' name='vng-drift' ip='${drift.ip}'/></dhcp></ip></network>`
const idleNetXml = `<network><name>${idleNet.name}</name><bridge name='${idleNet.bridge}'/><ip address='10.246.79.1' prefix='24'/></network>`
const poolXml = (name: string) =>
  `<network><name>${name}</name><forward mode='hostdev' managed='yes'><pf dev='${pf}'/></forward></network>`
// Stopped: its interfaces are edited in its saved configuration only, and nothing of it runs.
const guestXml = `<domain type='qemu'><name>${guest.name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices>
<interface type='network'><source network='${net.name}'/><mac address='${guest.mac}'/><model type='virtio'/></interface>
<interface type='network'><source network='${pool}'/><mac address='${guest.poolMac}'/></interface>
</devices></domain>`

const define = (command: 'net-define' | 'define', xml: string) => `f=$(mktemp)
cat > "$f" <<'VNG_XML'
${xml}
VNG_XML
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

type Fixtures = {
  hostId: string
  admin: TestUser
  selfService: TestUser
  guestUuid: string
  grantId: string
  forwardId: string
  removableHostId: string
  editedNetXml: string
  interruptedJobId: string
}
let fx: Fixtures

/** A job a restart cut short after its first step, already re-read: its page offers undo and resume. */
async function createInterruptedJob(hostId: string): Promise<string> {
  const name = 'vng-interrupted'
  const plan = {
    title: `Create network ${name}`,
    steps: [
      {
        label: `Define network ${name}`,
        command: virsh('net-define', '--file', '/dev/stdin'),
        stdin: `<network><name>${name}</name></network>`,
        undo: { label: `Undefine network ${name}`, command: virsh('net-undefine', '--network', name) },
      },
      { label: `Start network ${name}`, command: virsh('net-start', '--network', name) },
    ],
  }
  const saved = savedPlanOf(plan, {
    hostId,
    permission: 'manageNetworks',
    actor: { id: null, username: 'vng' },
    audit: { target: name, params: {} },
    followUp: false,
  })
  const now = new Date()
  const job = await db.job.create({
    data: {
      kind: 'vng.job',
      title: plan.title,
      hostId,
      actorName: 'vng',
      status: 'interrupted',
      finishedAt: now,
      recheckedAt: now,
      steps: {
        create: plan.steps.map((step, position) => ({
          position,
          label: step.label,
          command: String(step.command),
          status: position === 0 ? 'done' : 'pending',
        })),
      },
    },
  })
  await db.job.update({ where: { id: job.id }, data: sealedPlan(job.id, saved) })
  return job.id
}

/*
 * Each case: who posts, what (valid, naming real things), and which answer it must get. 'no preview': the action has
 * no host plan (it changes Virtnet's own records), so the preview stops at its first write. { labCannot }: no valid
 * input reaches the action's plan on the lab (it lacks the hardware or state) — the refusal expected instead is named
 * and still may change nothing.
 */
type Verdict = 'preview' | 'no preview' | { labCannot: string; refusal: string }
type Case = { as: 'admin' | 'selfservice'; input: () => FormFields; verdict: Verdict }

const host = () => ({ hostId: fx.hostId })
const onNet = (fields: FormFields = {}) => ({ ...host(), network: net.name, ...fields })

const cases: Record<string, Record<string, Case>> = {
  'app/(dashboard)/account/actions.ts': {
    changePasswordAction: {
      as: 'admin',
      input: () => ({
        currentPassword: fx.admin.password,
        newPassword: 'a-new-password-of-length',
        repeatPassword: 'a-new-password-of-length',
      }),
      verdict: 'no preview',
    },
  },
  'app/(dashboard)/hosts/[hostId]/bridges/actions.ts': {
    createHostBridgeAction: {
      as: 'admin',
      input: () => ({ ...host(), bridge: 'vngbr9', nic: spareNic, confirmSeconds: '60' }),
      verdict: 'preview',
    },
    createBridgeNetworkAction: {
      as: 'admin',
      input: () => ({ ...host(), name: 'vng-bridged', bridge: hostBridge, autostart: 'on', start: 'on' }),
      verdict: 'preview',
    },
    attachGuestAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, target: `bridge:${hostBridge}` }),
      verdict: 'preview',
    },
    bridgeSettingsAction: {
      as: 'admin',
      input: () => ({ ...host(), disableBridgeNetfilter: 'on', mssClamping: 'on' }),
      verdict: 'preview',
    },
  },
  'app/(dashboard)/hosts/[hostId]/forwards/actions.ts': {
    addForwardAction: {
      as: 'admin',
      input: () => ({
        ...host(),
        guest: `${fx.guestUuid}/${net.name}`,
        protocol: 'tcp',
        hostPort: '20020',
        guestPort: '80',
      }),
      verdict: 'preview',
    },
    removeForwardAction: { as: 'admin', input: () => ({ ...host(), forwardId: fx.forwardId }), verdict: 'preview' },
    reconcileForwardsAction: { as: 'admin', input: host, verdict: 'preview' },
    installHookAction: { as: 'admin', input: host, verdict: 'preview' },
  },
  'app/(dashboard)/hosts/[hostId]/guests/actions.ts': {
    attachInterfaceAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, type: 'network', source: net.name, model: 'virtio' }),
      verdict: 'preview',
    },
    detachInterfaceAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, mac: guest.mac }),
      verdict: 'preview',
    },
    changeNetworkAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, mac: guest.mac, network: 'default' }),
      verdict: 'preview',
    },
  },
  'app/(dashboard)/hosts/[hostId]/networks/[network]/dhcp/actions.ts': {
    saveMappingAction: {
      as: 'admin',
      input: () => onNet({ mac: '52:54:00:7e:0a:04', ip: '10.246.77.13', name: 'vng-new' }),
      verdict: 'preview',
    },
    deleteMappingAction: { as: 'admin', input: () => onNet({ key: `mac:${guest.mac}` }), verdict: 'preview' },
    importDriftAction: { as: 'admin', input: () => onNet({ key: `mac:${drift.mac}` }), verdict: 'preview' },
    removeDriftAction: { as: 'admin', input: () => onNet({ key: `mac:${drift.mac}` }), verdict: 'preview' },
    // The lab guest's lease on default: the one lease on host B that a real DHCP client keeps.
    pinLeaseAction: {
      as: 'admin',
      input: () => ({ ...host(), network: 'default', mac: labGuestMac }),
      verdict: 'preview',
    },
    reapplyAction: { as: 'admin', input: () => onNet(), verdict: 'preview' },
    importCsvAction: {
      as: 'admin',
      input: () => onNet({ csv: '52:54:00:7e:0a:06,10.246.77.15,vng-csv\n' }),
      verdict: 'preview',
    },
  },
  'app/(dashboard)/hosts/[hostId]/networks/[network]/edit/actions.ts': {
    applyEditAction: {
      as: 'admin',
      input: () => ({ ...host(), name: net.name, xml: fx.editedNetXml }),
      verdict: 'preview',
    },
  },
  'app/(dashboard)/hosts/[hostId]/networks/actions.ts': {
    createNetworkAction: {
      as: 'admin',
      input: () => ({ ...host(), name: 'vng-new-net', bridge: 'vngbr7', ipv4Cidr: '10.246.78.0/24', start: 'on' }),
      verdict: 'preview',
    },
    startNetworkAction: { as: 'admin', input: () => ({ ...host(), name: idleNet.name }), verdict: 'preview' },
    stopNetworkAction: { as: 'admin', input: () => ({ ...host(), name: net.name }), verdict: 'preview' },
    autostartNetworkAction: {
      as: 'admin',
      input: () => ({ ...host(), name: net.name, enabled: 'true' }),
      verdict: 'preview',
    },
    undefineNetworkAction: {
      as: 'admin',
      input: () => ({ ...host(), name: idleNet.name, confirmName: idleNet.name }),
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
      input: () => ({ ...host(), pf: spareNic, count: '2' }),
      verdict: {
        labCannot: 'lab host B has no SR-IOV physical function (no VF-capable hardware)',
        refusal: `${spareNic} is not an SR-IOV physical function on this host.`,
      },
    },
    createPoolAction: {
      as: 'admin',
      input: () => ({ ...host(), name: 'vng-new-pool', pf: spareNic, autostart: 'on' }),
      verdict: 'preview',
    },
    startPoolAction: { as: 'admin', input: () => ({ ...host(), name: emptyPool }), verdict: 'preview' },
    autostartPoolAction: {
      as: 'admin',
      input: () => ({ ...host(), name: emptyPool, enabled: 'true' }),
      verdict: 'preview',
    },
    deletePoolAction: { as: 'admin', input: () => ({ ...host(), name: emptyPool }), verdict: 'preview' },
    assignAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, target: `pool:${pool}`, vlan: '42' }),
      verdict: 'preview',
    },
    releaseAction: {
      as: 'admin',
      input: () => ({ ...host(), guest: guest.name, mac: guest.poolMac }),
      verdict: 'preview',
    },
  },
  'app/(dashboard)/jobs/[jobId]/actions.ts': {
    undoInterruptedJobAction: { as: 'admin', input: () => ({ jobId: fx.interruptedJobId }), verdict: 'preview' },
    resumeInterruptedJobAction: { as: 'admin', input: () => ({ jobId: fx.interruptedJobId }), verdict: 'preview' },
  },
  'app/(dashboard)/hosts/actions.ts': {
    // lab-a's sshd: a real server that offers its key; it is not registered in this test's database.
    addHostAction: {
      as: 'admin',
      // By name, not 127.0.0.1: other suites register lab A's 127.0.0.1:2222 in the same database.
      input: () => ({ name: 'vng-new-host', address: 'localhost', port: '2222', username: 'root' }),
      verdict: 'no preview',
    },
    confirmHostKeyAction: {
      as: 'admin',
      input: () => ({ ...host(), fingerprint: labFingerprint('lab-b') }),
      verdict: 'no preview',
    },
    checkHostAction: { as: 'admin', input: host, verdict: 'no preview' },
    removeHostAction: {
      as: 'admin',
      input: () => ({ hostId: fx.removableHostId, confirmName: 'vng-removable' }),
      verdict: 'no preview',
    },
  },
  'app/(dashboard)/my/actions.ts': {
    addMyForwardAction: {
      as: 'selfservice',
      input: () => ({ guest: `${fx.guestUuid}/${net.name}`, protocol: 'tcp', hostPort: '20030', guestPort: '80' }),
      verdict: 'preview',
    },
    removeMyForwardAction: { as: 'selfservice', input: () => ({ forwardId: fx.forwardId }), verdict: 'preview' },
  },
  'app/(dashboard)/users/actions.ts': {
    createUserAction: {
      as: 'admin',
      input: () => ({ username: 'vng-created', role: 'operator', password: 'a-password-long-enough' }),
      verdict: 'no preview',
    },
    setLimitsAction: {
      as: 'admin',
      input: () => ({ userId: fx.selfService.id, portMin: '21000', portMax: '21100', maxForwards: '3' }),
      verdict: 'no preview',
    },
    assignGuestAction: {
      as: 'admin',
      input: () => ({ userId: fx.selfService.id, hostId: fx.hostId, guestName: 'vnlab-b1' }),
      verdict: 'no preview',
    },
    unassignGuestAction: { as: 'admin', input: () => ({ grantId: fx.grantId }), verdict: 'no preview' },
  },
}

/** Actions outside runAction, with no Preview: a dry run means nothing to them (checked below: no runAction call). */
const exempt: Record<string, Record<string, string>> = {
  'app/login/actions.ts': {
    login: 'signing in has no preview; it runs before anyone is signed in, outside runAction',
    logout: 'signing out has no preview and no form fields, outside runAction',
  },
}

const actions = await discoverServerActions()
const keyOf = (file: string, name: string) => `${file} ${name}`
// Test titles: "hosts/[hostId]/sriov createPoolAction → preview".
const verdictName = (verdict: Verdict | undefined) =>
  verdict === undefined ? 'no case' : typeof verdict === 'string' ? verdict : `not on the lab (${verdict.labCannot})`
const titleOf = (a: DiscoveredAction) =>
  `${a.file.replace(/^app\/(\(dashboard\)\/)?/, '').replace(/\/?actions\.ts$/, '')} ${a.name} → ${verdictName(cases[a.file]?.[a.name]?.verdict)}`

describe('a preview never acts: every server action with dryRun=1', () => {
  beforeAll(async () => {
    const labB = await registeredLabHost('lab-b')
    removeHostFixtures()
    createHostFixtures()
    const guestUuid = inHostB(`virsh -q domuuid ${guest.name}`).trim()
    const editedNetXml = inHostB(`virsh -q net-dumpxml --inactive ${net.name}`).replace(
      '</dhcp>',
      `  <host mac='52:54:00:7e:0a:05' name='vng-edit' ip='10.246.77.14'/>\n    </dhcp>`,
    )
    const admin = await createTestUser('vng-admin', 'admin')
    const selfService = await createTestUser('vng-self', 'selfservice')
    await setSelfServiceLimits(selfService.id, { portMin: 20000, portMax: 20100, maxForwards: 5 })
    await assignGuest(selfService.id, labB.row.id, guest.name)
    const grant = await db.selfServiceGuest.findFirstOrThrow({ where: { userId: selfService.id } })
    // Desired DHCP table of vng-net: the guest's entry (also on the host) and one the host lacks (so a re-apply has
    // a step); the host's second entry stays drift.
    await storeDesired(labB.row.id, net.name, [
      { family: 'ipv4', mac: guest.mac, ip: guest.ip },
      { family: 'ipv4', mac: '52:54:00:7e:0a:03', ip: '10.246.77.12' },
    ])
    // A forward in the table only: removing it is a plan that rewrites the host's table.
    const forward = await db.portForward.create({
      data: {
        hostId: labB.row.id,
        guestName: guest.name,
        guestUuid,
        network: net.name,
        bridge: net.bridge,
        subnet: '10.246.77.0/24',
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
    const removable = await db.host.create({ data: { name: 'vng-removable', address: '192.0.2.1', port: 22 } })
    fx = {
      hostId: labB.row.id,
      admin,
      selfService,
      guestUuid,
      grantId: grant.id,
      forwardId: forward.id,
      removableHostId: removable.id,
      editedNetXml,
      interruptedJobId: await createInterruptedJob(labB.row.id),
    }
  })

  afterAll(async () => {
    removeHostFixtures()
    // The database is shared with the other integration suites: take back every row this one made for lab B.
    if (!fx) return
    await db.portForward.delete({ where: { id: fx.forwardId } }).catch(() => undefined)
    await db.dhcpMapping.deleteMany({ where: { hostId: fx.hostId, network: net.name } })
    await db.jobStep.deleteMany({ where: { jobId: fx.interruptedJobId } })
    await db.job.delete({ where: { id: fx.interruptedJobId } }).catch(() => undefined)
    await db.host.delete({ where: { id: fx.removableHostId } }).catch(() => undefined)
  })

  it('has a case for every server action, and none for an action that is gone', () => {
    const found = actions.map((a) => keyOf(a.file, a.name)).sort()
    const listed = [...Object.entries(cases), ...Object.entries(exempt)]
      .flatMap(([file, names]) => Object.keys(names).map((name) => keyOf(file, name)))
      .sort()
    expect(found.length).toBeGreaterThan(40)
    expect(found).toEqual(listed)
  })

  it('sees a change on host B and in the database (the snapshots can tell)', async () => {
    const host = snapshotHostB()
    inHostB(`virsh -q net-autostart ${net.name} >/dev/null`)
    const changedHost = snapshotHostB()
    inHostB(`virsh -q net-autostart --disable ${net.name} >/dev/null`)
    expect(hostChanges(host, changedHost, inScope)).toEqual(
      expect.arrayContaining([`net-list: - ${net.name} active no yes`, `net-list: + ${net.name} active yes yes`]),
    )
    expect(hostChanges(host, snapshotHostB(), inScope)).toEqual([])

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
    const exempted = actions.filter((a) => exempt[a.file]?.[a.name])
    expect(exempted.map((a) => a.name).sort()).toEqual(['login', 'logout'])
    for (const a of exempted) expect(a.source, `${a.file} ${a.name}`).not.toMatch(/\brunAction\(/)
  })

  const covered = actions.filter((a) => !exempt[a.file]?.[a.name])

  it.each(covered.map((a) => ({ title: titleOf(a), a })))('$title', async ({ a }: { a: DiscoveredAction }) => {
    const spec = cases[a.file]?.[a.name]
    if (!spec) throw new Error(`${a.name} (${a.file}) has no input case: add one to the table of this test`)
    await signIn(spec.as === 'admin' ? fx.admin : fx.selfService)
    const input = spec.input()
    const dbBefore = await snapshotDatabase()
    const hostBefore = snapshotHostB()

    const call = await callAction(a.action, input, { dryRun: true })

    const hostAfter = snapshotHostB()
    const dbAfter = await snapshotDatabase()
    const state = call.state

    // 1. The answer: the plan, or the refusal to preview; never the change itself, never an input error.
    expect.soft(call.redirectedTo, 'redirected as after a change').toBeNull()
    const { verdict } = spec
    if (verdict === 'preview') {
      expect.soft(state?.status, 'a preview with its plan').toBe('preview')
      expect.soft(state?.errors, 'field errors').toEqual({})
      expect.soft(state?.plan?.length ?? 0, 'steps in the plan').toBeGreaterThan(0)
    } else if (verdict === 'no preview') {
      expect.soft(state?.status, 'the refusal to preview').toBe('error')
      expect.soft(state?.errors, 'field errors').toEqual({})
      expect.soft(state?.message).toMatch(/^There is no preview of this action: .+\. Nothing changed\.$/)
    } else {
      expect.soft(state?.status).toBe('error')
      expect
        .soft(
          `${state?.message} ${Object.values(state?.errors ?? {})
            .flat()
            .join(' ')}`,
        )
        .toContain(verdict.refusal)
    }

    // 2. No row changed; the audit log gained only the refusal (a preview itself is not audited).
    expect.soft(databaseChanges(dbBefore, dbAfter), 'database rows changed').toEqual([])
    const audited = auditEventsAdded(dbBefore, dbAfter)
    if (verdict === 'preview') expect.soft(audited, 'audit records of a preview').toEqual([])
    else {
      expect.soft(audited.map((event) => event.error)).toEqual([state?.message])
      if (verdict === 'no preview') expect.soft(audited.map((event) => event.result)).toEqual(['refused'])
    }

    // 3. Nothing changed on host B.
    expect.soft(hostChanges(hostBefore, hostAfter, inScope), 'changes on host B').toEqual([])
  })
})
