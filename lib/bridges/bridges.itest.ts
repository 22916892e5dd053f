import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { FieldErrors } from '@/lib/core/errors'
import { db } from '@/lib/db/client'
import { toTarget } from '@/lib/hosts/store'
import { closeHostSession, run, sh, shellQuote } from '@/lib/ssh'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { attachGuest, createBridgeNetwork, createHostBridge } from '@/lib/bridges/changes'
import { bridgesInventory } from '@/lib/bridges/inventory'
import {
  applyDetachedCommand,
  applyScript,
  confirmCommand,
  paths,
  revertDir,
  revertScript,
  scheduleRevertCommand,
  type HostBridgeChange,
} from '@/lib/bridges/host-bridge-scripts'
import { ifupdownStanza } from '@/lib/bridges/persistence'

/*
 * Commit-confirm bridge creation on lab hosts B (libvirt 9, iptables) and C (libvirt 11, nftables), over an SSH path
 * of this test's own: a veth pair between this machine and the host (the host's end stands in for its NIC) and a
 * second sshd inside the host listening only on that veth. Cutting that path never disturbs the lab's own SSH to the
 * host, which other tests use at the same time.
 *
 * The hosts' /etc is shared with other tests (and B's lies over this machine's): the ifupdown files go to a directory
 * under the host's private /var/lib/libvirt (the persistence option points ifupdown there), never to /etc/network.
 */

const actor = { id: null, username: 'itest' }
/** The /30 of each host's side door (one per host: both doors' ends on this machine are up at once). */
const doorNet = { 'lab-b': '10.78', 'lab-c': '10.71' } as const

async function jobOf(jobId: string) {
  return db.job.findUniqueOrThrow({ where: { id: jobId }, include: { steps: { orderBy: { position: 'asc' } } } })
}

