import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { hookDigest, hookScript, type HookLocations } from '@/lib/forwards/hook-script'
import { computeNftDrift, type NftRuleset } from '@/lib/forwards/drift'
import {
  desiredNftRules,
  nftForwardRules,
  nftRuleComment,
  renderStateFile,
  stateFileLineOwners,
  type ForwardRuleInput,
} from '@/lib/forwards/rules'

const base: ForwardRuleInput = {
  id: 'f1',
  guestUuid: '6a1f0c3e-8d7b-4f2a-9c5e-1b2d3e4f5a6b',
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
const otherUuid = '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b'
const strip = (rule: string) => rule.replace(/ comment "[^"]*"$/, '')

describe('nftables forward rules', () => {
  it('DNATs in Virtnet table, masquerades hairpin traffic, and accepts only DNATed connections to the guest port', () => {
    expect(nftForwardRules(base).map((r) => ({ chain: r.chain, rule: strip(r.rule) }))).toEqual([
      { chain: 'dnat', rule: 'ip daddr != 127.0.0.0/8 tcp dport 8080 dnat to 192.168.122.10:80' },
      {
        chain: 'snat',
        rule: 'ip saddr 192.168.122.0/24 ip daddr 192.168.122.10 tcp dport 80 ct status dnat masquerade',
      },
      { chain: 'accept', rule: 'oifname "virbr0" ip daddr 192.168.122.10 tcp dport 80 ct status dnat accept' },
    ])
  })

  it('keeps a range, binds to one host address and limits sources with one set', () => {
    const rules = nftForwardRules({
      ...base,
      protocol: 'udp',
      hostPortStart: 9000,
      hostPortEnd: 9010,
      guestPortStart: 9000,
      guestPortEnd: 9010,
      hostAddress: '10.77.0.6',
      sourceCidrs: ['10.0.0.0/8', '192.0.2.7/32'],
    })
    expect(strip(rules[0]!.rule)).toBe(
      'ip saddr { 10.0.0.0/8, 192.0.2.7/32 } ip daddr 10.77.0.6 udp dport 9000-9010 dnat to 192.168.122.10',
    )
    expect(strip(rules[2]!.rule)).toBe(
      'ip saddr { 10.0.0.0/8, 192.0.2.7/32 } oifname "virbr0" ip daddr 192.168.122.10 udp dport 9000-9010 ct status dnat accept',
    )
  })

  it('ends every rule in a comment naming the forward and a digest of the rule', () => {
    for (const { rule } of nftForwardRules(base)) {
      expect(rule).toMatch(/ comment "vn:f1:[0-9a-f]{10}"$/)
      expect(rule.endsWith(`comment "${nftRuleComment('f1', strip(rule))}"`)).toBe(true)
    }
    const moved = nftForwardRules({ ...base, guestIp: '192.168.122.11' })
    expect(moved[0]!.rule.slice(-13)).not.toBe(nftForwardRules(base)[0]!.rule.slice(-13))
  })

  it('writes a state file of its own form, with an owner for every line', () => {
    const file = renderStateFile([base, { ...base, id: 'f2', guestUuid: otherUuid }], 'nftables').split('\n')
    expect(file[0]).toContain('format 1 (nftables)')
    expect(file[1]).toMatch(new RegExp(`^R ${base.guestUuid} dnat ip daddr`))
    expect(file).toHaveLength(8)
    expect(stateFileLineOwners([base], 'nftables')).toEqual([null, '(no owner)', '(no owner)', '(no owner)', null])
  })
})

describe('nftables drift', () => {
  const desired = desiredNftRules([base], new Set([base.guestUuid]))
  const comment = (chain: string) => /comment "([^"]+)"$/.exec(desired.find((r) => r.chain === chain)!.rule)![1]!
  const jump = (target: string) => [{ jump: { target } }]
  const rule = (table: string, chain: string, handle: number, extra: object = {}) => ({
    rule: { family: 'ip', table, chain, handle, ...extra },
  })
  const healthy = (): NftRuleset => ({
    nftables: [
      { table: { family: 'ip', name: 'virtnet' } },
      { chain: { family: 'ip', table: 'virtnet', name: 'prerouting', hook: 'prerouting' } },
      { chain: { family: 'ip', table: 'virtnet', name: 'output', hook: 'output' } },
      rule('virtnet', 'forwards', 1, { comment: comment('dnat') }),
      rule('virtnet', 'prerouting', 2, { expr: jump('forwards') }),
      rule('virtnet', 'output', 3, { expr: jump('forwards') }),
      rule('virtnet', 'postrouting', 4, { comment: comment('snat') }),
      rule('libvirt_network', 'guest_input', 20, { comment: 'virtnet', expr: jump('virtnet_accept') }),
      rule('libvirt_network', 'guest_input', 10, { expr: [{ reject: null }] }),
      rule('libvirt_network', 'virtnet_accept', 21, { comment: comment('accept') }),
    ],
  })

  it('is empty when the host has the wanted rules and the jump first in guest_input', () => {
    expect(computeNftDrift(desired, healthy())).toEqual({ missing: [], foreign: [], jumpProblems: [] })
  })

  it('finds a missing rule, a foreign one, and the jump behind libvirt rejects', () => {
    const ruleset = healthy()
    ruleset.nftables = ruleset.nftables.filter((i) => i.rule?.chain !== 'virtnet_accept')
    ruleset.nftables.push(rule('virtnet', 'forwards', 9, { comment: 'vn:gone:0123456789' }))
    const [ourJump, reject] = [ruleset.nftables[7]!, ruleset.nftables[8]!]
    ruleset.nftables[7] = reject
    ruleset.nftables[8] = ourJump
    const drift = computeNftDrift(desired, ruleset)
    expect(drift.missing).toEqual([{ table: 'libvirt_network virtnet_accept', rule: desired[2]!.rule }])
    expect(drift.foreign).toEqual([{ table: 'virtnet forwards', rule: 'handle 9 comment "vn:gone:0123456789"' }])
    expect(drift.jumpProblems).toEqual([
      "The jump to virtnet_accept is rule 2 of libvirt's guest_input: libvirt's rejects come first.",
    ])
  })

  it('reports what is left when no forward is', () => {
    const drift = computeNftDrift([], healthy())
    expect(drift.jumpProblems).toHaveLength(2)
    expect(drift.foreign).toHaveLength(3)
  })
})

