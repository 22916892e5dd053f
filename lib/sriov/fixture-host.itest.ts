import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession, recordCommands, run, shellQuote } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { inHostB } from '@/lib/test/lab'
import { closeSideDoor, inSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { materializeTree } from '@/lib/test/fs-tree'
import { assignVf, releaseVf, setVfCount } from '@/lib/sriov/changes'
import { sriovInventory } from '@/lib/sriov/inventory'

/*
 * SR-IOV changes on the SR-IOV fixture (lib/sriov/fixtures/sysfs-two-pfs.tsv: an X710-style PF enp3s0f0 with 4 of 8
 * VFs enabled) as a host's /sys. No lab host has SR-IOV hardware, so the dashboard reaches lab host B through an sshd
 * of this test's own, in B's network namespace but in a mount namespace whose /sys is the fixture tree: libvirt, ip
 * and the SSH path are B's, the PCI functions are the fixture's. Every outcome is read back from that namespace and
 * from libvirt directly, not through Virtnet. (The kernel would also create or remove the virtfnN links on a count
 * change; a file tree cannot, so the test checks what Virtnet writes, sriov_numvfs.)
 */

const n = process.pid % 100000
const door = sideDoor('vngs', '10.75')
const guest = `vng-sriov-${n}-g`
const vf0 = '0000:03:10.0'
const mac = '52:54:00:5e:0f:01'
const root = path.resolve(import.meta.dirname, '../..')
const sysTree = materializeTree(path.join(root, 'lib/sriov/fixtures/sysfs-two-pfs.tsv'))
const numVfsFile = path.join(sysTree, 'devices/0000:03:00.0/sriov_numvfs')
let row: HostRow
let sshdPid = ''
const onB = (script: string) => inHostB(`${script} 2>&1 || true`)
/** A command in the sshd's namespaces: the host as the dashboard's sessions see it. */
const inFixtureHost = (script: string) => inSideDoor(sshdPid, script)
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`

describe('a VF count change and a pinned VF on the SR-IOV fixture (lab host B with the fixture as /sys)', () => {
  beforeAll(async () => {
    sshdPid = await openSideDoor(
      door,
      (sshd) => `unshare -m --propagation private sh -c ${shellQuote(`mount --bind ${sysTree} /sys && exec ${sshd}`)}`,
    )
    expect(inFixtureHost('cat /sys/class/net/enp3s0f0/device/sriov_numvfs').trim()).toBe('4')
    row = await sideDoorHost(door, `vng-sriov-${n}`)
    onB(`virsh -q undefine ${guest}`)
    await run(toTarget(row), virsh('define', '--file', '/dev/stdin'), { stdin: guestXml })
  })

  // Each part on its own: host B's libvirtd may be restarting (other tests restart it), which fails `lab exec-b`.
  afterAll(async () => {
    const quietly = (step: () => unknown) => {
      try {
        step()
      } catch {
        /* gone already, or B's libvirtd is restarting: the lab's clean-tests removes vng-* guests */
      }
    }
    quietly(() => onB(`virsh -q undefine ${guest}`))
    if (row) {
      closeHostSession(row.id)
      await db.host.deleteMany({ where: { id: row.id } })
    }
    quietly(() => closeSideDoor(door))
    fs.rmSync(sysTree, { recursive: true, force: true })
  })

  it('changes the VF count of enp3s0f0 through 0 (the kernel refuses one non-zero count to another)', async () => {
    fs.writeFileSync(numVfsFile, '4\n')
    const target = toTarget(row)
    const before = (await sriovInventory(target)).pfs.find((pf) => pf.name === 'enp3s0f0')
    expect(before).toMatchObject({ totalVfs: 8, numVfs: 4 })
    await expect(setVfCount(target, 'enp3s0f0', 9)).rejects.toMatchObject({
      errors: { count: ['enp3s0f0 supports at most 8 VFs.'] },
    })
    expect(inFixtureHost('cat /sys/class/net/enp3s0f0/device/sriov_numvfs').trim()).toBe('4')

    const { result, commands } = await recordCommands(() => setVfCount(target, 'enp3s0f0', 2))
    expect(result).toEqual({ enabled: 2 })
    expect(commands.map((c) => c.command).filter((c) => c.startsWith('echo '))).toEqual([
      'echo 0 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
      'echo 2 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
    ])
    expect(inFixtureHost('cat /sys/class/net/enp3s0f0/device/sriov_numvfs').trim()).toBe('2')
    // the other PF is untouched
    expect(inFixtureHost('cat /sys/class/net/enp3s0f1/device/sriov_numvfs').trim()).toBe('0')
  })

  it('pins VF 0 to a guest with a fixed MAC in its config; the VF is then held and the count cannot change', async () => {
    fs.writeFileSync(numVfsFile, '4\n')
    const target = toTarget(row)
    const { mac: assigned } = await assignVf(target, { guest, target: `vf:${vf0}`, mac, vlan: 7 })
    expect(assigned).toBe(mac)
    // libvirt's own view of the guest's saved config
    const config = inHostB(`virsh dumpxml --inactive ${guest}`)
    expect(config).toMatch(
      new RegExp(
        `<interface type='hostdev' managed='yes'>\\s*<mac address='${mac}'/>\\s*<source>\\s*<address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x0'/>\\s*</source>\\s*<vlan>\\s*<tag id='7'/>\\s*</vlan>`,
      ),
    )
    const inventory = await sriovInventory(target)
    const vfs = inventory.pfs.find((pf) => pf.name === 'enp3s0f0')!.vfs
    expect(vfs.find((vf) => vf.pci === vf0)?.heldBy).toMatchObject({ guest, how: 'interface-hostdev', mac })
    // a held VF cannot be pinned again, nor the PF's VF count changed under it
    await expect(assignVf(target, { guest, target: `vf:${vf0}` })).rejects.toMatchObject({
      errors: { target: [`The VF at ${vf0} is already held by ${guest}.`] },
    })
    await expect(setVfCount(target, 'enp3s0f0', 2)).rejects.toMatchObject({
      errors: { count: [`VFs of enp3s0f0 are assigned to guests (${guest}); release them first.`] },
    })
    expect(inFixtureHost('cat /sys/class/net/enp3s0f0/device/sriov_numvfs').trim()).toBe('4')

    await releaseVf(target, guest, mac)
    expect(inHostB(`virsh dumpxml --inactive ${guest}`)).not.toContain("<interface type='hostdev'")
  })
})
