import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { readHostTab } from '@/lib/hosts/host-tab'
import { virshBatch } from '@/lib/libvirt/virsh'
import { domainXmls } from '@/lib/libvirt/domains'
import { parseNwfilterList } from '@/lib/host-output/virsh-nwfilter-list'
import { domainInterfaceElements } from '@/lib/libvirt-xml/domain-interface'
import { readInterfaceSettings } from '@/lib/libvirt-xml/interface-settings'
import { filterReferences } from '@/lib/libvirt-xml/nwfilter'
import { definitionVersion } from '@/lib/network-edit/version'

// What the network filter pages read; nothing here changes a host (that is changes.ts).

export type NwfilterView = {
  name: string
  uuid: string
  /** Guest interfaces whose <filterref> names it: "guest (mac)". */
  interfaces: string[]
  /** Other filters that include it with a <filterref>. */
  includedBy: string[]
}

/** Every filter of the host, with the guest interfaces and filters that use it, in three virsh processes. */
export async function listNwfilters(target: HostTarget): Promise<NwfilterView[]> {
  const [[table = ''], domains] = await Promise.all([virshBatch(target, [['nwfilter-list']]), domainXmls(target)])
  const filters = parseNwfilterList(table)
  const xmls = await virshBatch(
    target,
    filters.map((f) => ['nwfilter-dumpxml', f.name]),
  )
  const interfaces = new Map<string, string[]>()
  for (const { name, xml } of domains) {
    if (!xml.trim()) continue
    for (const nic of domainInterfaceElements(xml)) {
      const filter = readInterfaceSettings(nic.xml).filter
      if (filter) interfaces.set(filter.name, [...(interfaces.get(filter.name) ?? []), `${name} (${nic.mac ?? '?'})`])
    }
  }
  const includedBy = new Map<string, string[]>()
  filters.forEach((filter, i) => {
    for (const ref of filterReferences(xmls[i] ?? ''))
      includedBy.set(ref, [...(includedBy.get(ref) ?? []), filter.name])
  })
  return filters.map((f) => ({
    ...f,
    interfaces: interfaces.get(f.name) ?? [],
    includedBy: includedBy.get(f.name) ?? [],
  }))
}

export async function nwfilterXml(target: HostTarget, name: string): Promise<string | null> {
  const [xml = ''] = await virshBatch(target, [['nwfilter-dumpxml', name]])
  return xml.trim() ? xml : null
}

export async function nwfiltersPageData(hostId: string) {
  return readHostTab(hostId, async (target) => ({ filters: await listNwfilters(target) }))
}

export async function nwfilterEditPageData(hostId: string, name: string) {
  return readHostTab(hostId, async (target) => {
    const xml = await nwfilterXml(target, name)
    return { xml, version: xml === null ? null : definitionVersion(xml) }
  })
}
