import 'server-only'
import { run, sh, type HostTarget } from '@/lib/ssh'
import { readNetworksAndDomains, type NetworkSummary } from '@/lib/libvirt/read-networks'
import { parseSriovSysfs, pciFromLibvirt, sriovSysfsCommand, type SysfsPf } from '@/lib/sriov/sysfs'
import { parseIpLinkVfs, type VfLinkInfo } from '@/lib/sriov/ip-link-vf'
import { vfClaims, type VfClaim } from '@/lib/sriov/holders'

export type VfView = Omit<VfLinkInfo, 'index'> & {
  index: number
  pci: string
  netdev: string | null
  heldBy: VfClaim | null
}
export type PfView = { name: string; pci: string; totalVfs: number; numVfs: number; vfs: VfView[]; pools: string[] }
export type PoolView = {
  name: string
  pf: string | null
  active: boolean
  autostart: boolean
  /** Guest interfaces libvirt counts on the pool (live XML of an active pool). */
  connections: number | null
  /** The VF PCI addresses libvirt derived from the PF when the pool started. */
  vfAddresses: string[]
  guests: string[]
}

const emptyLink = (index: number): VfLinkInfo => ({
  index,
  mac: null,
  vlan: null,
  qos: null,
  spoofCheck: null,
  trust: null,
  linkState: null,
})

/** Joins sysfs, `ip link show` and the guests' claims: one row per VF, with the guest holding it. */
export function buildInventory(
  pfs: SysfsPf[],
  links: Map<string, VfLinkInfo[]>,
  claims: VfClaim[],
  pools: PoolView[],
): PfView[] {
  return pfs.map((pf) => {
    const poolNames = pools.filter((pool) => pool.pf === pf.name).map((pool) => pool.name)
    const vfs = pf.vfs.map((vf) => {
      const link = links.get(pf.name)?.find((l) => l.index === vf.index) ?? emptyLink(vf.index)
      const pinned = claims.find((c) => c.how !== 'pool' && c.pci === vf.pci)
      // A pool hands out VFs itself; the guest is the one whose interface MAC libvirt programmed into this VF.
      const pooled = link.mac
        ? claims.find((c) => c.how === 'pool' && poolNames.includes(c.network) && c.mac === link.mac)
        : undefined
      return { ...link, pci: vf.pci, netdev: vf.netdev, heldBy: pinned ?? pooled ?? null }
    })
    return { name: pf.name, pci: pf.pci, totalVfs: pf.totalVfs, numVfs: pf.numVfs, vfs, pools: poolNames }
  })
}

export function poolViews(networks: NetworkSummary[]): PoolView[] {
  return networks
    .filter((network) => network.forwardMode === 'hostdev')
    .map((network) => ({
      name: network.name,
      pf: network.definition?.forward?.pf[0] ?? null,
      active: network.active,
      autostart: network.autostart,
      connections: network.definition?.connections ?? null,
      vfAddresses: (network.definition?.forward?.addresses ?? []).map(pciFromLibvirt),
      guests: network.guests,
    }))
}

export type SriovInventory = { pfs: PfView[]; pools: PoolView[]; claims: VfClaim[]; guests: string[] }

export async function sriovInventory(host: HostTarget): Promise<SriovInventory> {
  const [sysfs, links, { domains, networks }] = await Promise.all([
    run(host, sriovSysfsCommand()),
    run(host, sh`ip link show`),
    readNetworksAndDomains(host),
  ])
  const pools = poolViews(networks)
  const claims = vfClaims(domains)
  return {
    pfs: buildInventory(parseSriovSysfs(sysfs.stdout), parseIpLinkVfs(links.stdout), claims, pools),
    pools,
    claims,
    guests: domains.map((d) => d.name),
  }
}
