import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSriovSysfs, pciFromLibvirt, pciToLibvirt, sriovSysfsCommand } from '@/lib/sriov/sysfs'
import { parseIpLinkVfs } from '@/lib/sriov/ip-link-vf'
import { vfClaims } from '@/lib/sriov/holders'
import { buildInventory, type PoolView } from '@/lib/sriov/inventory'
import { materializeTree } from '@/lib/test/fs-tree'

const fixtures = path.join(import.meta.dirname, 'fixtures')
const read = (file: string) => fs.readFileSync(path.join(fixtures, file), 'utf8')
// The inventory's own shell loop, run over a captured sysfs-shaped tree instead of /sys.
const sysfsTree = materializeTree(path.join(fixtures, 'sysfs-two-pfs.tsv'))
const sysfsListing = () => execFileSync('sh', ['-c', sriovSysfsCommand(sysfsTree).text], { encoding: 'utf8' })
const domains = ['web1', 'db1', 'legacy'].map((name) => ({ name, xml: read(`domains/${name}.xml`) }))
const pool: PoolView = {
  name: 'sriov-pool',
  pf: 'enp3s0f0',
  active: true,
  autostart: true,
  connections: 1,
  vfAddresses: [],
  guests: ['db1'],
}

describe('SR-IOV inventory', () => {
  it('finds the physical functions and their VFs in sysfs, and nothing else', () => {
    expect(parseSriovSysfs(sysfsListing())).toEqual([
      {
        name: 'enp3s0f0',
        pci: '0000:03:00.0',
        totalVfs: 8,
        numVfs: 4,
        vfs: [
          { index: 0, pci: '0000:03:10.0', netdev: null },
          { index: 1, pci: '0000:03:10.2', netdev: 'enp3s16f2' },
          { index: 2, pci: '0000:03:10.4', netdev: null },
          { index: 3, pci: '0000:03:10.6', netdev: null },
        ],
      },
      { name: 'enp3s0f1', pci: '0000:03:00.1', totalVfs: 8, numVfs: 0, vfs: [] },
    ])
  })

  it('reads MAC, VLAN, QoS, spoof check, trust and link state per VF from both ip link spellings', () => {
    const vfs = parseIpLinkVfs(read('ip-link-show.txt'))
    expect([...vfs.keys()]).toEqual(['enp3s0f0'])
    expect(vfs.get('enp3s0f0')![0]).toEqual({
      index: 0,
      mac: '52:54:00:aa:00:01',
      vlan: 42,
      qos: null,
      spoofCheck: true,
      trust: false,
      linkState: 'auto',
    })
    expect(vfs.get('enp3s0f0')![1]).toMatchObject({ index: 1, mac: null, vlan: null })
    expect(vfs.get('enp3s0f0')![2]).toEqual({
      index: 2,
      mac: '52:54:00:aa:00:02',
      vlan: 100,
      qos: 3,
      spoofCheck: false,
      trust: true,
      linkState: 'enable',
    })
    const old = parseIpLinkVfs(read('ip-link-show-old-iproute.txt')).get('eth2')!
    expect(old).toEqual([
      { index: 0, mac: '52:54:00:10:20:30', vlan: 7, qos: null, spoofCheck: true, trust: null, linkState: 'auto' },
      { index: 1, mac: null, vlan: null, qos: null, spoofCheck: true, trust: null, linkState: 'auto' },
    ])
  })

  it('says which guest holds each VF: pinned by PCI address, through the pool (by MAC), or as a plain hostdev', () => {
    const [pf0, pf1] = buildInventory(
      parseSriovSysfs(sysfsListing()),
      parseIpLinkVfs(read('ip-link-show.txt')),
      vfClaims(domains),
      [pool],
    )
    expect(pf0!.pools).toEqual(['sriov-pool'])
    expect(pf0!.vfs.map((vf) => [vf.index, vf.heldBy?.guest ?? null, vf.heldBy?.how ?? null])).toEqual([
      [0, 'web1', 'interface-hostdev'],
      [1, null, null],
      [2, 'db1', 'pool'],
      [3, 'legacy', 'hostdev'],
    ])
    expect(pf1!.vfs).toEqual([])
  })

  it('converts PCI addresses between sysfs and libvirt spelling', () => {
    expect(pciToLibvirt('0000:03:10.6')).toEqual({ domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x6' })
    expect(pciFromLibvirt({ domain: '0x0000', bus: '0x03', slot: '0x10', function: '0x6' })).toBe('0000:03:10.6')
    expect(pciFromLibvirt({ domain: '0', bus: '3', slot: '16', function: '6' })).toBe('0000:03:10.6')
  })
})
