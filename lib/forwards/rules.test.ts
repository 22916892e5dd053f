import { describe, expect, it } from 'vitest'
import {
  desiredRules,
  forwardRules,
  renderStateFile,
  stateFileLineOwners,
  type ForwardRuleInput,
} from '@/lib/forwards/rules'
import { describePlan } from '@/lib/plan/plan'
import { sh } from '@/lib/ssh'

const base: ForwardRuleInput = {
  id: 'f1',
  guestUuid: '11111111-2222-3333-4444-555555555555',
  bridge: 'virbr0',
  subnet: '192.168.122.0/24',
  guestIp: '192.168.122.10',
  protocol: 'tcp',
  hostPortStart: 8080,
  hostPortEnd: 8080,
  guestPortStart: 80,
  guestPortEnd: 80,
  hostAddress: null,
  sourceCidrs: [],
}

describe('forward rules', () => {
  it('builds DNAT, hairpin SNAT and FORWARD accept in the form iptables -S prints', () => {
    expect(forwardRules(base)).toEqual([
      {
        table: 'nat',
        rule: '-A VIRTNET_DNAT ! -d 127.0.0.0/8 -p tcp -m tcp --dport 8080 -m comment --comment "vn:f1" -j DNAT --to-destination 192.168.122.10:80',
      },
      {
        table: 'nat',
        rule: '-A VIRTNET_SNAT -s 192.168.122.0/24 -d 192.168.122.10/32 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "vn:f1" -j MASQUERADE',
      },
      {
        table: 'filter',
        rule: '-A VIRTNET_FWD -d 192.168.122.10/32 -o virbr0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "vn:f1" -j ACCEPT',
      },
    ])
  })

  it("never takes the host's own connections to loopback: only a forward bound to one address leaves out the guard", () => {
    const dnat = (input: ForwardRuleInput) => forwardRules(input).filter((r) => r.rule.includes('-j DNAT'))
    expect(dnat(base).map((r) => r.rule)).toEqual([expect.stringContaining(' ! -d 127.0.0.0/8 ')])
    expect(dnat({ ...base, sourceCidrs: ['10.9.0.0/16'] })[0]!.rule).toContain('-s 10.9.0.0/16 ! -d 127.0.0.0/8 -p tcp')
    expect(dnat({ ...base, hostAddress: '10.0.0.1' })[0]!.rule).not.toContain('127.0.0.0/8')
  })

  it('keeps port numbers for a range, listens on one address, and repeats DNAT and accept per allowed source', () => {
    const rules = forwardRules({
      ...base,
      protocol: 'udp',
      hostPortStart: 5000,
      hostPortEnd: 5010,
      guestPortStart: 5000,
      guestPortEnd: 5010,
      hostAddress: '10.0.0.1',
      sourceCidrs: ['10.9.0.0/16', '10.8.0.1/32'],
    })
    expect(rules.filter((r) => r.rule.includes('-j DNAT'))).toEqual([
      {
        table: 'nat',
        rule: '-A VIRTNET_DNAT -s 10.9.0.0/16 -d 10.0.0.1/32 -p udp -m udp --dport 5000:5010 -m comment --comment "vn:f1" -j DNAT --to-destination 192.168.122.10',
      },
      {
        table: 'nat',
        rule: '-A VIRTNET_DNAT -s 10.8.0.1/32 -d 10.0.0.1/32 -p udp -m udp --dport 5000:5010 -m comment --comment "vn:f1" -j DNAT --to-destination 192.168.122.10',
      },
    ])
    expect(rules.filter((r) => r.table === 'filter').map((r) => r.rule.split(' ').slice(2, 4).join(' '))).toEqual([
      '-s 10.9.0.0/16',
      '-s 10.8.0.1/32',
    ])
  })

  it('writes one state line per rule keyed by guest, and wants live rules only for running guests', () => {
    const other = {
      ...base,
      id: 'f2',
      guestUuid: '99999999-2222-3333-4444-555555555555',
      hostPortStart: 8081,
      hostPortEnd: 8081,
    }
    const file = renderStateFile([base, other]).split('\n')
    expect(file[0]).toMatch(/^# /)
    expect(file.filter((l) => l.startsWith(`R ${base.guestUuid} nat -A VIRTNET_DNAT `))).toHaveLength(1)
    expect(file.filter((l) => l.startsWith('R '))).toHaveLength(6)
    expect(desiredRules([base, other], new Set([other.guestUuid])).every((r) => r.rule.includes('vn:f2'))).toBe(true)
  })

  it("shows a self-service user only their own rules of the table, and how many of others' stay", () => {
    const mine = { ...base, id: 'mine', ownerId: 'user-a' }
    const theirs = {
      ...base,
      id: 'theirs',
      guestIp: '192.168.122.77',
      hostPortStart: 9090,
      hostPortEnd: 9090,
      ownerId: 'user-b',
    }
    const unowned = { ...base, id: 'scripted', hostPortStart: 9191, hostPortEnd: 9191, ownerId: null }
    const table = [theirs, mine, unowned]
    const stdin = renderStateFile(table)
    const plan = {
      title: 't',
      steps: [
        {
          label: 'write',
          command: sh`cat`,
          stdin,
          owners: { stdinLines: stateFileLineOwners(table), lineName: { one: 'rule', many: 'rules' } },
        },
      ],
    }
    const [full] = describePlan(plan, { withInput: true })
    expect(full!.input).toBe(stdin)
    const [narrowed] = describePlan(plan, { withInput: true, onlyOwner: 'user-a' })
    const lines = narrowed!.input!.split('\n')
    expect(lines[0]).toMatch(/^# Virtnet port forwards/)
    expect(lines.filter((l) => l.startsWith('R '))).toEqual(
      renderStateFile([mine])
        .split('\n')
        .filter((l) => l.startsWith('R ')),
    )
    expect(lines.at(-2)).toBe('# 6 other rules of other users are kept unchanged.')
    expect(narrowed!.input).not.toMatch(/192\.168\.122\.77|9090|9191|vn:theirs|vn:scripted/)
    // Someone else's view is narrowed the same way, never widened by a missing owner.
    expect(describePlan(plan, { withInput: true, onlyOwner: 'user-c' })[0]!.input).not.toMatch(/^R /m)
  })
})
