import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { FieldErrors } from '@/lib/core/errors'
import { db } from '@/lib/db/client'
import { toTarget } from '@/lib/hosts/store'
import { closeHostSession, run, sh } from '@/lib/ssh'
import { inHostA, inHostB, labFingerprint, registeredLabHost } from '@/lib/test/lab'
import { attachGuest, createBridgeNetwork, createHostBridge } from '@/lib/bridges/operations'
import { bridgesInventory } from '@/lib/bridges/inventory'

/*
 * Commit-confirm bridge creation on lab host B, over an SSH path of this test's own: a veth pair between this machine
 * and B (the B end stands in for the host's NIC) and a second sshd inside B listening only on that veth. Cutting
 * that path never disturbs the lab's own SSH to B, which other tests use at the same time.
 */

const n = process.pid % 100000
const vethA = `vnbt${n}a`
const nic = `vnbt${n}b`
const bridge = `vnbt${n}br`
const subnet = 10 + (n % 200)
const addrA = `10.78.${subnet}.1`
const addrB = `10.78.${subnet}.2`
const root = path.resolve(import.meta.dirname, '../..')
const sshdDir = path.join(root, `data/test/bridges-sshd-${n}`)
const actor = { id: null, username: 'itest' }
let host: { row: Awaited<ReturnType<typeof db.host.create>>; target: ReturnType<typeof toTarget> }
const onB = (script: string) => inHostB(`${script} 2>&1 || true`)

async function jobOf(jobId: string) {
  return db.job.findUniqueOrThrow({ where: { id: jobId }, include: { steps: { orderBy: { position: 'asc' } } } })
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

describe('host bridge with commit-confirm on lab host B', () => {
  beforeAll(async () => {
    await registeredLabHost('lab-b')
    const bPid = inHostA(`cat ${root}/data/lab/b/libvirtd.pid`).trim()
    inHostA(
      `ip link del ${vethA} 2>/dev/null; ip link add ${vethA} type veth peer name ${nic} netns /proc/${bPid}/ns/net && ip addr add ${addrA}/30 dev ${vethA} && ip link set ${vethA} up`,
    )
    inHostB(`ip addr add ${addrB}/30 dev ${nic} && ip link set ${nic} up`)
    fs.mkdirSync(sshdDir, { recursive: true })
    const config = fs
      .readFileSync(path.join(root, 'data/lab/b/sshd_config'), 'utf8')
      .replace(/^ListenAddress .*$/m, `ListenAddress ${addrB}:22`)
      .replace(/^PidFile .*$/m, `PidFile "${sshdDir}/sshd.pid"`)
    fs.writeFileSync(path.join(sshdDir, 'sshd_config'), config)
    inHostB(`/usr/sbin/sshd -f ${sshdDir}/sshd_config -E ${sshdDir}/sshd.log`)
    for (let i = 0; i < 50 && !fs.existsSync(path.join(sshdDir, 'sshd.pid')); i++)
      await new Promise((r) => setTimeout(r, 100))
    const row = await db.host.create({
      data: {
        name: `bridge-path-${n}`,
        address: addrB,
        port: 22,
        username: 'root',
        pinnedFingerprint: labFingerprint('lab-b'),
      },
    })
    host = { row, target: toTarget(row) }
  })

  afterAll(async () => {
    closeHostSession(host.row.id)
    onB(`kill $(cat ${sshdDir}/sshd.pid)`)
    onB(`virsh net-destroy br-${n} ; virsh net-undefine br-${n}`)
    onB(`sh /run/virtnet/bridge-${bridge}.revert ; ip link del ${bridge} ; rm -f /run/virtnet/bridge-${bridge}.*`)
    inHostA(`ip link del ${vethA} 2>/dev/null || true`)
    fs.rmSync(sshdDir, { recursive: true, force: true })
  })

  it('refuses what must not become a bridge port, changing nothing', async () => {
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
    expect(onB(`ip link show ${bridge}`)).toContain('does not exist')
  })

  it('a change that cuts the SSH path is reverted by the host itself, and the host is reachable again', async () => {
    // Not moving the NIC's address to the bridge removes the very address this SSH path uses.
    const t0 = Date.now()
    const { jobId, done } = await createHostBridge(host.row, host.target, actor, {
      bridge,
      nic,
      moveAddresses: false,
      confirmSeconds: 15,
    })
    await done
    const job = await jobOf(jobId)
    expect(job.status).toBe('failed')
    expect(job.steps.find((s) => s.label.startsWith('Confirm'))?.status).toBe('pending')
    // The revert fires on the host ~15 s after it was scheduled, whatever Virtnet does.
    let back = false
    while (!back && Date.now() - t0 < 90_000) back = await reachable()
    expect(back).toBe(true)
    expect(onB(`ip link show ${bridge}`)).toContain('does not exist')
    expect(onB(`ip -br addr show dev ${nic}`)).toContain(`${addrB}/30`)
    expect(onB(`cat /sys/class/net/${nic}/master`)).toContain('No such file')
  })

  it('a change that keeps the path is confirmed: the revert is cancelled and the bridge stays', async () => {
    const { jobId, done } = await createHostBridge(host.row, host.target, actor, {
      bridge,
      nic,
      moveAddresses: true,
      confirmSeconds: 15,
    })
    await done
    const job = await jobOf(jobId)
    expect(job.status, job.error ?? '').toBe('succeeded')
    expect(job.steps.at(-1)!.output).toContain('revert cancelled')
    // well past the confirm time: still bridged, the address on the bridge, and Virtnet still gets in
    await new Promise((r) => setTimeout(r, 17_000))
    expect(onB(`basename $(readlink /sys/class/net/${nic}/master)`).trim()).toBe(bridge)
    expect(onB(`ip -br addr show dev ${bridge}`)).toContain(`${addrB}/30`)
    expect(onB(`ls /run/virtnet/ | grep -c ${bridge}.revert`).trim()).toBe('0')
    expect(await reachable()).toBe(true)
  })

  it('lists the bridge with its port, marks libvirt bridges NAT-only, and puts a bridge-mode network and a guest on it', async () => {
    const lab = await registeredLabHost('lab-b')
    const inventory = await bridgesInventory(lab.target)
    expect(inventory.bridges.find((b) => b.name === bridge)).toMatchObject({ members: [nic], natOnly: false })
    expect(inventory.bridges.find((b) => b.name === 'virbr0')).toMatchObject({ natOnly: true, managedBy: 'default' })
    await expect(
      createBridgeNetwork(lab.target, { name: `br-${n}`, bridge: 'virbr0', autostart: false, start: false }),
    ).rejects.toBeInstanceOf(FieldErrors)
    await createBridgeNetwork(lab.target, { name: `br-${n}`, bridge, autostart: false, start: true })
    expect(onB(`virsh net-dumpxml br-${n}`)).toContain("<forward mode='bridge'/>")
    const after = await bridgesInventory(lab.target)
    expect(after.bridges.find((b) => b.name === bridge)?.networks).toEqual([`br-${n}`])
    await expect(
      attachGuest(lab.target, { guest: 'no-such-guest', target: `bridge:${bridge}` }),
    ).rejects.toBeInstanceOf(FieldErrors)
  })
})
