import 'server-only'
import { sh, type ShellCommand } from '@/lib/ssh'
import type { PlanStep } from '@/lib/plan/plan'
import type { HostBridgeChange } from '@/lib/bridges/host-bridge-scripts'

/*
 * Making a host bridge survive a reboot, per network stack: ifupdown (/etc/network/interfaces), NetworkManager
 * (nmcli connection profiles), or, for anything else, the exact files to install (systemd-networkd shown).
 */

export type NetworkStack = 'ifupdown' | 'networkmanager' | 'other'

/**
 * The stack that makes the bridge survive a reboot and, for ifupdown, the directory that holds `interfaces` and
 * `interfaces.d` (/etc/network unless a test points it at a directory of its own).
 */
export type Persistence = { stack: NetworkStack; ifupdownDir?: string }

export const detectStackCommand = sh`if command -v nmcli >/dev/null 2>&1 && [ "$(nmcli -t -f RUNNING general 2>/dev/null)" = running ]; then echo networkmanager; elif [ -f /etc/network/interfaces ] && command -v ifup >/dev/null 2>&1; then echo ifupdown; else echo other; fi`

export function parseStack(output: string): NetworkStack {
  const value = output.trim()
  return value === 'ifupdown' || value === 'networkmanager' ? value : 'other'
}

export function ifupdownStanza(change: HostBridgeChange): string {
  const v4 = change.moveAddresses ? change.addresses.filter((a) => a.family === 'ipv4') : []
  const gateway = change.moveAddresses ? change.routes.find((r) => r.dst === 'default')?.gateway : undefined
  const out = [`# Written by Virtnet: host bridge ${change.bridge} over ${change.nic}.`, `auto ${change.bridge}`]
  out.push(`iface ${change.bridge} inet ${v4.length ? 'static' : 'manual'}`)
  if (v4[0]) out.push(`    address ${v4[0].cidr}`)
  if (gateway && v4.length) out.push(`    gateway ${gateway}`)
  out.push(`    bridge_ports ${change.nic}`, '    bridge_stp off', '    bridge_fd 0', '    bridge_maxwait 0')
  for (const extra of v4.slice(1)) out.push(`    up ip addr add ${extra.cidr} dev ${change.bridge}`)
  out.push('', `iface ${change.nic} inet manual`)
  return `${out.join('\n')}\n`
}

export function networkdFiles(change: HostBridgeChange): Array<{ path: string; content: string }> {
  const addresses = change.moveAddresses ? change.addresses.map((a) => `Address=${a.cidr}`) : []
  const gateway = change.moveAddresses ? change.routes.find((r) => r.dst === 'default')?.gateway : undefined
  return [
    {
      path: `/etc/systemd/network/50-virtnet-${change.bridge}.netdev`,
      content: `[NetDev]\nName=${change.bridge}\nKind=bridge\n\n[Bridge]\nSTP=no\nForwardDelaySec=0\n`,
    },
    {
      path: `/etc/systemd/network/50-virtnet-${change.nic}.network`,
      content: `[Match]\nName=${change.nic}\n\n[Network]\nBridge=${change.bridge}\n`,
    },
    {
      path: `/etc/systemd/network/50-virtnet-${change.bridge}.network`,
      content: `[Match]\nName=${change.bridge}\n\n[Network]\n${[...addresses, ...(gateway ? [`Gateway=${gateway}`] : []), ...(addresses.length ? [] : ['LinkLocalAddressing=no'])].join('\n')}\n`,
    },
  ]
}

/** Plan steps that persist the bridge on the detected stack; empty for 'other' (the page shows networkdFiles). */
export function persistSteps(stack: NetworkStack, change: HostBridgeChange, ifupdownDir = '/etc/network'): PlanStep[] {
  const { bridge, nic } = change
  if (stack === 'ifupdown') {
    const interfaces = `${ifupdownDir}/interfaces`
    const stanza = `${ifupdownDir}/interfaces.d/virtnet-${bridge}`
    const backup = `${ifupdownDir}/interfaces.virtnet-${bridge}.bak`
    // The NIC's own stanza would fight the bridge at boot: comment it out (kept in a backup the undo restores).
    const commentOut: ShellCommand = sh`cp -p ${interfaces} ${backup} && awk -v nic=${nic} '($1 == "auto" || $1 == "allow-hotplug") { for (i = 2; i <= NF; i++) if ($i == nic) { print "# (Virtnet: now a port of the bridge) " $0; next } } $1 == "iface" { skip = ($2 == nic) } skip { print "# " $0; next } { print }' ${backup} > ${interfaces}`
    return [
      {
        label: `Comment out ${nic}'s own stanza in ${interfaces}`,
        command: commentOut,
        undo: { label: `Restore ${interfaces}`, command: sh`mv ${backup} ${interfaces}` },
      },
      {
        label: `Write ${stanza} (ifupdown)`,
        command: sh`mkdir -p ${`${ifupdownDir}/interfaces.d`} && cat > ${stanza}`,
        stdin: ifupdownStanza(change),
        undo: { label: `Remove ${stanza}`, command: sh`rm -f ${stanza}` },
      },
    ]
  }
  if (stack === 'networkmanager') {
    const v4 = change.moveAddresses ? change.addresses.filter((a) => a.family === 'ipv4').map((a) => a.cidr) : []
    const gateway = change.moveAddresses ? change.routes.find((r) => r.dst === 'default')?.gateway : undefined
    const ipv4 = v4.length
      ? ['ipv4.method', 'manual', 'ipv4.addresses', v4.join(','), ...(gateway ? ['ipv4.gateway', gateway] : [])]
      : ['ipv4.method', 'disabled']
    return [
      {
        label: `Add NetworkManager profile virtnet-${bridge}`,
        command: sh`nmcli connection add type bridge con-name ${`virtnet-${bridge}`} ifname ${bridge} bridge.stp no bridge.forward-delay 0 ${ipv4} connection.autoconnect yes`,
        undo: {
          label: `Delete profile virtnet-${bridge}`,
          command: sh`nmcli connection delete ${`virtnet-${bridge}`}`,
        },
      },
      {
        label: `Add NetworkManager port profile virtnet-${bridge}-${nic}`,
        command: sh`nmcli connection add type bridge-slave con-name ${`virtnet-${bridge}-${nic}`} ifname ${nic} master ${bridge} connection.autoconnect yes`,
        undo: {
          label: `Delete profile virtnet-${bridge}-${nic}`,
          command: sh`nmcli connection delete ${`virtnet-${bridge}-${nic}`}`,
        },
      },
    ]
  }
  return []
}
