import { describe, expect, it } from 'vitest'
import { fixtureNames, readFixture } from '@/lib/test/fixtures/read-fixture'
import { parseBridgeLinks } from '@/lib/host-output/bridge-link-json'
import { parseDnsmasqHostsfile } from '@/lib/host-output/dnsmasq-hostsfile'
import { parseLeaseStatusFile } from '@/lib/host-output/dnsmasq-status'
import { parseIpAddresses } from '@/lib/host-output/ip-addr-json'
import { parseIpLinks } from '@/lib/host-output/ip-link-json'
import { parseIptablesVersion } from '@/lib/host-output/iptables-version'
import { ParseError } from '@/lib/core/errors'
import { parseSsListeners } from '@/lib/host-output/ss-listeners'
import { parseIpForward } from '@/lib/host-output/sysctl'
import { parseDomIfAddr } from '@/lib/host-output/virsh-domifaddr'
import { parseDomIfList } from '@/lib/host-output/virsh-domiflist'
import { parseDomInfo } from '@/lib/host-output/virsh-dominfo'
import { parseDomainList } from '@/lib/host-output/virsh-list'
import { parseNetDhcpLeases } from '@/lib/host-output/virsh-net-dhcp-leases'
import { parseNetInfo } from '@/lib/host-output/virsh-net-info'
import { parseNetList } from '@/lib/host-output/virsh-net-list'
import { parseVirshVersion } from '@/lib/host-output/virsh-version'
import { parseDomainInterfaces, parseDomainSummary } from '@/lib/libvirt-xml/domain-parse'
import { parseNetworkXml } from '@/lib/libvirt-xml/network-parse'

/*
 * Whatever a host sends back, a parser either returns a result or throws ParseError — never a
 * TypeError or RangeError from deep inside. Inputs: every recorded fixture cut at many points,
 * JSON of the wrong shape, and deterministic random noise.
 */

const PARSERS: Record<string, (input: string) => unknown> = {
  parseBridgeLinks,
  parseDnsmasqHostsfile,
  parseLeaseStatusFile,
  parseIpAddresses,
  parseIpLinks,
  parseIptablesVersion,
  parseSsListeners,
  parseIpForward,
  parseDomIfAddr,
  parseDomIfList,
  parseDomInfo,
  parseDomainList,
  parseNetDhcpLeases,
  parseNetInfo,
  parseNetList,
  parseVirshVersion,
  parseDomainInterfaces,
  parseDomainSummary,
  parseNetworkXml,
}

function noise(seed: number, length: number): string {
  const alphabet = ' \n\t-:/.,[]{}"\'<>=&;%()0123456789abcdefxyzNAMEStateId日\u0000'
  let x = seed
  let out = ''
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648
    out += alphabet[x % alphabet.length]
  }
  return out
}

const samples: string[] = [
  '',
  'null',
  '{}',
  '[1]',
  '[null]',
  '[{"ifindex":1,"ifname":"a","mtu":1,"addr_info":[null]}]',
  '[{"ifindex":"1"}]',
  '<network/>',
  '<domain><memory unit="x">1</memory></domain>',
  ...Array.from({ length: 40 }, (_, i) => noise(i + 1, 20 + i * 7)),
]
for (const file of fixtureNames('recorded').filter((f) => /\.(txt|json|xml|status|hostsfile)$/.test(f))) {
  const text = readFixture('recorded', file)
  for (let cut = 1; cut < text.length; cut += Math.max(1, Math.floor(text.length / 12)))
    samples.push(text.slice(0, cut))
}

describe('parsers fail only with ParseError', () => {
  for (const [name, parse] of Object.entries(PARSERS)) {
    it(name, () => {
      for (const input of samples) {
        try {
          parse(input)
        } catch (error) {
          if (!(error instanceof ParseError))
            throw new Error(`${name} threw ${String(error)} for ${JSON.stringify(input).slice(0, 120)}`)
          expect(error.message.length).toBeLessThan(400)
        }
      }
    })
  }
})
