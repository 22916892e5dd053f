import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { randomBytes } from 'node:crypto'
import { virshBatchScript } from '@/lib/libvirt/virsh'
import { readableHostError } from '@/lib/libvirt/readable-error'
import { readNetworkDocument } from '@/lib/libvirt-xml/network-parse'
import type { NetworkDefinition } from '@/lib/libvirt-xml/network-types'
import { parseXml } from '@/lib/xml/xml-parse'
import { childElements } from '@/lib/xml/xml-query'
import { renderXml } from '@/lib/xml/xml-render'
import type { XmlDocument } from '@/lib/xml/xml-tree'
import type { PlanStep } from '@/lib/plan/plan'
import { hostEntries, type DhcpEntry } from '@/lib/dhcp/entries'
import type { NetworkDhcpState } from '@/lib/dhcp/host-state'

/*
 * The bulk path's live side. libvirt keeps an active network's live definition in its status file
 * (/run/libvirt/network/NAME.xml, <networkstatus><network>…) and, on the network driver's reload (SIGHUP to the
 * daemon named in driver.pid: libvirtd, or virtnetworkd on modular hosts), loads the live definitions from those
 * files, re-creates the firewall rules of active networks, rewrites each dnsmasq hostsfile and SIGHUPs dnsmasq.
 * Taps stay on their bridges. A reload also starts *inactive autostart* networks (and, under monolithic libvirtd,
 * storage pools), so the fast path is refused while any exist rather than start something behind the operator's back.
 *
 * libvirt 9.0's reload stops reading status files at the first network that has guest ports (it re-adds the ports it
 * already holds and gives up on "Duplicate hash table key"), and which file comes first is up to the file system
 * (name hash on ext4, creation or rename order on tmpfs, depending on the kernel). So for the length of the reload the
 * status files of the *other* networks with ports are set aside under a name the reload skips, and put back after it
 * (never over a file libvirt wrote meanwhile: that one is newer). Their live state is in libvirt's memory and does not
 * change; only ours is re-read. Whatever still differs afterwards is finished with net-update by the caller.
 *
 * libvirt 11.3 (lab host C, Debian 13) still needs this. Tried on 2026-12-01 on B and C alike: a running NAT network
 * with DHCP listed after default.xml (default holding the lab guest's one port), a DHCP host added to its status file,
 * then SIGHUP to the driver. Without the set-aside, libvirt 11.3 logged "Duplicate hash table key '<default's port
 * UUID>'" and did not load the file (the host in neither net-dumpxml nor the dnsmasq hostsfile), exactly as 9.0 does;
 * with default.xml set aside, both loaded it (the host in both, no error). With this loop disabled, dhcp.itest.ts's
 * "bulk-applies 40 hosts … listed after a network with guest ports" fails on both hosts. One difference: 11.3 wrote
 * default.xml anew during the reload (after reading the directory: ours was loaded), so it was back before the held
 * copy was; the restore's `ln` then fails and the held (older) copy is dropped, as intended. 9.0 did not.
 */

const runDir = '/run/libvirt/network'
const dnsmasqDir = '/var/lib/libvirt/dnsmasq'

/** `activeNetworks`: what one reload costs, since it refreshes the firewall of every running network. */
export type LiveStatus = {
  path: string
  sha256: string
  content: string
  doc: XmlDocument
  driverPid: number
  hostsfile: string
  activeNetworks: number
}

/** The status file with its checksum, or why the fast path cannot be used on this host now. */
export async function readLiveStatus(
  host: HostTarget,
  state: NetworkDhcpState,
): Promise<{ live: LiveStatus } | { refusal: string }> {
  if (!state.live) return { refusal: `${state.name} is not running` }
  if (!state.live.definition.ips.some((ip) => ip.dhcp?.ranges.length))
    return { refusal: `${state.name} has no DHCP range, so its dnsmasq may need a restart that only net-update does` }
  const path = `${runDir}/${state.name}.xml`
  // One round trip: the driver's process, the status file with its checksum, and in the same virsh process what a
  // reload would start besides (storage pools only under monolithic libvirtd, whose reload covers every driver).
  const lists = [
    ['net-list', '--name'],
    ['net-list', '--inactive', '--autostart', '--name'],
  ]
  const withPools = virshBatchScript([...lists, ['pool-list', '--inactive', '--autostart', '--name']])
  const networksOnly = virshBatchScript(lists)
  const end = `@@virtnet-status-${randomBytes(8).toString('hex')}@@`
  const read = await run(
    host,
    sh`f=${path}; p=$(cat ${`${runDir}/driver.pid`} 2>/dev/null); c=$(cat /proc/$p/comm 2>/dev/null); echo "pid=$p"; echo "comm=$c"; echo "sha=$(sha256sum < "$f" | cut -d' ' -f1)"; echo ---; cat "$f"; echo ${end}
if [ "$c" = libvirtd ]; then ${withPools.command}; elif [ -n "$c" ]; then ${networksOnly.command}; fi`,
    { allowFailure: true, phase: 'dhcp_live_status' },
  )
  const [status = '', virshOutput = ''] = read.stdout.split(`${end}\n`)
  const [head = '', ...rest] = status.split('\n---\n')
  const field = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(head)?.[1]?.trim() ?? ''
  const pid = Number(field('pid'))
  const comm = field('comm')
  const content = rest.join('\n---\n')
  if (!pid || !comm) return { refusal: 'the libvirt network driver process could not be found' }
  if (!content.includes('<networkstatus')) return { refusal: `libvirt's status file ${path} could not be read` }
  const listed = (comm === 'libvirtd' ? withPools : networksOnly).split(virshOutput)
  if (!listed) return { refusal: `virsh could not list the networks: ${readableHostError(read.stderr)}` }
  const [active = '', networks = '', pools = ''] = listed
  const sleepers = [...networks.split('\n'), ...pools.split('\n')].map((l) => l.trim()).filter(Boolean)
  if (sleepers.length)
    return { refusal: `a reload would start the stopped autostart network(s) or pool(s) ${sleepers.join(', ')}` }
  return {
    live: {
      path,
      sha256: field('sha'),
      content,
      doc: parseXml(content, 'libvirt network status'),
      driverPid: pid,
      hostsfile: `${dnsmasqDir}/${state.name}.hostsfile`,
      activeNetworks: active.split('\n').filter((l) => l.trim()).length,
    },
  }
}

