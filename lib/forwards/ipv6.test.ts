import { execFileSync, spawnSync } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hookScript, type HookLocations } from '@/lib/forwards/hook-script'
import { computeDrift, computeNftDrift, type NftRuleset } from '@/lib/forwards/drift'
import {
  desiredNftRules,
  desiredRules,
  forwardRules,
  nftForwardRules,
  renderStateFile,
  stateFileHeader,
  stateFileLineOwners,
  type FirewallBackend,
  type ForwardRuleInput,
} from '@/lib/forwards/rules'
import { AddForwardSchema, SelfServiceAddSchema } from '@/lib/forwards/schemas'
import { macOfDuid } from '@/lib/addresses/mac-address'

const v4: ForwardRuleInput = {
  id: 'f4',
  guestUuid: '6a1f0c3e-8d7b-4f2a-9c5e-1b2d3e4f5a6b',
  bridge: 'virbr7',
  subnet: '192.168.77.0/24',
  guestIp: '192.168.77.10',
  protocol: 'tcp',
  hostPortStart: 8080,
  hostPortEnd: 8080,
  guestPortStart: 80,
  guestPortEnd: 80,
  hostAddress: null,
  sourceCidrs: [],
}
const v6: ForwardRuleInput = {
  ...v4,
  id: 'f6',
  family: 'ipv6',
  subnet: 'fd00:77::/64',
  guestIp: 'fd00:77::10',
}

describe('IPv6 forward rules (ip6tables)', () => {
  it('are the IPv4 rules with the IPv6 loopback, /128 hosts and a bracketed DNAT target, as ip6tables -S prints them', () => {
    expect(forwardRules(v6)).toEqual([
      {
        table: 'nat',
        family: 'ipv6',
        rule: '-A VIRTNET_DNAT ! -d ::1/128 -p tcp -m tcp --dport 8080 -m comment --comment "vn:f6" -j DNAT --to-destination [fd00:77::10]:80',
      },
      {
        table: 'nat',
        family: 'ipv6',
        rule: '-A VIRTNET_SNAT -s fd00:77::/64 -d fd00:77::10/128 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "vn:f6" -j MASQUERADE',
      },
      {
        table: 'filter',
        family: 'ipv6',
        rule: '-A VIRTNET_FWD -d fd00:77::10/128 -o virbr7 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "vn:f6" -j ACCEPT',
      },
    ])
  })

  it('keep a range port for port, bind to one host address and repeat per allowed source', () => {
    const rules = forwardRules({
      ...v6,
      hostPortStart: 5000,
      hostPortEnd: 5001,
      guestPortStart: 5000,
      guestPortEnd: 5001,
      hostAddress: 'fd77::1',
      sourceCidrs: ['fd77::2/128', '2001:db8::/32'],
    })
    expect(rules.filter((r) => r.rule.includes('-j DNAT')).map((r) => r.rule)).toEqual([
      '-A VIRTNET_DNAT -s fd77::2/128 -d fd77::1/128 -p tcp -m tcp --dport 5000:5001 -m comment --comment "vn:f6" -j DNAT --to-destination fd00:77::10',
      '-A VIRTNET_DNAT -s 2001:db8::/32 -d fd77::1/128 -p tcp -m tcp --dport 5000:5001 -m comment --comment "vn:f6" -j DNAT --to-destination fd00:77::10',
    ])
  })

  it('leave the IPv4 rules exactly as they were', () => {
    expect(forwardRules(v4).every((r) => !('family' in r))).toBe(true)
    expect(forwardRules(v4)[0]!.rule).toBe(
      '-A VIRTNET_DNAT ! -d 127.0.0.0/8 -p tcp -m tcp --dport 8080 -m comment --comment "vn:f4" -j DNAT --to-destination 192.168.77.10:80',
    )
  })
})

