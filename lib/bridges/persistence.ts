import 'server-only'
import { sh, type ShellCommand } from '@/lib/ssh'
import type { PlanStep } from '@/lib/plan/plan'
import type { HostBridgeChange } from '@/lib/bridges/host-bridge-scripts'

/*
 * Making a host bridge survive a reboot, per network stack: ifupdown (/etc/network/interfaces), NetworkManager
 * (nmcli connection profiles), netplan (a file of Virtnet's own under /etc/netplan, checked by `netplan generate`),
 * systemd-networkd (its own .netdev/.network files and a reload), or, for anything else, the exact files to install
 * (systemd-networkd shown).
 */

export type NetworkStack = 'ifupdown' | 'networkmanager' | 'netplan' | 'networkd' | 'other'

/**
 * The stack that makes the bridge survive a reboot and, for ifupdown, the directory that holds `interfaces` and
 * `interfaces.d` (/etc/network unless a test points it at a directory of its own).
 */
export type Persistence = { stack: NetworkStack; ifupdownDir?: string }

/*
 * NetworkManager when it runs (netplan may render to it; its profiles are what persists); then netplan when the host
 * configures its network with netplan files; then ifupdown; then systemd-networkd when it runs or has files of its own.
 */
export const detectStackCommand = sh`if command -v nmcli >/dev/null 2>&1 && [ "$(nmcli -t -f RUNNING general 2>/dev/null)" = running ]; then echo networkmanager; elif command -v netplan >/dev/null 2>&1 && ls /etc/netplan/*.yaml >/dev/null 2>&1; then echo netplan; elif [ -f /etc/network/interfaces ] && command -v ifup >/dev/null 2>&1; then echo ifupdown; elif [ -d /run/systemd/netif ] || ls /etc/systemd/network/*.network >/dev/null 2>&1; then echo networkd; else echo other; fi`

const stacks: NetworkStack[] = ['ifupdown', 'networkmanager', 'netplan', 'networkd']
export function parseStack(output: string): NetworkStack {
  const value = output.trim() as NetworkStack
  return stacks.includes(value) ? value : 'other'
}

/** Virtnet's own netplan file for a bridge: sorts after the distribution's (00-installer, 50-cloud-init), so it wins. */
export const netplanPath = (bridge: string) => `/etc/netplan/90-virtnet-${bridge}.yaml`

/**
 * The bridge in netplan's YAML (JSON is YAML): the NIC without addresses or DHCP of its own, the bridge with the NIC's
 * addresses and default route when they move.
 */
export function netplanYaml(change: HostBridgeChange): string {
  const addresses = change.moveAddresses ? change.addresses.map((a) => a.cidr) : []
  const gateway = change.moveAddresses ? change.routes.find((r) => r.dst === 'default')?.gateway : undefined
  const bridge: Record<string, unknown> = {
    interfaces: [change.nic],
    parameters: { stp: false, 'forward-delay': 0 },
    dhcp4: false,
    dhcp6: false,
    ...(addresses.length ? { addresses } : { 'link-local': [] }),
    ...(gateway && addresses.length ? { routes: [{ to: 'default', via: gateway }] } : {}),
  }
  const config = {
    network: {
      version: 2,
      ethernets: { [change.nic]: { dhcp4: false, dhcp6: false } },
      bridges: { [change.bridge]: bridge },
    },
  }
  return `# Written by Virtnet: host bridge ${change.bridge} over ${change.nic}.\n${JSON.stringify(config, null, 2)}\n`
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
  if (stack === 'netplan') {
    const file = netplanPath(bridge)
    // netplan merges every file: the NIC must keep no static address from another one (it moved to the bridge). A
    // failed step is not undone by the executor, so it takes its own file out again before it fails.
    const refuse = sh`{ rm -f ${file}; netplan generate; echo ${`${nic} still has static addresses in another file under /etc/netplan; move them to the bridge there first`} >&2; exit 1; }`
    const check = sh`{ test "$(netplan get ${`ethernets.${nic}.addresses`} 2>/dev/null)" = null || ${refuse}; }`
    return [
      {
        label: `Write ${file} (netplan) and check it with netplan generate`,
        command: sh`mkdir -p /etc/netplan && cat > ${file}.tmp && chmod 600 ${file}.tmp && mv -f ${file}.tmp ${file} && { netplan generate || { rm -f ${file}; netplan generate; exit 1; }; } && ${check}`,
        stdin: netplanYaml(change),
        undo: { label: `Remove ${file}`, command: sh`rm -f ${file} && netplan generate` },
      },
    ]
  }
  if (stack === 'networkd') {
    // Only a running networkd is told; one that starts later reads the files anyway.
    const reload = sh`if [ -d /run/systemd/netif ] && command -v networkctl >/dev/null 2>&1; then networkctl reload; fi`
    return networkdFiles(change).map((file, index, all) => ({
      label: `Write ${file.path} (systemd-networkd)${index === all.length - 1 ? ' and reload networkd' : ''}`,
      command:
        index === all.length - 1
          ? sh`mkdir -p /etc/systemd/network && cat > ${file.path} && ${reload}`
          : sh`mkdir -p /etc/systemd/network && cat > ${file.path}`,
      stdin: file.content,
      undo: { label: `Remove ${file.path}`, command: sh`rm -f ${file.path} && ${reload}` },
    }))
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
