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
export const paths = (bridge: string) => {
  const base = `${revertDir}/bridge-${bridge}`
  return {
    apply: `${base}.apply`,
    revert: `${base}.revert`,
    pid: `${base}.revert.pid`,
    log: `${base}.log`,
    /*
     * One state marker whose name is the state. Confirm and revert each try to rename it away from `armed`;
     * rename(2) is atomic, so exactly one of them wins and the other sees the marker's new name and stands down.
     * (No flock: rename needs nothing beyond mv, on any host.)
     */
    armed: `${base}.armed`,
    confirmed: `${base}.confirmed`,
    rollingBack: `${base}.rolling-back`,
    rolledBack: `${base}.rolled-back`,
  }
}

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

const timestamp = sh`"$(date -u +%FT%TZ)"`

/** Stops the sleeping automatic revert, but only the process the pid file names (a pid may be reused). */
function stopSleeper(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`{ pid=$(cat ${p.pid} 2>/dev/null) && grep -qF ${p.revert} /proc/"$pid"/cmdline 2>/dev/null && kill -TERM -"$pid" 2>/dev/null; rm -f ${p.pid}; }`
}

/**
 * Undoes the change whatever state it reached (every line may fail harmlessly), then removes the files the change
 * wrote. `$1` is the delay of the automatic revert: after it, the revert must win the marker (armed → rolling-back)
 * or stand down, because the change was confirmed. `$1 = claimed`: the caller already won the marker.
 */
export function revertScript(change: HostBridgeChange): string {
  const { bridge, nic } = change
  const p = paths(bridge)
  const commands: ShellCommand[] = [
    sh`if [ "$1" != claimed ]; then`,
    sh`  sleep "$1"`,
    sh`  mv ${p.armed} ${p.rollingBack} 2>/dev/null || { echo ${timestamp} "revert of" ${bridge} "not run: it was confirmed (or another revert runs)" >> ${p.log}; exit 0; }`,
    sh`fi`,
    sh`ip link set dev ${nic} nomaster 2>/dev/null || true`,
    sh`ip link del dev ${bridge} 2>/dev/null || true`,
    sh`ip link set dev ${nic} up || true`,
    ...change.addresses.map((a) => sh`ip addr replace ${a.cidr} dev ${nic} || true`),
    ...change.routes.map((r) => sh`ip route replace ${routeArgs(r, nic)} || true`),
    sh`rm -f ${p.pid} ${p.apply} ${p.revert}`,
    sh`mv ${p.rollingBack} ${p.rolledBack}`,
    sh`echo ${timestamp} "reverted bridge" ${bridge} >> ${p.log}`,
  ]
  return lines(commands)
}

/**
 * Before writing a change's scripts: refuses while another change of the same bridge is armed or reverting (its
 * marker must not be overwritten), and forgets the outcome of an earlier one.
 */
export function prepareCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`mkdir -p ${revertDir} && if [ -e ${p.armed} ] || [ -e ${p.rollingBack} ]; then echo "Another change of" ${bridge} "is still waiting for its confirm or being reverted on this host (see" ${p.log}")." >&2; exit 1; fi && rm -f ${p.confirmed} ${p.rolledBack}`
}

/** Arms the marker, then starts the revert in its own session (setsid): the SSH session ending cannot stop it. */
export function scheduleRevertCommand(bridge: string, seconds: number | string): ShellCommand {
  const p = paths(bridge)
  return sh`touch ${p.armed} || exit 1; setsid sh ${p.revert} ${seconds} >>${p.log} 2>&1 </dev/null & echo $! > ${p.pid}; echo "revert of" ${bridge} "scheduled in" ${seconds} "s (pid $(cat ${p.pid}))"`
}

/** Reverts at once unless the change was confirmed; when the automatic revert already runs, waits for it. */
export function revertNowCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`if mv ${p.armed} ${p.rollingBack} 2>/dev/null; then ${stopSleeper(bridge)}; sh ${p.revert} claimed && echo "reverted" ${bridge}; elif [ -e ${p.rollingBack} ] || [ -e ${p.rolledBack} ]; then i=0; while [ -e ${p.rollingBack} ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done; if [ -e ${p.rolledBack} ]; then echo "the automatic revert of" ${bridge} "had already started; it has finished"; else echo "The automatic revert of" ${bridge} "is still running (see" ${p.log}")." >&2; exit 1; fi; elif [ -e ${p.confirmed} ]; then echo ${bridge} "was confirmed: not reverted." >&2; exit 1; else echo "no revert of" ${bridge} "is armed: nothing to revert"; fi`
}

/** The undo of the confirm: takes a confirmed change back (a later step failed). */
export function revertConfirmedCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`mv ${p.confirmed} ${p.rollingBack} && sh ${p.revert} claimed && echo "reverted" ${bridge}`
}

export function applyDetachedCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`setsid sh ${p.apply} >>${p.log} 2>&1 </dev/null & wait $!`
}

/**
 * Wins the marker (armed → confirmed) and stops the sleeping revert. Loses, and says so, when the revert started
 * first: confirming then must neither stop a revert half-way nor pretend the change holds.
 */
export function confirmCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`if mv ${p.armed} ${p.confirmed} 2>/dev/null; then ${stopSleeper(bridge)}; echo "revert cancelled:" ${bridge} "is confirmed"; elif [ -e ${p.rollingBack} ] || [ -e ${p.rolledBack} ]; then echo "Too late to confirm" ${bridge}": the automatic revert started first, so the bridge is removed and the host goes back to its previous network configuration." >&2; exit 1; elif [ -e ${p.confirmed} ]; then echo ${bridge} "was already confirmed"; else echo "Nothing to confirm: no automatic revert of" ${bridge} "is armed on this host." >&2; exit 1; fi`
}

/** Once the change is confirmed and persisted, its scripts have no more use (the marker and the log stay in /run). */
export function cleanUpCommand(bridge: string): ShellCommand {
  const p = paths(bridge)
  return sh`rm -f ${p.apply} ${p.revert} ${p.pid}`
}

export function checkBridgeCommand(bridge: string, nic: string): ShellCommand {
  return sh`[ "$(basename "$(readlink /sys/class/net/${nic}/master)")" = ${bridge} ] && ip -br addr show dev ${bridge}`
}
