import 'server-only'
import { randomBytes } from 'node:crypto'
import { OperatorError } from '@/lib/core/errors'
import { readableHostError } from '@/lib/libvirt/readable-error'
import { run, sh, type HostTarget } from '@/lib/ssh'

/*
 * Every network's and guest's definition in ONE SSH round trip and two virsh processes, however many there are (a
 * virsh process costs a libvirt connection: on a busy host that is most of a page's time). The first virsh lists
 * the UUIDs; the host itself builds the second one's batch from them: only UUIDs (hex and dashes, checked on the
 * host) are ever put into that batch, so no name reaches virsh's tokenizer.
 */

export type HostInventory = {
  /** `virsh net-list --all`, with its header */
  netList: string
  /** each network's live XML (its persistent one when inactive); '' for one that went away meanwhile */
  networks: Array<{ uuid: string; xml: string; leases: string }>
  /** each guest's XML: the live definition of a running guest, the persistent one otherwise */
  domains: Array<{ uuid: string; xml: string }>
  /** UUIDs of the running guests */
  running: string[]
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** `leases`: also each network's `net-dhcp-leases` ('' for an inactive one). */
export async function readInventory(host: HostTarget, options: { leases?: boolean } = {}): Promise<HostInventory> {
  const marker = `@@virtnet-${randomBytes(8).toString('hex')}@@`
  const leases = options.leases ? '1' : ''
  const result = await run(
    host,
    sh`LC_ALL=C; export LC_ALL; m=${marker}; leases=${leases}
ids=$(virsh -c qemu:///system "net-list --all --uuid ; echo $m ; list --all --uuid") || exit 3
c="net-list --all ; echo $m ; list --uuid ; echo $m"; part=net
for u in $ids; do
  case $u in "$m") part=dom; continue ;; *[!0-9a-f-]*) continue ;; esac
  if [ $part = net ]; then c="$c ; net-dumpxml --network $u ; echo $m"; [ -z "$leases" ] || c="$c ; net-dhcp-leases --network $u ; echo $m"
  else c="$c ; dumpxml --domain $u ; echo $m"; fi
  printf '%s %s\n' $part $u
done
echo "$m"
exec virsh -c qemu:///system "$c"`,
    { allowFailure: true, phase: 'virsh_inventory' },
  )
  // Not even the batch's first marker: the second virsh never got to run its commands (libvirtd down, no permission).
  if (result.stdout.split(`${marker}\n`).length < 3)
    throw new OperatorError(`virsh could not run: ${readableHostError(result.stderr)}`)
  return parseInventory(result.stdout, marker, options.leases === true)
}

/** Splits the inventory script's output: the listed UUIDs, then one marked part per command of the batch. */
export function parseInventory(stdout: string, marker: string, withLeases: boolean): HostInventory {
  const [head = '', ...rest] = stdout.split(`${marker}\n`)
  const ids = head
    .split('\n')
    .map((line) => line.split(' ') as [string, string])
    .filter(([part, uuid]) => (part === 'net' || part === 'dom') && uuidPattern.test(uuid ?? ''))
  const [netList = '', running = '', ...outputs] = rest
  const next = () => outputs.shift() ?? ''
  const inventory: HostInventory = {
    netList,
    networks: [],
    domains: [],
    running: running
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => uuidPattern.test(line)),
  }
  for (const [part, uuid] of ids) {
    if (part === 'net') inventory.networks.push({ uuid, xml: next(), leases: withLeases ? next() : '' })
    else inventory.domains.push({ uuid, xml: next() })
  }
  return inventory
}