describe('IPv6 forward rules (nftables)', () => {
  it("match ip6 addresses and DNAT to the guest's IPv6 address", () => {
    const strip = (rule: string) => rule.replace(/ comment "[^"]*"$/, '')
    const rules = nftForwardRules({ ...v6, sourceCidrs: ['fd77::2/128'] })
    expect(rules.map((r) => [r.chain, r.family, strip(r.rule)])).toEqual([
      ['dnat', 'ipv6', 'ip6 saddr { fd77::2/128 } ip6 daddr != ::1/128 tcp dport 8080 dnat to [fd00:77::10]:80'],
      ['snat', 'ipv6', 'ip6 saddr fd00:77::/64 ip6 daddr fd00:77::10 tcp dport 80 ct status dnat masquerade'],
      [
        'accept',
        'ipv6',
        'ip6 saddr { fd77::2/128 } oifname "virbr7" ip6 daddr fd00:77::10 tcp dport 80 ct status dnat accept',
      ],
    ])
  })
})

describe('the state file with IPv6 forwards', () => {
  it.each(['iptables', 'nftables'] as const)(
    'says so in its first line and marks IPv6 lines (%s); an IPv4-only table is unchanged',
    (backend: FirewallBackend) => {
      const both = renderStateFile([v4, v6], backend).split('\n')
      expect(both[0]).toContain('format 1 with IPv6')
      const tokens = both.slice(1, -1).map((line) => line.split(' ')[2])
      expect(tokens).toEqual(
        backend === 'iptables'
          ? ['nat', 'nat', 'filter', 'nat6', 'nat6', 'filter6']
          : ['dnat', 'snat', 'accept', 'dnat6', 'snat6', 'accept6'],
      )
      expect(stateFileLineOwners([v4, v6], backend)).toHaveLength(both.length)
      expect(renderStateFile([v4], backend).split('\n')[0]).not.toContain('IPv6')
    },
  )
  it('keeps the IPv4 header of format 1', () => {
    expect(renderStateFile([v4]).split('\n')[0]).toBe(stateFileHeader)
  })
})

describe('IPv6 drift (ip6tables)', () => {
  const desired = desiredRules([v4, v6], new Set([v4.guestUuid]))
  const v4Lines = {
    nat: [
      '-A PREROUTING -m addrtype --dst-type LOCAL -j VIRTNET_DNAT',
      '-A OUTPUT -m addrtype --dst-type LOCAL -j VIRTNET_DNAT',
      '-A POSTROUTING -j VIRTNET_SNAT',
      ...forwardRules(v4)
        .filter((r) => r.table === 'nat')
        .map((r) => r.rule),
    ],
    filter: [
      '-A FORWARD -j VIRTNET_FWD',
      ...forwardRules(v4)
        .filter((r) => r.table === 'filter')
        .map((r) => r.rule),
    ],
  }
  const v6Lines = {
    nat6: v4Lines.nat
      .filter((l) => !l.includes('vn:'))
      .concat(
        forwardRules(v6)
          .filter((r) => r.table === 'nat')
          .map((r) => r.rule),
      ),
    filter6: [
      '-A FORWARD -j VIRTNET_FWD',
      ...forwardRules(v6)
        .filter((r) => r.table === 'filter')
        .map((r) => r.rule),
    ],
  }

  it('is empty when both families have their rules and jumps first', () => {
    expect(computeDrift(desired, { ...v4Lines, ...v6Lines })).toEqual({ missing: [], foreign: [], jumpProblems: [] })
  })

  it('finds missing IPv6 rules and jumps, naming ip6tables', () => {
    const drift = computeDrift(desired, { ...v4Lines, nat6: [], filter6: [] })
    expect(drift.missing).toEqual(forwardRules(v6).map((r) => ({ table: `ip6tables ${r.table}`, rule: r.rule })))
    expect(drift.jumpProblems).toEqual([
      'PREROUTING (ip6tables nat) has no jump to VIRTNET_DNAT: no forward works.',
      'OUTPUT (ip6tables nat) has no jump to VIRTNET_DNAT: no forward works.',
      'POSTROUTING (ip6tables nat) has no jump to VIRTNET_SNAT: no forward works.',
      'FORWARD (ip6tables filter) has no jump to VIRTNET_FWD: no forward works.',
    ])
  })

  it('finds IPv6 rules and jumps left behind when no IPv6 forward is', () => {
    const drift = computeDrift(desiredRules([v4], new Set([v4.guestUuid])), { ...v4Lines, ...v6Lines })
    expect(drift.missing).toEqual([])
    expect(drift.foreign.map((r) => r.table)).toEqual(['ip6tables nat', 'ip6tables nat', 'ip6tables filter'])
    expect(drift.jumpProblems).toHaveLength(4)
    expect(drift.jumpProblems.every((p) => p.includes('ip6tables') && p.includes('although no forward is left'))).toBe(
      true,
    )
  })
})

