import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { previewOf } from '@/lib/plan/dry-run'
import { addForward, removeForward } from '@/lib/forwards/changes'
import { statePath } from '@/lib/forwards/hook-script'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { expectUndoAtEveryStep, failureScenarios } from '@/lib/test/undo-harness'

/*
 * The undo of real forward plans on lab hosts B (libvirt 9, iptables) and C (libvirt 11, libvirt's nftables
 * backend): a forward to a running guest of a NAT network of this test's own, added and removed through the
 * capability's own code (previewOf hands back the exact plan), then each plan run with a failure injected at each
 * step. The state file and Virtnet's rules (iptables chains on B, nft tables and libvirt's chain's jump on C), read
 * inside the host, end as they began: the table written by the plan's first step is taken back by its undo (the
 * previous file put back, or removed).
 */

const tag = process.pid % 200
const fixture = {
  network: `vnu-fwd${tag}`,
  bridge: `vnufw${tag}`,
  guest: `vnu-fwd-guest${tag}`,
  uuid: randomUUID(),
  mac: `52:54:00:19:${tag.toString(16).padStart(2, '0')}:01`,
  gateway: `10.219.${tag}.1`,
  guestIp: `10.219.${tag}.10`,
}
const hostPort = 30000 + (process.pid % 1000)
const actor = { id: null, username: 'itest-undo' }
function createFixture(inHost: (script: string) => string) {
  const prefix = `10.219.${tag}`
  const netXml = `<network><name>${fixture.network}</name><forward mode='nat'/><bridge name='${fixture.bridge}' stp='off'/><ip address='${fixture.gateway}' prefix='24'><dhcp><range start='${prefix}.100' end='${prefix}.200'/><host mac='${fixture.mac}' ip='${fixture.guestIp}'/></dhcp></ip></network>`
  const domXml = `<domain type='qemu'><name>${fixture.guest}</name><uuid>${fixture.uuid}</uuid><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices><interface type='network'><source network='${fixture.network}'/><mac address='${fixture.mac}'/><model type='e1000'/><rom enabled='no'/><link state='down'/></interface><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`
  inHost(`set -e
cat > /tmp/${fixture.network}.xml <<'EOF'
${netXml}
EOF
cat > /tmp/${fixture.guest}.xml <<'EOF'
${domXml}
EOF
virsh -q net-define /tmp/${fixture.network}.xml >/dev/null && virsh -q net-start ${fixture.network} >/dev/null
virsh -q define /tmp/${fixture.guest}.xml >/dev/null && virsh -q start ${fixture.guest} >/dev/null
rm -f /tmp/${fixture.network}.xml /tmp/${fixture.guest}.xml`)
}

function removeFixture(inHost: (script: string) => string) {
  inHost(
    `virsh -q destroy ${fixture.guest} >/dev/null 2>&1; virsh -q undefine ${fixture.guest} >/dev/null 2>&1; virsh -q net-destroy ${fixture.network} >/dev/null 2>&1; virsh -q net-undefine ${fixture.network} >/dev/null 2>&1; true`,
  )
}

/** Every rule of Virtnet's on the host, as text, in the host's backend (read inside the host). */
const virtnetRules = {
  iptables: [`iptables-save -t nat | grep -E 'VIRTNET' || true`, `iptables-save -t filter | grep -E 'VIRTNET' || true`],
  nftables: [
    'nft list table ip virtnet 2>/dev/null || true',
    'nft list table ip6 virtnet 2>/dev/null || true',
    'nft list chain ip libvirt_network virtnet_accept 2>/dev/null || true',
    'nft list chain ip libvirt_network guest_input | grep virtnet || true',
  ],
}

const input = {
  guest: '',
  protocol: 'tcp' as const,
  hostPort: { start: hostPort, end: hostPort },
  guestPort: { start: 80, end: 80 },
  sourceCidrs: [],
  description: 'undo itest',
  hostAddress: null,
  createMapping: false,
}

describe.each(libvirtLabHosts)('the undo of port-forward plans on $name ($firewall)', (lab) => {
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const applyLabel = `Apply the table in one ${lab.firewall === 'nftables' ? 'nft -f transaction' : 'iptables-restore batch'}`
  /** The host's forward state, read inside it: the state file (or its absence) and every rule of Virtnet's. */
  const snapshot = () => ({
    stateFile: lab.exec(`cat ${statePath} 2>/dev/null || echo '(no state file)'`),
    rules: virtnetRules[lab.firewall].map((script) => lab.exec(script)),
  })

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
    removeFixture(lab.exec)
    createFixture(lab.exec)
  })
  afterAll(async () => {
    await db.portForward.deleteMany({ where: { hostId: host.row.id, ownerName: actor.username } })
    removeFixture(lab.exec)
  })

  it('adding a forward: a failure after the table is written puts the previous state file back', async () => {
    const plan = await previewOf(() =>
      addForward(host.row, host.target, { ...input, guest: `${fixture.uuid}/${fixture.network}` }, actor),
    )
    expect(plan.steps.map((step) => step.label)).toEqual([
      expect.stringMatching(/^Write the forward table \(\d+ forwards?\)/),
      applyLabel,
    ])
    expect(plan.steps[0]!.stdin).toContain(`${hostPort}`)
    const hadStateFile = snapshot().stateFile !== '(no state file)\n'
    expect(plan.steps[0]!.undo!.label).toBe(
      hadStateFile ? 'Put the previous forward table back' : 'Remove the forward table',
    )
    // the apply step is the last one and has no undo: nothing in the plan can fail after it
    const result = await expectUndoAtEveryStep(host.target, plan, snapshot)
    expect(result).toEqual({ scenarios: 1, withoutUndo: [applyLabel] })
  })

  it('removing a forward: a failure after the shorter table is written puts the previous state file back', async () => {
    // The forward is in the dashboard's table only (no need to apply it): the remove plan rewrites the state file
    // without it, and its undo must bring back exactly the file the host had, whatever it held.
    const row = await db.portForward.create({
      data: {
        hostId: host.row.id,
        guestName: fixture.guest,
        guestUuid: fixture.uuid,
        network: fixture.network,
        bridge: fixture.bridge,
        subnet: `10.219.${tag}.0/24`,
        guestMac: fixture.mac,
        guestIp: fixture.guestIp,
        protocol: 'udp',
        hostPortStart: hostPort + 1,
        hostPortEnd: hostPort + 1,
        guestPortStart: 53,
        guestPortEnd: 53,
        hostAddress: null,
        sourceCidrs: '',
        description: 'undo itest',
        ownerId: null,
        ownerName: actor.username,
      },
    })
    const plan = await previewOf(() => removeForward(host.row, host.target, row.id))
    expect(failureScenarios(plan).scenarios.map((s) => s.name)).toEqual([
      `fail at step 2 of 2 (in place of "${applyLabel}")`,
    ])
    expect(plan.steps[0]!.stdin).not.toContain(`${hostPort + 1}`)
    expect((await expectUndoAtEveryStep(host.target, plan, snapshot)).scenarios).toBe(1)
    await db.portForward.delete({ where: { id: row.id } })
  })
})
