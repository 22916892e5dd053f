import { describe, expect, it } from 'vitest'
import { buildHostdevPoolXml, pinnedVfInterfaceXml, poolInterfaceXml } from '@/lib/sriov/pool-xml'
import { plainPoolStartError } from '@/lib/sriov/start-error'
import { setVfCountPlan } from '@/lib/sriov/plans'
import { describePlan } from '@/lib/plan/plan'

describe('SR-IOV XML and plans', () => {
  it('builds the hostdev pool of the libvirt guide', () => {
    expect(buildHostdevPoolXml('passthrough', 'enp3s0f0')).toBe(
      "<network>\n  <name>passthrough</name>\n  <forward mode='hostdev' managed='yes'>\n    <pf dev='enp3s0f0'/>\n  </forward>\n</network>\n",
    )
  })

  it('builds a pool interface and a pinned VF interface with MAC, VLAN and 802.1Qbh profile', () => {
    expect(poolInterfaceXml('passthrough', { mac: '52:54:00:00:00:01', vlan: 42 })).toBe(
      "<interface type='network'>\n  <mac address='52:54:00:00:00:01'/>\n  <source network='passthrough'/>\n  <vlan>\n    <tag id='42'/>\n  </vlan>\n</interface>\n",
    )
    expect(pinnedVfInterfaceXml('0000:03:10.2', { mac: '52:54:00:00:00:02', profileid: 'finance' })).toBe(
      "<interface type='hostdev' managed='yes'>\n  <mac address='52:54:00:00:00:02'/>\n  <source>\n    <address type='pci' domain='0x0000' bus='0x03' slot='0x10' function='0x2'/>\n  </source>\n  <virtualport type='802.1Qbh'>\n    <parameters profileid='finance'/>\n  </virtualport>\n</interface>\n",
    )
  })

  it("turns libvirt's start error into plain words and leaves other errors alone", () => {
    expect(
      plainPoolStartError(
        'p',
        'Step 1 of 1 ("Start network p") failed: Failed to start network p: internal error: No usable Vf\'s present on SRIOV PF vnlab-b0.',
      ),
    ).toMatch(/^Pool p cannot start: the physical function vnlab-b0 has no usable virtual functions/)
    expect(plainPoolStartError('p', 'Permission denied.')).toBeNull()
  })

  it('changes a VF count through 0 (the kernel refuses non-zero to non-zero), each write undoable', () => {
    expect(describePlan(setVfCountPlan('enp3s0f0', 4, 8))).toEqual([
      {
        label: 'Disable the 4 VFs of enp3s0f0',
        command: 'echo 0 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
        undo: 'echo 4 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
      },
      {
        label: 'Enable 8 VFs on enp3s0f0',
        command: 'echo 8 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
        undo: 'echo 0 > /sys/class/net/enp3s0f0/device/sriov_numvfs',
      },
    ])
    expect(describePlan(setVfCountPlan('enp3s0f0', 0, 2))).toHaveLength(1)
    expect(describePlan(setVfCountPlan('enp3s0f0', 2, 0))).toHaveLength(1)
  })
})