describe('IPv6 drift (nftables)', () => {
  const desired = desiredNftRules([v6], new Set([v6.guestUuid]))
  const comment = (chain: string) => /comment "([^"]+)"$/.exec(desired.find((r) => r.chain === chain)!.rule)![1]!
  const jump = (target: string) => [{ jump: { target } }]
  const rule = (family: string, table: string, chain: string, handle: number, extra: object = {}) => ({
    rule: { family, table, chain, handle, ...extra },
  })
  const ip6Table = (): NftRuleset['nftables'] => [
    { table: { family: 'ip6', name: 'virtnet' } },
    { chain: { family: 'ip6', table: 'virtnet', name: 'prerouting', hook: 'prerouting' } },
    { chain: { family: 'ip6', table: 'virtnet', name: 'output', hook: 'output' } },
    rule('ip6', 'virtnet', 'forwards', 1, { comment: comment('dnat') }),
    rule('ip6', 'virtnet', 'prerouting', 2, { expr: jump('forwards') }),
    rule('ip6', 'virtnet', 'output', 3, { expr: jump('forwards') }),
    rule('ip6', 'virtnet', 'postrouting', 4, { comment: comment('snat') }),
    rule('ip6', 'libvirt_network', 'guest_input', 20, { comment: 'virtnet', expr: jump('virtnet_accept') }),
    rule('ip6', 'libvirt_network', 'guest_input', 10, { expr: [{ reject: null }] }),
    rule('ip6', 'libvirt_network', 'virtnet_accept', 21, { comment: comment('accept') }),
  ]

  it("is empty when the ip6 tables hold the rules and the jump is first in libvirt's ip6 guest_input", () => {
    expect(computeNftDrift(desired, { nftables: ip6Table() })).toEqual({ missing: [], foreign: [], jumpProblems: [] })
  })

  it('does not take an IPv4 rule of the same comment for the IPv6 one', () => {
    const asIpv4 = ip6Table().map((item) => (item.rule ? { rule: { ...item.rule, family: 'ip' } } : item))
    const drift = computeNftDrift(desired, { nftables: asIpv4 })
    expect(drift.missing.map((r) => r.table)).toEqual([
      'ip6 virtnet forwards',
      'ip6 virtnet postrouting',
      'ip6 libvirt_network virtnet_accept',
    ])
    // …and the IPv4 rules under those comments are no forward's.
    expect(drift.foreign.map((r) => r.table)).toEqual([
      'virtnet forwards',
      'virtnet postrouting',
      'libvirt_network virtnet_accept',
    ])
  })

  it('reports the ip6 table and jump left when no IPv6 forward is', () => {
    const drift = computeNftDrift([], { nftables: ip6Table() })
    expect(drift.jumpProblems).toEqual([
      'The table ip6 virtnet is still there although no forward is left.',
      'ip6 guest_input still jumps to virtnet_accept although no forward is left.',
    ])
  })
})

/*
 * The generated hook under dash in a temporary root, with small executables for iptables, ip6tables and nft that
 * keep what they get: an IPv4-only table never reaches an IPv6 tool; an IPv6 one does, once more after its last
 * IPv6 forward is gone (to remove its chains), and then no longer.
 */
