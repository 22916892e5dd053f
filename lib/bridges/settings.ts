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

/** Exits 0 when the host already clamps MSS with exactly this rule. */
export const mssClampingPresent = mss('-C')

/**
 * Host settings for bridged guests. bridge-nf: persisted in /etc/sysctl.d and applied with `sysctl -e -p` (-e: the
 * keys only exist while br_netfilter is loaded; without it bridged traffic skips iptables anyway). MSS clamping: a
 * mangle rule, added once (checked with -C); `mssPresent`: the host has the rule already, so there is no step (its
 * undo would delete a rule this plan did not add).
 */
export function bridgeSettingsPlan(options: {
  disableBridgeNetfilter: boolean
  mssClamping: boolean
  mssPresent?: boolean
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
  if (options.mssClamping && !options.mssPresent) {
    steps.push({
      label: 'Clamp TCP MSS to the path MTU for forwarded traffic',
      command: sh`${mss('-C')} 2>/dev/null || ${mss('-A')}`,
      undo: { label: 'Remove the MSS clamping rule', command: mss('-D') },
    })
  }
  return { title: 'Bridge host settings', steps }
}
