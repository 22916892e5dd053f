import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { run } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { assignVf, createPool, deletePool, releaseVf, setVfCount, startPool } from '@/lib/sriov/changes'
import { sriovInventory } from '@/lib/sriov/inventory'

const tag = `s${process.pid % 100000}`
const pool = `sriov-${tag}`
const guest = `sriov-${tag}-g`
// A stopped tiny guest: pool assignment only edits its saved config.
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices/></domain>`

describe.each(libvirtLabHosts)('SR-IOV pools on $name, libvirt $libvirt (no SR-IOV hardware there)', (lab) => {
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  /** the lab's veth into the host, standing in for its physical NIC */
  const nic = `vnlab-${lab.name.slice(-1)}0`
  /** virsh on the host, the tests' independent view: a failing command fails the test (a negative check included). */
  const virshOn = (args: string) => lab.exec(`virsh -q ${args}`)
  /** Cleanup only, where the thing may already be gone. */
  const virshQuiet = (args: string) => lab.exec(`virsh -q ${args} 2>&1 || true`)

  /** No pool of this test and no assignment to it: where each test starts, whatever ran before (shuffled order). */
  async function withoutPool() {
    virshQuiet(`undefine ${guest}`)
    await run(host.target, virsh('define', '--file', '/dev/stdin'), { stdin: guestXml })
    virshQuiet(`net-destroy ${pool}`)
    virshQuiet(`net-undefine ${pool}`)
  }

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
    await run(host.target, virsh('define', '--file', '/dev/stdin'), { stdin: guestXml })
  })
  afterAll(() => {
    virshQuiet(`undefine ${guest}`)
    virshQuiet(`net-destroy ${pool}`)
    virshQuiet(`net-undefine ${pool}`)
  })

  it('finds no physical functions on a host without SR-IOV, and refuses a VF count for a non-PF', async () => {
    const inventory = await sriovInventory(host.target)
    expect(inventory.pfs).toEqual([])
    await expect(setVfCount(host.target, nic, 2)).rejects.toBeInstanceOf(FieldErrors)
  })

  it('defines a real hostdev pool on the veth standing in for the NIC; starting it fails in plain words', async () => {
    await withoutPool()
    await expect(createPool(host.target, { name: pool, pf: 'nosuchnic0', autostart: false })).rejects.toMatchObject({
      errors: { pf: ['There is no interface nosuchnic0 on this host.'] },
    })
    const created = await createPool(host.target, { name: pool, pf: nic, autostart: true })
    expect(created.isPf).toBe(false)
    const xml = virshOn(`net-dumpxml ${pool}`)
    expect(xml).toContain("<forward mode='hostdev' managed='yes'>")
    expect(xml).toContain(`<pf dev='${nic}'/>`)
    expect(virshOn(`net-info ${pool}`)).toMatch(/Autostart:\s+yes/)
    const start = startPool(host.target, pool)
    await expect(start).rejects.toBeInstanceOf(OperatorError)
    await expect(start).rejects.toThrow(
      `Pool ${pool} cannot start: the physical function ${nic} has no usable virtual functions (VFs).`,
    )
    expect(virshOn(`net-info ${pool}`)).toMatch(/Active:\s+no/)
  })

  it('assigns a guest to the pool with a fixed MAC and VLAN tag, lists it, and releases it', async () => {
    await withoutPool()
    await createPool(host.target, { name: pool, pf: nic, autostart: false })
    await expect(assignVf(host.target, { guest, target: 'pool:nosuchpool' })).rejects.toBeInstanceOf(FieldErrors)
    const { mac } = await assignVf(host.target, { guest, target: `pool:${pool}`, mac: '52:54:00:5e:01:01', vlan: 42 })
    expect(mac).toBe('52:54:00:5e:01:01')
    const config = virshOn(`dumpxml --inactive ${guest}`)
    expect(config).toContain(`<source network='${pool}'/>`)
    expect(config).toContain("<mac address='52:54:00:5e:01:01'/>")
    expect(config).toContain("<tag id='42'/>")
    const inventory = await sriovInventory(host.target)
    expect(inventory.pools.find((p) => p.name === pool)?.guests).toEqual([guest])
    await expect(deletePool(host.target, pool)).rejects.toBeInstanceOf(OperatorError)
    // the same MAC twice is refused
    await expect(
      assignVf(host.target, { guest, target: `pool:${pool}`, mac: '52:54:00:5e:01:01' }),
    ).rejects.toBeInstanceOf(FieldErrors)

    await releaseVf(host.target, guest, '52:54:00:5e:01:01')
    expect(virshOn(`dumpxml --inactive ${guest}`)).not.toContain(`network='${pool}'`)
    await deletePool(host.target, pool)
    expect(virshOn('net-list --all --name')).not.toContain(pool)
  })
})
