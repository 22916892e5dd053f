import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseIptablesVersion } from '@/lib/host-output/iptables-version'
import { ParseError } from '@/lib/core/errors'
import { parseIpForward } from '@/lib/host-output/sysctl'

describe('sysctl net.ipv4.ip_forward', () => {
  it('reads -n output and the "key = value" form (recorded)', () => {
    expect(parseIpForward(readFixture('recorded', 'sysctl-n-ip-forward.txt'))).toBe(true)
    expect(parseIpForward(readFixture('recorded', 'sysctl-ip-forward.txt'))).toBe(true)
    expect(parseIpForward('0\n')).toBe(false)
  })

  it('rejects anything else', () => {
    expect(() => parseIpForward('sysctl: cannot stat /proc/sys/net/ipv4/ip_forward\n')).toThrowError(ParseError)
  })
})

describe('iptables --version', () => {
  it('tells the nf_tables and legacy backends apart (recorded: nf_tables)', () => {
    expect(parseIptablesVersion(readFixture('recorded', 'iptables-version.txt'))).toEqual({
      version: '1.8.9',
      backend: 'nf_tables',
    })
    expect(parseIptablesVersion('iptables v1.8.7 (legacy)\n')).toEqual({ version: '1.8.7', backend: 'legacy' })
    expect(parseIptablesVersion('iptables v1.6.1\n')).toEqual({ version: '1.6.1', backend: 'legacy' })
  })

  it('rejects other output', () => {
    expect(() => parseIptablesVersion('bash: iptables: command not found')).toThrowError(
      'iptables --version: unexpected version line',
    )
  })
})