describe('the hook with IPv6 forwards, under dash', { timeout: 60_000 }, () => {
  const roots: string[] = []
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })))

  function hookRoot(backend: FirewallBackend) {
    const root = mkdtempSync(join(tmpdir(), 'vnv6-hook-'))
    roots.push(root)
    const at: HookLocations = {
      state: join(root, 'state/forwards.rules'),
      run: join(root, 'run'),
      path: join(root, 'bin'),
    }
    mkdirSync(at.path, { recursive: true })
    for (const tool of ['awk', 'cat', 'date', 'head', 'ls', 'mkdir', 'rm', 'sed', 'tr', 'wc', 'flock']) {
      const real = execFileSync('dash', ['-c', 'command -v "$1"', 'dash', tool], { encoding: 'utf8' }).trim()
      symlinkSync(real, join(at.path, tool))
    }
    const write = (path: string, content: string, mode = 0o644) => {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      chmodSync(path, mode)
    }
    const log = join(root, 'calls')
    const keep = (name: string) => `printf '%s\\n' '==== ${name}' >> '${log}'; cat >> '${log}'`
    write(join(at.path, 'iptables'), '#!/bin/sh\nexit 0\n', 0o755)
    write(join(at.path, 'ip6tables'), '#!/bin/sh\nexit 0\n', 0o755)
    write(join(at.path, 'iptables-restore'), `#!/bin/sh\n${keep('iptables-restore')}\n`, 0o755)
    write(join(at.path, 'ip6tables-restore'), `#!/bin/sh\n${keep('ip6tables-restore')}\n`, 0o755)
    write(
      join(at.path, 'nft'),
      `#!/bin/sh
case "$*" in
  '-f -') ${keep('nft -f')} ;;
  *'list chain ip libvirt_network guest_input'*|*'list chain ip6 libvirt_network guest_input'*)
    printf '%s\\n' "==== $*" >> '${log}'
    printf '\\t\\tct status dnat jump virtnet_accept comment "virtnet" # handle 7\\n' ;;
esac
exit 0
`,
      0o755,
    )
    return {
      table: (forwards: ForwardRuleInput[]) => write(at.state, renderStateFile(forwards, backend)),
      /** Virtnet's apply; answers what the tools got, each call headed "==== tool". */
      apply: (...uuids: string[]) => {
        rmSync(log, { force: true })
        const result = spawnSync('timeout', ['-s', 'KILL', '15', 'dash', '-s', '--', 'apply', ...uuids], {
          input: hookScript(at, backend),
          encoding: 'utf8',
        })
        expect(result.status).toBe(0)
        return existsSync(log) ? readFileSync(log, 'utf8') : ''
      },
    }
  }
  const running = v4.guestUuid

  it('iptables: an IPv4-only table never runs ip6tables; an IPv6 forward gets its own ip6tables-restore batch', () => {
    const host = hookRoot('iptables')
    host.table([v4])
    expect(host.apply(running)).not.toContain('ip6tables')

    host.table([v4, v6])
    const calls = host.apply(running)
    const [ipv4Batch, ipv6Batch] = calls.split('==== ip6tables-restore\n')
    expect(ipv4Batch).toContain('--to-destination 192.168.77.10:80')
    expect(ipv4Batch).not.toContain('fd00:77::10')
    expect(ipv6Batch).toContain('-I PREROUTING 1 -m addrtype --dst-type LOCAL -j VIRTNET_DNAT')
    expect(ipv6Batch).toContain('-A VIRTNET_DNAT ! -d ::1/128 -p tcp -m tcp --dport 8080')
    expect(ipv6Batch).toContain('--to-destination [fd00:77::10]:80')
    expect(ipv6Batch).not.toContain('192.168.77.10')

    // The last IPv6 forward removed: one more batch drops the IPv6 chains, and then IPv6 is left alone again.
    host.table([v4])
    const cleanup = host.apply(running).split('==== ip6tables-restore\n')[1]
    expect(cleanup).toContain('-X VIRTNET_DNAT\n-X VIRTNET_SNAT\nCOMMIT')
    expect(cleanup).not.toContain('-A VIRTNET')
    expect(host.apply(running)).not.toContain('ip6tables')
  })

  it('nftables: one nft -f transaction holds both families; an IPv4-only table never touches ip6', () => {
    const host = hookRoot('nftables')
    host.table([v4])
    expect(host.apply(running)).not.toContain('ip6')

    host.table([v4, v6])
    const calls = host.apply(running)
    expect(calls.match(/==== nft -f/g)).toHaveLength(1)
    const batch = calls.split('==== nft -f\n')[1]!
    expect(batch).toContain('table ip6 virtnet\ndelete table ip6 virtnet\ntable ip6 virtnet {')
    expect(batch).toContain(`    ${nftForwardRules(v6)[0]!.rule}\n`)
    expect(batch).toContain('delete rule ip6 libvirt_network guest_input handle 7\n')
    expect(batch).toContain(`add rule ip6 libvirt_network virtnet_accept ${nftForwardRules(v6)[2]!.rule}\n`)
    expect(batch).toContain(
      'insert rule ip6 libvirt_network guest_input ct status dnat jump virtnet_accept comment "virtnet"\n',
    )
    expect(batch.indexOf('table ip virtnet {')).toBeLessThan(batch.indexOf('table ip6 virtnet {'))

    host.table([v4])
    const cleanup = host.apply(running).split('==== nft -f\n')[1]!
    expect(cleanup).toContain('delete table ip6 virtnet\n')
    expect(cleanup).not.toContain('table ip6 virtnet {')
    expect(cleanup).toContain('delete chain ip6 libvirt_network virtnet_accept')
    expect(host.apply(running)).not.toContain('ip6')
  })
})