describe.each(libvirtLabHosts)('host bridge with commit-confirm on $name (libvirt $libvirt, $firewall)', (lab) => {
  const n = process.pid % 100000
  const letter = lab.name.slice(-1)
  const door = sideDoor(`vnh${letter}`, doorNet[lab.name], { host: lab })
  const { vethB: nic, addrB } = door
  const bridge = `vnh${letter}${n}br`
  const ifupdownDir = `/var/lib/libvirt/vnh-${letter}${n}-network`
  const persistence = { stack: 'ifupdown' as const, ifupdownDir }
  const subnet = 10 + (n % 200)
  const interfacesBefore = `# vnh test: the host's own configuration\nauto lo\niface lo inet loopback\n\nauto ${nic}\niface ${nic} inet static\n    address ${addrB}/30\n`
  /**
   * The host's firewall, in its own backend's terms: new SSH logins to the test's address only through the NIC
   * (established traffic passes anywhere). `remove` takes every copy out and fails on nothing.
   */
  const newLoginsOnlyOnNic = {
    iptables: (() => {
      const rule = `-d ${addrB}/32 -p tcp --dport 22 -m conntrack --ctstate NEW ! -i ${nic} -j DROP`
      return { add: `iptables -I INPUT 1 ${rule}`, remove: `while iptables -D INPUT ${rule} 2>/dev/null; do :; done` }
    })(),
    nftables: {
      add: `nft -f - <<'VNH_NFT'
table inet vnh${n} {
  chain input {
    type filter hook input priority 0; policy accept;
    ip daddr ${addrB} tcp dport 22 ct state new iifname != "${nic}" drop
  }
}
VNH_NFT`,
      remove: `nft delete table inet vnh${n} 2>/dev/null; true`,
    },
  }[lab.firewall]
  // The race between confirm and revert: a bridge over a NIC (one end of a veth pair inside the host) with many
  // addresses, so that the revert, which puts each one back, takes long enough for a confirm to land in the middle.
  const raceBridge = `vnh${letter}${n}rb`
  const raceNic = `vnh${letter}${n}d`
  const raceAddresses = Array.from({ length: 120 }, (_, i) => `198.18.${subnet}.${i + 1}/32`)
  let host: { row: Awaited<ReturnType<typeof db.host.create>>; target: ReturnType<typeof toTarget> }
  const inHost = lab.exec
  const onHost = (script: string) => inHost(`${script} 2>&1 || true`)

  /** What survives a reboot (the ifupdown directory) and what the change keeps in /run/virtnet. */
  function persistentFiles() {
    return {
      files: onHost(`cd ${ifupdownDir} && find . -type f | sort`).trim().split('\n'),
      interfaces: onHost(`cat ${ifupdownDir}/interfaces`),
      run: onHost(`ls ${revertDir} | grep -F bridge-${bridge}.`).trim().split('\n'),
    }
  }

  /** The host as a reboot would bring it up again, and as it is now: address, bridge port, bridge. */
  function hostAsBefore() {
    expect(onHost(`ip link show ${bridge}`)).toContain('does not exist')
    expect(onHost(`ip -br addr show dev ${nic}`)).toContain(`${addrB}/30`)
    expect(onHost(`cat /sys/class/net/${nic}/master`)).toContain('No such file')
    expect(persistentFiles()).toEqual({
      files: ['./interfaces'],
      interfaces: interfacesBefore,
      run: [`bridge-${bridge}.log`, `bridge-${bridge}.rolled-back`],
    })
  }

  /** A revert of the test bridge that runs or still sleeps on the host ([.] keeps grep from matching its own command line). */
  const revertOfBridgeRuns = () =>
    onHost(
      `grep -lq ${shellQuote(`bridge-${bridge}[.]revert`)} /proc/[0-9]*/cmdline 2>/dev/null && echo yes`,
    ).trim() === 'yes'

  /**
   * The host as it was before any bridge test, whatever an earlier test (the suite runs shuffled) or a failed run left:
   * no revert armed, no bridge, the NIC with its address, the host's own interfaces file, no bridge network, no
   * firewall rule of these tests.
   */
  async function startFromScratch() {
    onHost(`kill -TERM -"$(cat ${paths(bridge).pid})"`)
    onHost(`virsh net-destroy br-${letter}${n} ; virsh net-undefine br-${letter}${n}`)
    onHost(newLoginsOnlyOnNic.remove)
    onHost(`ip link del ${bridge} ; rm -f /run/virtnet/bridge-${bridge}.*`)
    inHost(`ip addr replace ${addrB}/30 dev ${nic} && ip link set ${nic} up`)
    inHost(`rm -rf ${ifupdownDir} && mkdir -p ${ifupdownDir}`)
    inHost(`printf %s ${shellQuote(interfacesBefore)} > ${ifupdownDir}/interfaces`)
    closeHostSession(host.row.id)
    await expect.poll(revertOfBridgeRuns, { timeout: 10_000 }).toBe(false)
    expect(await reachable()).toBe(true)
  }

  async function reachable(): Promise<boolean> {
    try {
      await run(host.target, sh`true`, { timeoutMs: 3_000 })
      return true
    } catch {
      closeHostSession(host.row.id)
      return false
    }
  }

  /** The commit-confirm bridge of these tests: `bridge` over `nic`, persisted with ifupdown under the host's own directory. */
  function createTestBridge({ moveAddresses }: { moveAddresses: boolean }) {
    return createHostBridge(
      host.row,
      host.target,
      actor,
      { bridge, nic, moveAddresses, confirmSeconds: 15 },
      { persistence },
    )
  }

  /** The test bridge, created, confirmed and persisted by the job. */
  async function confirmedTestBridge() {
    const { jobId, done } = await createTestBridge({ moveAddresses: true })
    await done
    const job = await jobOf(jobId)
    expect(job.status, job.error ?? '').toBe('succeeded')
    expect(job.steps.find((s) => s.label.startsWith('Confirm'))!.output).toContain('revert cancelled')
  }

  beforeAll(async () => {
    await registeredLabHost(lab.name)
    await openSideDoor(door)
    const row = await sideDoorHost(door, `bridge-path-${letter}${n}`)
    host = { row, target: toTarget(row) }
  })

  afterAll(async () => {
    closeHostSession(host.row.id)
    await db.host.deleteMany({ where: { id: host.row.id } })
    onHost(`virsh net-destroy br-${letter}${n} ; virsh net-undefine br-${letter}${n}`)
    // a revert this test armed and left waiting (after a failure) must not fire into the next run
    for (const b of [bridge, raceBridge]) onHost(`kill -TERM -"$(cat ${paths(b).pid})"`)
    onHost(`ip link del ${bridge} ; rm -f /run/virtnet/bridge-${bridge}.* /run/virtnet/bridge-${raceBridge}.*`)
    onHost(`ip link del ${raceBridge} ; ip link del ${raceNic} ; rm -rf ${ifupdownDir}`)
    onHost(newLoginsOnlyOnNic.remove)
    closeSideDoor(door)
  })

  it('refuses what must not become a bridge port, changing nothing', async () => {
    await startFromScratch()
    await expect(
      createHostBridge(host.row, host.target, actor, {
        bridge,
        nic: 'virbr0',
        moveAddresses: true,
        confirmSeconds: 15,
      }),
    ).rejects.toMatchObject({ errors: { nic: ['virbr0 is a bridge, not a NIC.'] } })
    await expect(
      createHostBridge(host.row, host.target, actor, { bridge, nic: 'vnet0', moveAddresses: true, confirmSeconds: 15 }),
    ).rejects.toBeInstanceOf(FieldErrors)
    await expect(
      createHostBridge(host.row, host.target, actor, {
        bridge: 'virbr9',
        nic,
        moveAddresses: true,
        confirmSeconds: 15,
      }),
    ).rejects.toBeInstanceOf(FieldErrors)
    expect(onHost(`ip link show ${bridge}`)).toContain('does not exist')
  })

  it('a change that cuts the SSH path is reverted by the host itself, leaving nothing that survives a reboot', async () => {
    await startFromScratch()
    // Not moving the NIC's address to the bridge removes the very address this SSH path uses.
    const t0 = Date.now()
    const { jobId, done } = await createTestBridge({ moveAddresses: false })
    await done
    const job = await jobOf(jobId)
    expect(job.status).toBe('failed')
    expect(job.steps.find((s) => s.label.startsWith('Confirm'))?.status).toBe('pending')
    // The revert fires on the host ~15 s after it was scheduled, whatever Virtnet does.
    let back = false
    while (!back && Date.now() - t0 < 90_000) back = await reachable()
    expect(back).toBe(true)
    hostAsBefore()
  })

  it('a change the kept session survives but new logins do not is never confirmed nor persisted: it is reverted', async () => {
    // A firewall that takes new SSH logins on the NIC only: the dashboard's kept connection goes on working over the
    // bridge, yet no new session (after a dropped connection, or a reboot with the persisted bridge) would get in.
    await startFromScratch()
    inHost(newLoginsOnlyOnNic.add)
    try {
      const { jobId, done } = await createTestBridge({ moveAddresses: true })
      await done
      const job = await jobOf(jobId)
      expect(job.status).toBe('failed')
      expect(job.error).toMatch(
        /\("Confirm over a new SSH connection: cancel the automatic revert"\) failed: Cannot reach/,
      )
      expect(job.steps.find((s) => s.label.startsWith('Write the revert'))?.status).toBe('undone')
      expect(job.steps.filter((s) => s.label.startsWith('Comment out') || s.label.startsWith('Write /'))).toEqual([
        expect.objectContaining({ status: 'pending' }),
        expect.objectContaining({ status: 'pending' }),
      ])
    } finally {
      inHost(newLoginsOnlyOnNic.remove)
    }
    hostAsBefore()
    expect(await reachable()).toBe(true)
  })

  it('a change that keeps the path is confirmed, then persisted: the revert is cancelled and the bridge stays', async () => {
    await startFromScratch()
    await confirmedTestBridge()
    // Once no revert runs or sleeps any more (the confirm stops it; one it missed would wake, see the confirmed
    // marker and stand down): still bridged, the address on the bridge, and Virtnet still gets in.
    await expect.poll(revertOfBridgeRuns, { timeout: 30_000, interval: 500 }).toBe(false)
    expect(onHost(`cat ${paths(bridge).log}`)).not.toContain('reverted bridge')
    expect(onHost(`basename $(readlink /sys/class/net/${nic}/master)`).trim()).toBe(bridge)
    expect(onHost(`ip -br addr show dev ${bridge}`)).toContain(`${addrB}/30`)
    expect(persistentFiles().run).toEqual([`bridge-${bridge}.confirmed`, `bridge-${bridge}.log`])
    expect(onHost(`cat ${ifupdownDir}/interfaces.d/virtnet-${bridge}`)).toBe(
      ifupdownStanza({
        bridge,
        nic,
        mac: null,
        addresses: [{ family: 'ipv4', cidr: `${addrB}/30` }],
        routes: [],
        moveAddresses: true,
      }),
    )
    expect(persistentFiles().interfaces).toContain(`# iface ${nic} inet static`)
    expect(await reachable()).toBe(true)
  })

  it('lists the bridge with its port, marks libvirt bridges NAT-only, and puts a bridge-mode network and a guest on it', async () => {
    await startFromScratch()
    await confirmedTestBridge()
    const direct = await registeredLabHost(lab.name)
    const inventory = await bridgesInventory(direct.target)
    expect(inventory.bridges.find((b) => b.name === bridge)).toMatchObject({ members: [nic], natOnly: false })
    expect(inventory.bridges.find((b) => b.name === 'virbr0')).toMatchObject({ natOnly: true, managedBy: 'default' })
    await expect(
      createBridgeNetwork(direct.target, {
        name: `br-${letter}${n}`,
        bridge: 'virbr0',
        autostart: false,
        start: false,
      }),
    ).rejects.toBeInstanceOf(FieldErrors)
    await createBridgeNetwork(direct.target, { name: `br-${letter}${n}`, bridge, autostart: false, start: true })
    expect(onHost(`virsh net-dumpxml br-${letter}${n}`)).toContain("<forward mode='bridge'/>")
    const after = await bridgesInventory(direct.target)
    expect(after.bridges.find((b) => b.name === bridge)?.networks).toEqual([`br-${letter}${n}`])
    await expect(
      attachGuest(direct.target, { guest: 'no-such-guest', target: `bridge:${bridge}` }),
    ).rejects.toBeInstanceOf(FieldErrors)
  })

  describe('confirm and revert racing on the host', () => {
    let direct: Awaited<ReturnType<typeof registeredLabHost>>
    const change: HostBridgeChange = {
      bridge: raceBridge,
      nic: raceNic,
      mac: null,
      addresses: raceAddresses.map((cidr) => ({ family: 'ipv4', cidr })),
      routes: [],
      moveAddresses: true,
    }
    const p = paths(raceBridge)
    // [.] keeps the pattern from matching grep's own command line
    const revertRuns = sh`grep -lq ${`bridge-${raceBridge}[.]revert`} /proc/[0-9]*/cmdline 2>/dev/null`

    beforeAll(async () => {
      direct = await registeredLabHost(lab.name)
    })

    const noRevertLeft = sh`i=0; while ${revertRuns} && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done`

    /** A live change with its revert armed, `delay` seconds away: the plan's state when the confirm comes. */
    async function armedChange(delay: number) {
      await run(direct.target, noRevertLeft, { timeoutMs: 60_000 })
      await run(
        direct.target,
        sh`ip link del ${raceBridge} 2>/dev/null; ip link del ${raceNic} 2>/dev/null; rm -f ${`${revertDir}/bridge-${raceBridge}`}.*; ip link add ${raceNic} type veth peer name ${`${raceNic}p`} && ip link set ${raceNic} up && ip -batch -`,
        { stdin: raceAddresses.map((a) => `addr add ${a} dev ${raceNic}\n`).join('') },
      )
      await run(direct.target, sh`mkdir -p ${revertDir} && cat > ${p.revert}`, { stdin: revertScript(change) })
      await run(direct.target, sh`cat > ${p.apply}`, { stdin: applyScript(change) })
      // Applied before the revert is armed (the plan arms it first): moving 120 addresses takes a while here.
      await run(direct.target, applyDetachedCommand(raceBridge))
      await run(direct.target, scheduleRevertCommand(raceBridge, delay))
    }

    /** Once no revert runs or waits any more: the bridge's and the NIC's state. */
    async function outcome() {
      await run(direct.target, noRevertLeft, { timeoutMs: 60_000 })
      expect((await run(direct.target, revertRuns, { allowFailure: true })).exitCode).not.toBe(0)
      const count = async (dev: string) =>
        Number((await run(direct.target, sh`ip -o -4 addr show dev ${dev} 2>/dev/null | wc -l`)).stdout.trim())
      const master = await run(direct.target, sh`readlink /sys/class/net/${raceNic}/master`, { allowFailure: true })
      const bridged = (await run(direct.target, sh`test -e /sys/class/net/${raceBridge}`, { allowFailure: true }))
        .exitCode
      return {
        bridge: bridged === 0,
        master: master.exitCode === 0 ? path.basename(master.stdout.trim()) : null,
        onBridge: bridged === 0 ? await count(raceBridge) : 0,
        onNic: await count(raceNic),
      }
    }

    /** Exactly one of the two: confirmed and intact, or refused in words and entirely reverted. */
    function expectOneOutcome(
      confirm: { exitCode: number; stderr: string },
      state: Awaited<ReturnType<typeof outcome>>,
    ) {
      if (confirm.exitCode === 0)
        expect(state).toEqual({ bridge: true, master: raceBridge, onBridge: raceAddresses.length, onNic: 0 })
      else {
        expect(confirm.stderr).toMatch(/^Too late to confirm vnh[bc]\d+rb: the automatic revert started first/)
        expect(state).toEqual({ bridge: false, master: null, onBridge: 0, onNic: raceAddresses.length })
      }
    }

    it('a confirm that arrives while the revert runs loses, says so, and lets the revert finish', async () => {
      await armedChange(1)
      // the moment the revert has removed the bridge, it is still putting the addresses back
      const confirm = await run(
        direct.target,
        sh`i=0; while [ -e /sys/class/net/${raceBridge} ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i + 1)); done; ${confirmCommand(raceBridge)}`,
        { allowFailure: true, timeoutMs: 30_000 },
      )
      expect(confirm.exitCode, confirm.stdout).not.toBe(0)
      expectOneOutcome(confirm, await outcome())
    })

    it('a confirm before the revert fires wins: the revert stands down and the change stays whole', async () => {
      await armedChange(2)
      const confirm = await run(direct.target, confirmCommand(raceBridge), { allowFailure: true })
      expect(confirm.exitCode, confirm.stderr).toBe(0)
      // outcome() waits until no revert runs or sleeps: a sleeper the confirm missed would wake and stand down.
      expectOneOutcome(confirm, await outcome())
    })

    it('confirm and revert started together: whichever wins, exactly one of them happens', async () => {
      for (const offset of [-0.12, -0.06, -0.03, -0.01, 0.01]) {
        await armedChange(1)
        const confirm = await run(direct.target, sh`sleep ${String(1 + offset)}; ${confirmCommand(raceBridge)}`, {
          allowFailure: true,
        })
        expectOneOutcome(confirm, await outcome())
      }
    })
  })
})
