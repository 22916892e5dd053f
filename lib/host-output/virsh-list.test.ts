import { describe, expect, it } from 'vitest'
import { expectRecordedWithAndWithoutHeader, virshOutput } from '@/lib/test/virsh-output'
import { parseDomainList } from '@/lib/host-output/virsh-list'

describe('virsh list --all', () => {
  const recorded = [
    { id: 3, name: 'vnlab-a1', state: 'running' },
    { id: 4, name: 'vnlab-a2', state: 'running' },
  ]

  it('reads inactive domains ("-" id) and two-word states', () => {
    const output = virshOutput(
      ' Id   Name      State',
      '------------------------------',
      ' 1    web       running',
      ' -    db        shut off',
      ' -    old one   in shutdown',
    )
    expect(parseDomainList(output)).toEqual([
      { id: 1, name: 'web', state: 'running' },
      { id: null, name: 'db', state: 'shut off' },
      { id: null, name: 'old one', state: 'in shutdown' },
    ])
  })

  it('parses the recorded table, with and without header (-q)', () => {
    expectRecordedWithAndWithoutHeader(parseDomainList, 'list-all', recorded)
  })

  it('rejects an unknown state and a non-numeric id', () => {
    expect(() => parseDomainList(' 1   web   sleeping\n')).toThrowError('unexpected domain state "sleeping"')
    expect(() => parseDomainList(' x   web   running\n')).toThrowError('Id should be a whole number, got "x"')
  })
})
