import 'server-only'
import { sh, type ShellCommand } from '@/lib/ssh'

/*
 * The host-side scripts of a commit-confirm bridge change. Every line is built with the one quoting function and
 * the lines are joined into a file that travels on stdin; the host runs it detached (setsid), so a cut SSH path can
 * neither stop the change half-way nor stop the automatic revert.
 */

export type NicAddress = { family: 'ipv4' | 'ipv6'; cidr: string }
export type NicRoute = { dst: string; gateway: string; metric?: number }

export type HostBridgeChange = {
  bridge: string
  nic: string
  /** The NIC's MAC: the bridge takes it over so peers' ARP/ND caches stay valid. */
  mac: string | null
  /** Global addresses of the NIC. A bridge port carries no address: they leave the NIC either way. */
  addresses: NicAddress[]
  /** Routes with a gateway through the NIC (e.g. the default route), re-created on the bridge with the addresses. */
  routes: NicRoute[]
  /** true: the addresses move to the bridge (the host stays reachable); false: the bridge is a guest-only uplink. */
  moveAddresses: boolean
}

export const revertDir = '/run/virtnet'
export const paths = (bridge: string) => ({
  apply: `${revertDir}/bridge-${bridge}.apply`,
  revert: `${revertDir}/bridge-${bridge}.revert`,
  pid: `${revertDir}/bridge-${bridge}.revert.pid`,
  log: `${revertDir}/bridge-${bridge}.log`,
})

const lines = (commands: ShellCommand[]) => `${commands.map(String).join('\n')}\n`
const routeArgs = (route: NicRoute, dev: string) =>
  sh`${route.dst} via ${route.gateway} dev ${dev}${route.metric === undefined ? sh`` : sh` metric ${route.metric}`}`

export function applyScript(change: HostBridgeChange): string {
  const { bridge, nic } = change
  const commands: ShellCommand[] = [
    sh`set -e`,
    sh`ip link add name ${bridge} type bridge stp_state 0 forward_delay 0`,
    ...(change.mac ? [sh`ip link set dev ${bridge} address ${change.mac}`] : []),
  ]
  for (const a of change.addresses) commands.push(sh`ip addr del ${a.cidr} dev ${nic}`)
  commands.push(
    sh`ip link set dev ${nic} master ${bridge}`,
    sh`ip link set dev ${nic} up`,
    sh`ip link set dev ${bridge} up`,
  )
  if (change.moveAddresses) {
    for (const a of change.addresses) commands.push(sh`ip addr add ${a.cidr} dev ${bridge}`)
    for (const r of change.routes) commands.push(sh`ip route replace ${routeArgs(r, bridge)}`)
  }
  return lines(commands)
}

/** Undoes the change whatever state it reached (every line may fail harmlessly), then removes its own files. */
export function revertScript(change: HostBridgeChange): string {
  const { bridge, nic } = change
  const p = paths(bridge)
  const commands: ShellCommand[] = [
    sh`[ -n "$1" ] && sleep "$1"`,
    sh`ip link set dev ${nic} nomaster 2>/dev/null || true`,
    sh`ip link del dev ${bridge} 2>/dev/null || true`,
    sh`ip link set dev ${nic} up || true`,
    ...change.addresses.map((a) => sh`ip addr replace ${a.cidr} dev ${nic} || true`),
    ...change.routes.map((r) => sh`ip route replace ${routeArgs(r, nic)} || true`),
    sh`echo "$(date -u +%FT%TZ) reverted bridge" ${bridge} >> ${p.log}`,
    sh`rm -f ${p.pid} ${p.revert} ${p.apply}`,
  ]
  return lines(commands)
}

/** setsid: its own session, so neither the SSH session ending nor the SSH layer's process-group kill reaches it. */
export function scheduleRevertCommand(bridge: string, seconds: number): ShellCommand {
  const p = paths(bridge)
  return sh`setsid sh ${p.revert} ${seconds} >>${p.log} 2>&1 </dev/null & echo $! > ${p.pid}; echo "revert of" ${bridge} "scheduled in" ${seconds} "s (pid $(cat ${p.pid}))"`
}

/** Runs the revert at once, if it has not fired yet (then its script is gone). */
export function revertNowCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`if [ -e ${p.revert} ]; then kill -TERM -"$(cat ${p.pid})" 2>/dev/null; sh ${p.revert}; fi`
}

export function applyDetachedCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`setsid sh ${p.apply} >>${p.log} 2>&1 </dev/null & wait $!`
}

/** Succeeds only while the revert is still pending: confirming after it fired must not pretend the change holds. */
export function confirmCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`pid=$(cat ${p.pid} 2>/dev/null) && kill -0 "$pid" 2>/dev/null && kill -TERM -"$pid" && rm -f ${p.pid} ${p.revert} ${p.apply} && echo "revert cancelled"`
}

export function checkBridgeCommand(bridge: string, nic: string): ShellCommand {
  return sh`[ "$(basename "$(readlink /sys/class/net/${nic}/master)")" = ${bridge} ] && ip -br addr show dev ${bridge}`
}
