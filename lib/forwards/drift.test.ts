import { describe, expect, it } from 'vitest'
import { computeDrift } from '@/lib/forwards/drift'

const dnat = {
  table: 'nat' as const,
  rule: '-A VIRTNET_DNAT -p tcp -m tcp --dport 8080 -m comment --comment "vn:a" -j DNAT --to-destination 10.0.0.5:80',
}
const accept = {
  table: 'filter' as const,
  rule: '-A VIRTNET_FWD -d 10.0.0.5/32 -o virbr0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "vn:a" -j ACCEPT',
}
const natJumps = [
  '-A PREROUTING -m addrtype --dst-type LOCAL -j VIRTNET_DNAT',
  '-A OUTPUT -m addrtype --dst-type LOCAL -j VIRTNET_DNAT',
  '-A POSTROUTING -j VIRTNET_SNAT',
]

describe('drift', () => {
  it('is empty when the host has exactly the desired rules with the jumps first', () => {
    const actual = {
      nat: ['-P PREROUTING ACCEPT', '-N VIRTNET_DNAT', ...natJumps, '-A POSTROUTING -j LIBVIRT_PRT', dnat.rule],
      filter: ['-A FORWARD -j VIRTNET_FWD', '-A FORWARD -j LIBVIRT_FWI', accept.rule],
    }
    expect(computeDrift([dnat, accept], actual)).toEqual({ missing: [], foreign: [], jumpProblems: [] })
  })

  it('reports missing and foreign rules and a jump behind libvirt (the classic hook after a libvirtd restart)', () => {
    const foreign = '-A VIRTNET_FWD -d 10.0.0.9/32 -j ACCEPT'
    const actual = { nat: [...natJumps], filter: ['-A FORWARD -j LIBVIRT_FWI', '-A FORWARD -j VIRTNET_FWD', foreign] }
    const drift = computeDrift([dnat, accept], actual)
    expect(drift.missing).toEqual([dnat, accept])
    expect(drift.foreign).toEqual([{ table: 'filter', rule: foreign }])
    expect(drift.jumpProblems).toEqual([
      "The jump to VIRTNET_FWD is rule 2 of FORWARD (filter), behind -A FORWARD -j LIBVIRT_FWI: libvirt's rules come first.",
    ])
  })

  it('reports leftover jumps when nothing should be live', () => {
    expect(computeDrift([], { nat: [], filter: ['-A FORWARD -j VIRTNET_FWD'] }).jumpProblems).toHaveLength(1)
  })
})
