// Static DHCP hosts on lab host B: one mapping applied live, 500 applied in bulk versus 500 single `virsh net-update`
// calls, on a network of our own with a small guest of our own on it; counts guest taps that left their bridge. And
// the check of a pasted CSV of 2,000 lines against that network's table.
import { run, sh, type HostTarget } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { db } from '@/lib/db/client'
import { dhcpHostFragmentXml } from '@/lib/libvirt-xml/network-dhcp-edit'
import { readNetworkDhcpState } from '@/lib/dhcp/host-state'
import { reapplyDesired, saveMapping } from '@/lib/dhcp/changes'
import { desiredEntries, storeDesired } from '@/lib/dhcp/store'
import type { DhcpEntry } from '@/lib/dhcp/entries'
import { checkImport } from '@/lib/dhcp/import'
import { driftOf } from '@/lib/dhcp/read'
import { networkNameListedAfterDefault } from '@/lib/test/lab'
import { measurePhases } from '@/lib/core/phases'
import { quick, report, reportPhases } from './stats'

const count = 500
// The bench network's /16 (10.N.0.0); VIRTNET_BENCH_DHCP_OCTET moves it, so two checkouts can bench host B at once.
const octet = Number(process.env.VIRTNET_BENCH_DHCP_OCTET ?? 238)
const entryAt = (i: number): DhcpEntry => ({
  family: 'ipv4',
  mac: `52:54:00:be:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
  ip: `10.${octet}.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`,
  name: `b${i}`,
})

const networkXml = (name: string, bridge: string) =>
  `<network><name>${name}</name><bridge name='${bridge}'/><forward mode='nat'/><ip address='10.${octet}.0.1' netmask='255.255.0.0'><dhcp><range start='10.${octet}.250.2' end='10.${octet}.250.254'/></dhcp></ip></network>`
const guestXml = (name: string, network: string) =>
  `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices><interface type='network'><source network='${network}'/><mac address='52:54:00:be:ff:01'/><model type='virtio'/></interface></devices></domain>`

/** Every guest tap on the host with the bridge it is attached to. */
async function tapMasters(host: HostTarget): Promise<Map<string, string>> {
  const { stdout } = await run(
    host,
    sh`for t in /sys/class/net/vnet*; do [ -e "$t" ] && echo "$(basename "$t") $(basename "$(readlink "$t/master" 2>/dev/null)")"; done; true`,
  )
  return new Map(
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  )
}

function detached(before: Map<string, string>, after: Map<string, string>): number {
  // A tap whose guest stopped disappears; one still present must still sit on the same bridge.
  return [...before].filter(([tap, master]) => master && after.has(tap) && after.get(tap) !== master).length
}

/**
 * The network is named so that host B lists its status file after default's, which holds vnlab-b1's port: the case
 * where libvirt 9.0's own reload would stop before reaching it (see lib/dhcp/live-status.ts).
 */
async function startNetwork(host: HostTarget): Promise<string> {
  const name = networkNameListedAfterDefault(`dhcpbench-${process.pid}`)
  await run(host, virsh('net-define', '--file', '/dev/stdin'), {
    stdin: networkXml(name, `vbdb${process.pid % 10000}`),
  })
  // A network that cannot start (its subnet taken by another bench) goes again at once.
  await run(host, virsh('net-start', '--network', name)).catch(async (error: unknown) => {
    await run(host, virsh('net-undefine', '--network', name), { allowFailure: true })
    throw error
  })
  return name
}

/**
 * 2,000 pasted lines, all new hosts, checked against the network's table as an import checks them before planning
 * (every line against the network, each other and every entry that stays). The host is read before the clock starts.
 */
export async function benchCsvValidate(hostRow: { id: string }, host: HostTarget, network: string) {
  const lines = Array.from({ length: 2000 }, (_, i) => entryAt(2048 + i))
  const csv = ['mac,ip,name', ...lines.map((e) => `${e.mac},${e.ip},${e.name}`)].join('\n')
  const state = await readNetworkDhcpState(host, network)
  const desired = await desiredEntries(hostRow.id, network)
  const t0 = performance.now()
  const checked = checkImport(csv, state.definition, desired, driftOf(state, desired))
  const ms = performance.now() - t0
  if (!('lines' in checked) || checked.lines.add.length !== lines.length)
    throw new Error(`the CSV check refused or miscounted: ${JSON.stringify(checked).slice(0, 300)}`)
  report('dhcp.csv2000_validate_ms', ms, 'ms')
}

/**
 * The raw cost of a DHCP change on the host: dnsmasq's hostsfile rewritten (same content, new file moved over it)
 * and one SIGHUP to the network's dnsmasq. Returns the round trip and the host's own time.
 */
async function rawHostsfileReload(host: HostTarget, network: string): Promise<{ ms: number; hostMs: number }> {
  const hostsfile = `/var/lib/libvirt/dnsmasq/${network}.hostsfile`
  const pidfile = `/run/libvirt/network/${network}.pid`
  const t0 = performance.now()
  const { stdout } = await run(
    host,
    sh`s=$(date +%s%N); t=$(mktemp ${`${hostsfile}.XXXXXX`}) && cat ${hostsfile} > "$t" && mv -f "$t" ${hostsfile} && kill -HUP "$(cat ${pidfile})"; e=$(date +%s%N); echo $(( (e - s) / 1000 ))`,
  )
  return { ms: performance.now() - t0, hostMs: Number(stdout.trim()) / 1000 }
}

/** The median of a few samples, so that one slow run on a shared machine does not decide a figure. */
const median = (samples: number[]) => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!

/**
 * The host's floor for one mapping through libvirt's API: one bare `virsh net-update --live --config` of one host
 * entry on the same network (libvirt removes and re-adds the network's firewall rules for it, bridge_driver.c
 * networkUpdate), timed as a round trip like the apply's own step. The entry is taken off again outside the clock.
 */
async function rawNetUpdate(host: HostTarget, network: string, entry: DhcpEntry): Promise<number> {
  const t0 = performance.now()
  await run(host, bareNetUpdate(network, 'add-last', entry))
  const ms = performance.now() - t0
  await run(host, bareNetUpdate(network, 'delete', entry))
  return ms
}

/** One host entry through libvirt's own `virsh net-update --live --config`, as an operator's script runs it. */
const bareNetUpdate = (network: string, command: 'add-last' | 'delete', entry: DhcpEntry) =>
  virsh(
    'net-update',
    '--network',
    network,
    '--command',
    command,
    '--section',
    'ip-dhcp-host',
    '--xml',
    dhcpHostFragmentXml(entry),
    '--live',
    '--config',
  )

/**
 * The host's floor for the bulk apply: one bare reload of the network driver (SIGHUP to the daemon in driver.pid),
 * waited to the point the bulk path waits for (libvirt has rewritten this network's hostsfile), polled finely. The
 * status files of other networks with ports are set aside for it as the bulk step does (libvirt 9.0 stops at the
 * first of them, lib/dhcp/live-status.ts), under the same lock, so a bulk apply elsewhere cannot interleave.
 */
async function rawDriverReload(host: HostTarget, network: string): Promise<{ ms: number; hostMs: number }> {
  const t0 = performance.now()
  const { stdout } = await run(
    host,
    sh`d=/run/libvirt/network; me=${network}; h=${`/var/lib/libvirt/dnsmasq/${network}.hostsfile`}
exec 9>"$d/.virtnet-reload.lock" && flock -w 60 9 || exit 5
held=$(mktemp) && m=$(mktemp) || exit 1
trap 'while IFS= read -r n; do ln "$d/$n.virtnet-held" "$d/$n.xml" 2>/dev/null; rm -f "$d/$n.virtnet-held"; done < "$held"; rm -f "$held" "$m"' EXIT
for x in "$d"/*.xml; do n=$(basename "$x" .xml); [ "$n" = "$me" ] && continue; [ -n "$(ls -A "$d/$n/ports" 2>/dev/null)" ] || continue; mv "$x" "$d/$n.virtnet-held" && printf '%s\n' "$n" >> "$held"; done
s=$(date +%s%N); kill -HUP "$(cat "$d/driver.pid")" || exit 1
i=0; until [ "$h" -nt "$m" ]; do i=$((i+1)); [ $i -gt 12000 ] && exit 4; sleep 0.005; done
e=$(date +%s%N); echo $(( (e - s) / 1000 ))`,
    { timeoutMs: 90_000 },
  )
  return { ms: performance.now() - t0, hostMs: Number(stdout.trim()) / 1000 }
}

export async function benchDhcp(hostRow: { id: string; name: string }, host: HostTarget) {
  const name = await startNetwork(host)
  const guest = `dhcpbench-guest-${process.pid}`
  try {
    await run(host, virsh('define', '--file', '/dev/stdin'), { stdin: guestXml(guest, name) })
    await run(host, virsh('start', '--domain', guest))
    const before = await tapMasters(host)
    const bridge = (await readNetworkDhcpState(host, name)).definition.bridge?.name
    if (![...before.values()].includes(bridge ?? '')) throw new Error(`the bench guest has no tap on ${bridge}`)

    // Three single applies and three bare net-updates, interleaved on the same network; the medians are the figures
    // (the phases are the median apply's).
    const applies: Awaited<ReturnType<typeof measurePhases>>[] = []
    const rawUpdates: number[] = []
    for (let i = 0; i < 3; i++) {
      const single = entryAt(count + 1 + i)
      applies.push(
        await measurePhases(() =>
          saveMapping(hostRow, host, name, { mac: single.mac, ip: single.ip, name: single.name }),
        ),
      )
      rawUpdates.push(await rawNetUpdate(host, name, entryAt(count + 8 + i)))
    }
    const singleApply = [...applies].sort((a, b) => a.ms - b.ms)[1]!
    const rawNetUpdateMs = median(rawUpdates)
    report('dhcp.single_apply_ms', singleApply.ms, 'ms')
    reportPhases('dhcp.single_apply', singleApply)
    report('dhcp.raw_netupdate_live_ms', rawNetUpdateMs, 'ms')
    report('dhcp.single_apply.overhead_ms', singleApply.ms - rawNetUpdateMs, 'ms')
    const raw = await rawHostsfileReload(host, name)
    report('dhcp.raw_hostsfile_sighup_ms', raw.ms, 'ms')
    report('dhcp.raw_hostsfile_sighup_host_ms', raw.hostMs, 'ms')

    const entries = Array.from({ length: count }, (_, i) => entryAt(i))
    await storeDesired(hostRow.id, name, entries)
    const bulkApply = await measurePhases(() => reapplyDesired(hostRow, host, name, 'bulk'))
    const bulk = bulkApply.value
    const bulkMs = bulkApply.ms
    const state = await readNetworkDhcpState(host, name)
    if (state.live?.entries.length !== count + 3 || state.config?.entries.length !== count + 3)
      throw new Error(
        `bulk apply left the host different from the table: live ${state.live?.entries.length}, persistent ${state.config?.entries.length}`,
      )
    report('dhcp.bulk500_ms', bulkMs, 'ms')
    reportPhases('dhcp.bulk500', bulkApply)
    // The same network with the same 503 entries, reloaded bare three times; the median is the floor.
    const reloads: Array<{ ms: number; hostMs: number }> = []
    for (let i = 0; i < 3; i++) reloads.push(await rawDriverReload(host, name))
    const rawReload = [...reloads].sort((a, b) => a.ms - b.ms)[1]!
    report('dhcp.raw_driver_reload_ms', rawReload.ms, 'ms')
    report('dhcp.raw_driver_reload_host_ms', rawReload.hostMs, 'ms')
    report('dhcp.bulk500.overhead_ms', bulkMs - rawReload.ms, 'ms')
    report(
      'dhcp.active_networks',
      Number((await run(host, virsh('net-list', '--name'))).stdout.split('\n').filter((l) => l.trim()).length),
      'networks',
    )
    // A figure, not prose: 1 when the one-reload fast path reached the network, 0 when it fell back to net-update.
    report('dhcp.bulk_fast_path', bulk.mode === 'bulk' ? 1 : 0, 'bool')
    if (bulk.note) console.error(`dhcp bulk apply: ${bulk.note}`)
    await benchCsvValidate(hostRow, host, name)
    if (quick) {
      report('dhcp.taps_detached', detached(before, await tapMasters(host)), 'taps')
      return
    }

    // 500 other entries (same shape, addresses above the first 500), one `virsh net-update --live --config` each,
    // every call its own virsh process as an operator's script would run them.
    const others = Array.from({ length: count }, (_, i) => entryAt(1024 + i))
    const t0 = performance.now()
    for (const entry of others) await run(host, bareNetUpdate(name, 'add-last', entry))
    const netUpdateMs = performance.now() - t0
    report('dhcp.netupdate500_ms', netUpdateMs, 'ms')
    report('dhcp.bulk_speedup', netUpdateMs / bulkMs, 'x')
    report('dhcp.taps_detached', detached(before, await tapMasters(host)), 'taps')
  } finally {
    await run(
      host,
      sh`${virsh('destroy', '--domain', guest)}; ${virsh('undefine', '--domain', guest)}; ${virsh('net-destroy', '--network', name)}; ${virsh('net-undefine', '--network', name)}`,
      { allowFailure: true },
    )
    await db.dhcpMapping.deleteMany({ where: { hostId: hostRow.id, network: name } })
  }
}
