import { describe, expect, it } from 'vitest'
import {
  applyScript,
  confirmCommand,
  revertScript,
  scheduleRevertCommand,
  type HostBridgeChange,
} from '@/lib/bridges/host-bridge-scripts'
import { ifupdownStanza, networkdFiles, parseStack, persistSteps } from '@/lib/bridges/persistence'
import { hostBridgePlan } from '@/lib/bridges/changes'
import { parseGatewayRoutes, parseSysfsFlags } from '@/lib/bridges/inventory'
import { bridgeSettingsPlan, mssNftTable, parseMssProbe } from '@/lib/bridges/settings'
import { describePlan } from '@/lib/plan/plan'

const change: HostBridgeChange = {
  bridge: 'br0',
  nic: 'eno1',
  mac: '54:b2:03:11:22:33',
  addresses: [{ family: 'ipv4', cidr: '192.0.2.10/24' }],
  routes: [{ dst: 'default', gateway: '192.0.2.1', metric: 100 }],
  moveAddresses: true,
}

describe('host bridge scripts', () => {
  it('builds the bridge with the NIC MAC, then moves the address and the default route to it', () => {
    expect(applyScript(change)).toBe(
      [
        'set -e',
        'ip link add name br0 type bridge stp_state 0 forward_delay 0',
        'ip link set dev br0 address 54:b2:03:11:22:33',
        'ip addr del 192.0.2.10/24 dev eno1',
        'ip link set dev eno1 master br0',
        'ip link set dev eno1 up',
        'ip link set dev br0 up',
        'ip addr add 192.0.2.10/24 dev br0',
        'ip route replace default via 192.0.2.1 dev br0 metric 100',
        '',
      ].join('\n'),
    )
  })

  it('a guest-only uplink drops the address from the host; the revert puts address and route back either way', () => {
    const uplink = applyScript({ ...change, moveAddresses: false })
    expect(uplink).toContain('ip addr del 192.0.2.10/24 dev eno1')
    expect(uplink).not.toContain('dev br0 metric')
    const revert = revertScript({ ...change, moveAddresses: false })
    expect(revert).toContain('ip link del dev br0')
    expect(revert).toContain('ip addr replace 192.0.2.10/24 dev eno1 || true')
    expect(revert).toContain('ip route replace default via 192.0.2.1 dev eno1 metric 100 || true')
  })

  it('schedules the revert before changing anything, confirms over a new connection, and only then persists', () => {
    const plan = hostBridgePlan(change, { stack: 'ifupdown' }, 60)
    const labels = describePlan(plan).map((s) => s.label)
    expect(labels).toEqual([
      'Write the revert script',
      'Write the change script',
      'Schedule the automatic revert on the host in 60 s (fires unless Virtnet confirms)',
      'Create bridge br0 over eno1 and move 192.0.2.10/24 to it (runs detached on the host)',
      'Check that the host still answers over SSH with eno1 on br0',
      'Confirm over a new SSH connection: cancel the automatic revert',
      "Comment out eno1's own stanza in /etc/network/interfaces",
      'Write /etc/network/interfaces.d/virtnet-br0 (ifupdown)',
      'Remove the change and revert scripts',
    ])
    expect(plan.steps[5]!.newConnection).toBe(true)
    // a persisting step that fails takes the confirmed change back
    expect(String(plan.steps[5]!.undo!.command)).toBe(
      'mv /run/virtnet/bridge-br0.confirmed /run/virtnet/bridge-br0.rolling-back && sh /run/virtnet/bridge-br0.revert claimed && echo "reverted" br0',
    )
    // failing after the schedule reverts at once when the host still answers
    expect(String(plan.steps[2]!.undo!.command)).toMatch(
      /^if mv \/run\/virtnet\/bridge-br0\.armed \/run\/virtnet\/bridge-br0\.rolling-back 2>\/dev\/null; then .*; sh \/run\/virtnet\/bridge-br0\.revert claimed/,
    )
  })

  it('confirm and revert each claim the one marker by renaming it; the loser stands down and the confirm says why', () => {
    const revert = revertScript(change).split('\n')
    expect(revert.slice(0, 4)).toEqual([
      'if [ "$1" != claimed ]; then',
      '  sleep "$1"',
      '  mv /run/virtnet/bridge-br0.armed /run/virtnet/bridge-br0.rolling-back 2>/dev/null || { echo "$(date -u +%FT%TZ)" "revert of" br0 "not run: it was confirmed (or another revert runs)" >> /run/virtnet/bridge-br0.log; exit 0; }',
      'fi',
    ])
    // the revert removes everything the change wrote, then records its outcome
    expect(revert.slice(-4)).toEqual([
      'rm -f /run/virtnet/bridge-br0.revert.pid /run/virtnet/bridge-br0.apply /run/virtnet/bridge-br0.revert',
      'mv /run/virtnet/bridge-br0.rolling-back /run/virtnet/bridge-br0.rolled-back',
      'echo "$(date -u +%FT%TZ)" "reverted bridge" br0 >> /run/virtnet/bridge-br0.log',
      '',
    ])
    const confirm = String(confirmCommand('br0'))
    expect(confirm).toMatch(
      /^if mv \/run\/virtnet\/bridge-br0\.armed \/run\/virtnet\/bridge-br0\.confirmed 2>\/dev\/null; then/,
    )
    expect(confirm).toContain('"Too late to confirm" br0": the automatic revert started first')
    expect(String(scheduleRevertCommand('br0', 60))).toMatch(
      /^touch \/run\/virtnet\/bridge-br0\.armed \|\| exit 1; setsid sh/,
    )
  })

  it('persists ifupdown under the directory it is given', () => {
    const steps = describePlan({ title: '', steps: persistSteps('ifupdown', change, '/srv/test/network') })
    expect(steps.map((s) => s.label)).toEqual([
      "Comment out eno1's own stanza in /srv/test/network/interfaces",
      'Write /srv/test/network/interfaces.d/virtnet-br0 (ifupdown)',
    ])
    expect(steps[1]!.command).toBe(
      'mkdir -p /srv/test/network/interfaces.d && cat > /srv/test/network/interfaces.d/virtnet-br0',
    )
  })

  it('persists for ifupdown, NetworkManager, and shows systemd-networkd files for anything else', () => {
    expect(ifupdownStanza(change)).toBe(
      '# Written by Virtnet: host bridge br0 over eno1.\nauto br0\niface br0 inet static\n    address 192.0.2.10/24\n    gateway 192.0.2.1\n    bridge_ports eno1\n    bridge_stp off\n    bridge_fd 0\n    bridge_maxwait 0\n\niface eno1 inet manual\n',
    )
    expect(describePlan({ title: '', steps: persistSteps('networkmanager', change) }).map((s) => s.command)).toEqual([
      'nmcli connection add type bridge con-name virtnet-br0 ifname br0 bridge.stp no bridge.forward-delay 0 ipv4.method manual ipv4.addresses 192.0.2.10/24 ipv4.gateway 192.0.2.1 connection.autoconnect yes',
      'nmcli connection add type bridge-slave con-name virtnet-br0-eno1 ifname eno1 master br0 connection.autoconnect yes',
    ])
    expect(persistSteps('other', change)).toEqual([])
    expect(networkdFiles(change).map((f) => f.path)).toEqual([
      '/etc/systemd/network/50-virtnet-br0.netdev',
      '/etc/systemd/network/50-virtnet-eno1.network',
      '/etc/systemd/network/50-virtnet-br0.network',
    ])
    expect(networkdFiles(change)[2]!.content).toContain('Address=192.0.2.10/24\nGateway=192.0.2.1')
    expect(parseStack('ifupdown\n')).toBe('ifupdown')
    expect(parseStack('')).toBe('other')
  })

  it('reads wireless/physical flags and gateway routes', () => {
    expect(parseSysfsFlags('wlp2s0 wireless physical\neno1 - physical\nveth0 - -\n').get('wlp2s0')).toEqual({
      wireless: true,
      physical: true,
    })
    const routes =
      '[{"dst":"default","gateway":"192.0.2.1","dev":"eno1","protocol":"static","metric":100,"flags":[]},{"dst":"192.0.2.0/24","dev":"eno1","protocol":"kernel","scope":"link","prefsrc":"192.0.2.10","flags":[]}]'
    expect(parseGatewayRoutes(routes, 'eno1')).toEqual([{ dst: 'default', gateway: '192.0.2.1', metric: 100 }])
    expect(parseGatewayRoutes(routes, 'br0')).toEqual([])
  })

  it('bridge-netfilter sysctls go to /etc/sysctl.d; MSS clamping is added once', () => {
    const steps = describePlan(bridgeSettingsPlan({ disableBridgeNetfilter: true, mssClamping: true }))
    expect(steps[0]!.command).toBe(
      'cat > /etc/sysctl.d/90-virtnet-bridge-nf.conf && sysctl -e -p /etc/sysctl.d/90-virtnet-bridge-nf.conf',
    )
    expect(steps[1]!.command).toBe(
      'iptables -t mangle -C FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu 2>/dev/null || iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    )
  })

  it('MSS clamping on a host without iptables is one nft transaction into a table of its own, undone by deleting it', () => {
    const [step] = describePlan(
      bridgeSettingsPlan({ disableBridgeNetfilter: false, mssClamping: true, mssTool: 'nftables' }),
      { withInput: true },
    )
    expect(step!.command).toBe('nft -f -')
    expect(step!.input).toBe(mssNftTable)
    expect(step!.undo).toBe('nft delete table inet virtnet_bridge')
    expect(
      bridgeSettingsPlan({ disableBridgeNetfilter: false, mssClamping: true, mssTool: 'nftables', mssPresent: true })
        .steps,
    ).toEqual([])
  })

  it('reads the MSS probe: the tool the host has and whether the rule is there', () => {
    expect(parseMssProbe('iptables\npresent\n')).toEqual({ tool: 'iptables', present: true })
    expect(parseMssProbe('nftables\n')).toEqual({ tool: 'nftables', present: false })
    expect(parseMssProbe('none\n')).toEqual({ tool: 'none', present: false })
  })
})
