import { describe, expect, it } from 'vitest'
import { readFixture } from '@/lib/test/fixtures/read-fixture'
import { expectRecordedWithAndWithoutHeader, virshOutput } from '@/lib/test/virsh-output'
import { parseNetList, parseNetListNames } from '@/lib/host-output/virsh-net-list'

describe('virsh net-list', () => {
  const recorded = [{ name: 'default', active: true, autostart: true, persistent: true }]

  it('reads a network that went away while virsh listed it ("no autostart") instead of failing the whole list', () => {
    const output = virshOutput(
      ' Name        State      Autostart      Persistent',
      '---------------------------------------------------',
      ' default     active     yes            yes',
      ' vanishing   active     no autostart   yes',
    )
    expect(parseNetList(output)).toEqual([
      { name: 'default', active: true, autostart: true, persistent: true },
      { name: 'vanishing', active: true, autostart: false, persistent: true },
    ])
  })

  it('reads several networks, including a transient one and a name with spaces', () => {
    const output = virshOutput(
      ' Name        State      Autostart   Persistent',
      '-------------------------------------------------',
      ' default     active     yes         yes',
      ' lab net     inactive   no          yes',
      ' transient   active     no          no',
    )
    expect(parseNetList(output)).toEqual([
      { name: 'default', active: true, autostart: true, persistent: true },
      { name: 'lab net', active: false, autostart: false, persistent: true },
      { name: 'transient', active: true, autostart: false, persistent: false },
    ])
  })

  it('parses the recorded table, with and without header (-q)', () => {
    expectRecordedWithAndWithoutHeader(parseNetList, 'net-list-all', recorded)
  })

  it('rejects unexpected values in plain words', () => {
    expect(() => parseNetList(' default   running   yes   yes\n')).toThrowError(
      'virsh net-list: unexpected network state "running" (expected one of: active, inactive) (line 1)',
    )
  })

  it('reads --name output', () => {
    expect(parseNetListNames(readFixture('recorded', 'virsh-net-list-all-name.txt'))).toEqual(['default'])
    expect(parseNetListNames('a\nb c\n\n')).toEqual(['a', 'b c'])
  })
})
