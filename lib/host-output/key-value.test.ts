import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseDomInfo } from '@/lib/host-output/virsh-dominfo'
import { parseNetInfo } from '@/lib/host-output/virsh-net-info'
import { parseVirshVersion, parseVirshVersionFlag, versionAtLeast } from '@/lib/host-output/virsh-version'

describe('virsh net-info', () => {
  it('parses the recorded output', () => {
    expect(parseNetInfo(readFixture('recorded', 'virsh-net-info.txt'))).toEqual({
      name: 'default',
      uuid: '35ecfab7-07d6-4aab-ba92-e44917e37de8',
      active: true,
      persistent: true,
      autostart: true,
      bridge: 'virbr0',
    })
  })

  it('accepts a network without bridge and reports a missing line', () => {
    const pool =
      'Name:           pfpool\nUUID:           x\nActive:         no\nPersistent:     yes\nAutostart:      no\n'
    expect(parseNetInfo(pool).bridge).toBeNull()
    expect(() => parseNetInfo('Name: x\n')).toThrowError('virsh net-info: missing "UUID" line')
    expect(() => parseNetInfo('garbage\n')).toThrowError('expected "Key: value", got "garbage" (line 1)')
  })
})

describe('virsh dominfo', () => {
  it('parses the recorded output of a running guest', () => {
    expect(parseDomInfo(readFixture('recorded', 'virsh-dominfo.txt'))).toEqual({
      id: 3,
      name: 'vnlab-a1',
      uuid: '8ff952c9-0a82-433a-9e22-5db4356aaba1',
      osType: 'hvm',
      state: 'running',
      vcpus: 1,
      cpuTimeSeconds: 0.4,
      maxMemoryKiB: 32768,
      usedMemoryKiB: 32768,
      persistent: true,
      autostart: false,
      managedSave: false,
      securityModel: 'none',
      securityDoi: '0',
      securityLabel: null,
    })
  })

  it('reads a shut-off guest (no id, no CPU time) with a security label', () => {
    const output = [
      'Id:             -',
      'Name:           db',
      'UUID:           1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      'OS Type:        hvm',
      'State:          shut off',
      'CPU(s):         2',
      'Max memory:     2097152 KiB',
      'Used memory:    2097152 KiB',
      'Persistent:     yes',
      'Autostart:      enable',
      'Managed save:   no',
      'Security model: apparmor',
      'Security DOI:   0',
      'Security label: libvirt-1b4e28ba-2fa1-11d2-883f-0016d3cca427 (enforcing)',
      '',
    ].join('\n')
    expect(parseDomInfo(output)).toMatchObject({
      id: null,
      state: 'shut off',
      cpuTimeSeconds: null,
      autostart: true,
      securityLabel: 'libvirt-1b4e28ba-2fa1-11d2-883f-0016d3cca427 (enforcing)',
    })
  })
})

describe('virsh version', () => {
  it('parses the recorded output', () => {
    const version = parseVirshVersion(readFixture('recorded', 'virsh-version.txt'))
    expect(version).toEqual({
      compiledAgainst: { major: 9, minor: 0, micro: 0, text: '9.0.0' },
      library: { major: 9, minor: 0, micro: 0, text: '9.0.0' },
      api: { driver: 'QEMU', version: { major: 9, minor: 0, micro: 0, text: '9.0.0' } },
      hypervisor: { name: 'QEMU', version: { major: 7, minor: 2, micro: 22, text: '7.2.22' } },
    })
    expect(versionAtLeast(version.library, 9)).toBe(true)
    expect(versionAtLeast(version.library, 10, 6)).toBe(false)
  })

  it('parses virsh --version and rejects anything else', () => {
    expect(parseVirshVersionFlag(readFixture('recorded', 'virsh--version.txt'))).toEqual({
      major: 9,
      minor: 0,
      micro: 0,
      text: '9.0.0',
    })
    expect(() => parseVirshVersionFlag('error: failed to connect\n')).toThrowError(
      'virsh --version: expected a version like 9.0.0',
    )
  })
})
