import 'server-only'
import { sh } from '@/lib/ssh'
import type { Plan, PlanStep } from '@/lib/plan/plan'

export const bridgeNfPath = '/etc/sysctl.d/90-virtnet-bridge-nf.conf'
export const bridgeNfKeys = [
  'net.bridge.bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables',
  'net.bridge.bridge-nf-call-arptables',
] as const

export const bridgeNfConf = `# Written by Virtnet: traffic between guests on a host bridge is not passed through the host's
# iptables/ip6tables/arptables (br_netfilter), so host firewall rules cannot drop bridged guest traffic.
${bridgeNfKeys.map((key) => `${key} = 0`).join('\n')}
`

const mssRule = [
  '-t',
  'mangle',
  'FORWARD',
  '-p',
  'tcp',
  '--tcp-flags',
  'SYN,RST',
  'SYN',
  '-j',
  'TCPMSS',
  '--clamp-mss-to-pmtu',
] as const
const mss = (op: '-C' | '-A' | '-D') => sh`iptables ${mssRule[0]} ${mssRule[1]} ${op} ${mssRule.slice(2)}`

/**
 * The same clamp in nftables terms, in a table of Virtnet's own (forward hook, mangle priority, which is where
 * iptables' mangle FORWARD sits): for hosts without iptables, such as Debian 13 with libvirt's nftables backend
 * (its network driver depends on iptables or nftables).
 */
export const mssTable = 'virtnet_bridge'
const mssMarker = 'maxseg size set rt mtu'
export const mssNftTable = `table inet ${mssTable} {
  chain forward {
    type filter hook forward priority mangle; policy accept;
    tcp flags syn / syn,rst tcp option ${mssMarker} comment "Virtnet: clamp TCP MSS to the path MTU"
  }
}
`

/** How the host clamps MSS: with iptables where it has iptables, else with nft; 'none' when it has neither. */
export type MssTool = 'iptables' | 'nftables' | 'none'

/**
 * One round trip: the tool (the capability, not the distribution's version) and whether the host already clamps MSS
 * with exactly this rule ("present" on a second line).
 */
export const mssClampingProbe = sh`if command -v iptables >/dev/null 2>&1; then echo iptables; ${mss('-C')} 2>/dev/null && echo present; elif command -v nft >/dev/null 2>&1; then echo nftables; nft list table inet ${mssTable} 2>/dev/null | grep -qF ${mssMarker} && echo present; else echo none; fi; true`

export function parseMssProbe(output: string): { tool: MssTool; present: boolean } {
  const [first = '', second = ''] = output.trim().split('\n')
  const tool: MssTool = first === 'iptables' || first === 'nftables' ? first : 'none'
  return { tool, present: tool !== 'none' && second.trim() === 'present' }
}

/**
 * Host settings for bridged guests. bridge-nf: persisted in /etc/sysctl.d and applied with `sysctl -e -p` (-e: the
 * keys only exist while br_netfilter is loaded; without it bridged traffic skips iptables anyway). MSS clamping: a
 * mangle rule, added once (checked with -C), or on a host without iptables (`mssTool: 'nftables'`) the same rule in
 * Virtnet's own nftables table, whose undo deletes the table; `mssPresent`: the host has the rule already, so there is
 * no step (its undo would delete a rule this plan did not add).
 */
export function bridgeSettingsPlan(options: {
  disableBridgeNetfilter: boolean
  mssClamping: boolean
  mssPresent?: boolean
  mssTool?: Exclude<MssTool, 'none'>
}): Plan {
  const steps: PlanStep[] = []
  if (options.disableBridgeNetfilter) {
    steps.push({
      label: `Write ${bridgeNfPath} and apply it`,
      command: sh`cat > ${bridgeNfPath} && sysctl -e -p ${bridgeNfPath}`,
      stdin: bridgeNfConf,
      undo: {
        label: `Remove ${bridgeNfPath} and turn bridge-nf back on`,
        command: sh`rm -f ${bridgeNfPath} && sysctl -e -w ${bridgeNfKeys.map((k) => `${k}=1`)}`,
      },
    })
  }
  if (options.mssClamping && !options.mssPresent && options.mssTool === 'nftables') {
    steps.push({
      label: `Clamp TCP MSS to the path MTU for forwarded traffic (nftables table inet ${mssTable})`,
      command: sh`nft -f -`,
      stdin: mssNftTable,
      undo: { label: `Remove table inet ${mssTable}`, command: sh`nft delete table inet ${mssTable}` },
    })
  } else if (options.mssClamping && !options.mssPresent) {
    steps.push({
      label: 'Clamp TCP MSS to the path MTU for forwarded traffic',
      command: sh`${mss('-C')} 2>/dev/null || ${mss('-A')}`,
      undo: { label: 'Remove the MSS clamping rule', command: mss('-D') },
    })
  }
  return { title: 'Bridge host settings', steps }
}