type Transform = (doc: XmlDocument, definition: NetworkDefinition, entries: DhcpEntry[]) => XmlDocument

/** Replaces the <network> inside <networkstatus>, keeping libvirt's bookkeeping (class_id, floor) as it was. */
export function rewriteStatus(status: XmlDocument, transform: Transform): string {
  const network = childElements(status.root, 'network')[0]
  if (!network) throw new Error('libvirt status file has no <network>')
  const inner: XmlDocument = { prolog: [], root: network, epilog: [] }
  const definition = readNetworkDocument(inner)
  const next = transform(inner, definition, hostEntries(definition))
  return renderXml({
    ...status,
    root: { ...status.root, children: status.root.children.map((child) => (child === network ? next.root : child)) },
  })
}

export function liveStatusStep(state: NetworkDhcpState, live: LiveStatus, transform: Transform): PlanStep {
  const content = rewriteStatus(live.doc, transform)
  const busy = 'another reload of the libvirt network driver is under way; nothing was written. Try again.'
  const changed = `libvirt changed ${live.path} since Virtnet read it; nothing was written. Try again.`
  const slow = 'libvirt did not finish reloading within 60 s; re-read the page to see what the host has now.'
  // One reload at a time (the lock), and only over the file we read (the checksum); files a killed run left aside are
  // put back first. The wait ends when libvirt has rewritten our hostsfile: the last thing the reload does for this
  // network, right before it SIGHUPs dnsmasq. It polls every 10 ms with the shell's own test (no process per look
  // but the sleep), so it ends within 10 ms of the write instead of up to 100 ms after it.
  const command = sh`d=${runDir}; f=${live.path}; me=${state.name}; h=${live.hostsfile}
exec 9>"$d/.virtnet-reload.lock" && flock -w 60 9 || { echo ${busy} >&2; exit 5; }
[ "$(sha256sum < "$f" | cut -d' ' -f1)" = ${live.sha256} ] || { echo ${changed} >&2; exit 3; }
held=$(mktemp) && m=$(mktemp) || exit 1
restore() { while IFS= read -r n; do ln "$d/$n.virtnet-held" "$d/$n.xml" 2>/dev/null; rm -f "$d/$n.virtnet-held"; done < "$held"; : > "$held"; }
ls -A "$d" | sed -n 's/\.virtnet-held$//p' > "$held"; restore
trap 'restore; rm -f "$held" "$m"' EXIT
trap 'exit 1' HUP INT TERM
for x in "$d"/*.xml; do n=$(basename "$x" .xml); [ "$n" = "$me" ] && continue; [ -n "$(ls -A "$d/$n/ports" 2>/dev/null)" ] || continue; mv "$x" "$d/$n.virtnet-held" && printf '%s\n' "$n" >> "$held"; done
t=$(mktemp "$f.XXXXXX") && cat > "$t" && chmod 600 "$t" && mv "$t" "$f" && kill -HUP ${String(live.driverPid)} || exit 1
i=0; until [ "$h" -nt "$m" ]; do i=$((i+1)); if [ $i -gt 6000 ]; then echo ${slow} >&2; exit 4; fi; sleep 0.01; done`
  return {
    label: `Load the live definition of ${state.name} into libvirt (status file + network driver reload: dnsmasq gets one SIGHUP)`,
    command,
    stdin: content,
    timeoutMs: 90_000,
    phase: 'dhcp_reload',
  }
}