/*
 * The nftables hook under dash in a temporary root, as hook-script.test.ts does for iptables: `nft` is a small
 * executable that lists a guest_input chain holding one old jump of Virtnet's (handle 7) and keeps the batch it gets.
 */
describe('nftables hook', () => {
  const roots: string[] = []
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })))

  function hookRoot() {
    const root = mkdtempSync(join(tmpdir(), 'vnnft-hook-'))
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
    const batch = join(root, 'batch')
    const write = (path: string, content: string, mode = 0o644) => {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      chmodSync(path, mode)
    }
    write(
      join(at.path, 'nft'),
      `#!/bin/sh
case "$*" in
  '-f -') cat > '${batch}' ;;
  *'list chain ip libvirt_network guest_input'*)
    printf 'table ip libvirt_network {\\n\\tchain guest_input {\\n'
    printf '\\t\\toifname "virbr9" counter reject # handle 3\\n'
    printf '\\t\\tct status dnat jump virtnet_accept comment "virtnet" # handle 7\\n\\t}\\n}\\n' ;;
esac
exit 0`,
      0o755,
    )
    write(at.state, renderStateFile([base, { ...base, id: 'f2', guestUuid: otherUuid }], 'nftables'))
    const apply = (...uuids: string[]) => {
      const result = spawnSync('dash', ['-s', '--', 'apply', ...uuids], {
        input: hookScript(at, 'nftables'),
        encoding: 'utf8',
      })
      return { status: result.status, batch: readFileSync(batch, 'utf8') }
    }
    return { apply }
  }

  it('is a script of its own, valid POSIX sh, applied with one nft -f', () => {
    const script = hookScript(undefined, 'nftables')
    execFileSync('dash', ['-n'], { input: script })
    expect(hookDigest(script)).not.toBe(hookDigest())
    expect(script.match(/nft -f/g)).toHaveLength(1)
    expect(script).not.toMatch(/iptables/)
  })

  it("rebuilds Virtnet's table with the running guest's rules and moves its jump to the top of guest_input", () => {
    const { status, batch } = hookRoot().apply(base.guestUuid)
    expect(status).toBe(0)
    const lines = batch.split('\n')
    expect(lines.slice(0, 2)).toEqual(['table ip virtnet', 'delete table ip virtnet'])
    expect(batch).toContain(`    ${nftForwardRules(base)[0]!.rule}\n`)
    expect(batch).not.toContain('vn:f2:')
    expect(batch).toContain('delete rule ip libvirt_network guest_input handle 7\n')
    expect(batch).not.toContain('handle 3')
    expect(batch).toContain(`add rule ip libvirt_network virtnet_accept ${nftForwardRules(base)[2]!.rule}\n`)
    expect(lines.filter(Boolean).at(-1)).toBe(
      'insert rule ip libvirt_network guest_input ct status dnat jump virtnet_accept comment "virtnet"',
    )
  })

  it('leaves nothing of Virtnet behind when no guest with forwards runs', () => {
    const { status, batch } = hookRoot().apply()
    expect(status).toBe(0)
    expect(batch).not.toContain('vn:')
    expect(batch).toContain('delete rule ip libvirt_network guest_input handle 7\n')
    expect(batch.trim().split('\n').at(-1)).toBe('delete chain ip libvirt_network virtnet_accept')
    expect(batch).not.toContain('insert rule')
  })
})