describe('the add-forward form with IPv6', () => {
  const form = { hostId: 'h', guest: `${v4.guestUuid}/net`, protocol: 'tcp', hostPort: '8080', guestPort: '80' }
  const errors = (input: Record<string, string>) => {
    const result = AddForwardSchema.safeParse({ ...form, ...input })
    return result.success ? {} : result.error.flatten().fieldErrors
  }

  it('takes IPv6 host addresses and sources for an IPv6 forward, written as ip6tables prints them', () => {
    const parsed = AddForwardSchema.parse({
      ...form,
      family: 'ipv6',
      hostAddress: 'FD77:0:0::1',
      sourceCidrs: 'fd77::2, 2001:DB8:0::/32',
    })
    expect(parsed).toMatchObject({
      family: 'ipv6',
      hostAddress: 'fd77::1',
      sourceCidrs: ['fd77::2/128', '2001:db8::/32'],
    })
    expect(AddForwardSchema.parse(form)).toMatchObject({ family: 'ipv4', hostAddress: null, sourceCidrs: [] })
  })

  it("refuses the other family's addresses with the family's own message", () => {
    expect(errors({ sourceCidrs: 'fd77::/64', hostAddress: 'fd77::1' })).toEqual({
      sourceCidrs: ['"fd77::/64" is not an IPv4 subnet (address/prefix with no host bits set, such as 10.1.2.0/24).'],
      hostAddress: ['"fd77::1" is not an IPv4 address (four numbers from 0 to 255, such as 192.168.122.10).'],
    })
    expect(errors({ family: 'ipv6', sourceCidrs: '10.0.0.0/8', hostAddress: '10.0.0.1' })).toEqual({
      sourceCidrs: ['"10.0.0.0/8" is not an IPv6 subnet (address/prefix with no host bits set, such as fd00:1::/64).'],
      hostAddress: ['"10.0.0.1" is not an IPv6 address (such as fd00:1::10).'],
    })
    expect(errors({ family: 'ipv5' })).toEqual({ family: ['Choose IPv4 or IPv6.'] })
  })

  it('shows an address problem next to the problems of other fields', () => {
    expect(Object.keys(errors({ family: 'ipv6', hostPort: '70000', sourceCidrs: '10.0.0.0/8' })).sort()).toEqual([
      'hostPort',
      'sourceCidrs',
    ])
  })

  it('lets a self-service user choose the family too', () => {
    expect(SelfServiceAddSchema.parse({ ...form, family: 'ipv6', sourceCidrs: 'fd77::2' })).toMatchObject({
      family: 'ipv6',
      sourceCidrs: ['fd77::2/128'],
    })
  })
})

describe('the MAC inside a DUID', () => {
  it('reads DUID-LL and DUID-LLT over Ethernet, nothing else', () => {
    expect(macOfDuid('00:03:00:01:52:54:00:fa:15:01')).toBe('52:54:00:fa:15:01')
    expect(macOfDuid('0:3:0:1:52:54:0:FA:15:1')).toBe('52:54:00:fa:15:01')
    expect(macOfDuid('00:01:00:01:2c:1f:aa:bb:52:54:00:fa:15:01')).toBe('52:54:00:fa:15:01')
    expect(macOfDuid('00:02:00:00:ab:11:01:02')).toBeNull()
    expect(macOfDuid('00:03:00:06:52:54:00:fa:15:01')).toBeNull()
    expect(macOfDuid('00:03:00:01:52:54')).toBeNull()
    expect(macOfDuid(null)).toBeNull()
  })
})
