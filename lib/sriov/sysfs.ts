import 'server-only'
import { sh, type ShellCommand } from '@/lib/ssh'
import { ParseError } from '@/lib/core/errors'

/*
 * SR-IOV from sysfs: every net device whose PCI function has `sriov_totalvfs` is a physical function (PF); its
 * `virtfnN` links name its virtual functions (VFs) and a VF bound to a host driver has a `net/<ifname>`. One shell
 * loop reads it all in one round trip. `root` is `/sys` on a host; tests point it at a captured sysfs-shaped tree.
 */

export type SysfsVf = { index: number; pci: string; netdev: string | null }
export type SysfsPf = { name: string; pci: string; totalVfs: number; numVfs: number; vfs: SysfsVf[] }

export function sriovSysfsCommand(root = '/sys'): ShellCommand {
  return sh`root=${root}; for pf in "$root"/class/net/*; do
  [ -r "$pf/device/sriov_totalvfs" ] || continue
  printf 'pf %s %s %s %s\n' "$(basename "$pf")" "$(basename "$(readlink -f "$pf/device")")" "$(cat "$pf/device/sriov_totalvfs")" "$(cat "$pf/device/sriov_numvfs")"
  for vf in "$pf"/device/virtfn*; do
    [ -e "$vf" ] || continue
    printf 'vf %s %s %s\n' "$(basename "$vf" | tr -d 'a-z')" "$(basename "$(readlink -f "$vf")")" "$(ls "$vf/net" 2>/dev/null | head -n 1)"
  done
done`
}

const SOURCE = 'SR-IOV sysfs listing'
const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i

export function parseSriovSysfs(output: string): SysfsPf[] {
  const pfs: SysfsPf[] = []
  output.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (!line) return
    const [kind, ...fields] = line.split(/\s+/)
    if (kind === 'pf') {
      const [name, pci, total, num] = fields
      if (!name || !pci || !PCI.test(pci) || !/^\d+$/.test(total ?? '') || !/^\d+$/.test(num ?? ''))
        throw new ParseError(SOURCE, `unexpected PF line: ${line}`, { line: index + 1 })
      pfs.push({ name, pci: pci.toLowerCase(), totalVfs: Number(total), numVfs: Number(num), vfs: [] })
    } else if (kind === 'vf') {
      const [vfIndex, pci, netdev] = fields
      const pf = pfs.at(-1)
      if (!pf || !/^\d+$/.test(vfIndex ?? '') || !pci || !PCI.test(pci))
        throw new ParseError(SOURCE, `unexpected VF line: ${line}`, { line: index + 1 })
      pf.vfs.push({ index: Number(vfIndex), pci: pci.toLowerCase(), netdev: netdev || null })
    } else {
      throw new ParseError(SOURCE, `unexpected line: ${line}`, { line: index + 1 })
    }
  })
  for (const pf of pfs) pf.vfs.sort((a, b) => a.index - b.index)
  return pfs
}

/** "0000:03:10.2" ⇄ libvirt's <address domain='0x0000' bus='0x03' slot='0x10' function='0x2'/>. */
export function pciToLibvirt(pci: string): { domain: string; bus: string; slot: string; function: string } {
  const match = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(pci)
  if (!match) throw new Error(`not a PCI address: ${pci}`)
  return {
    domain: `0x${match[1]!.toLowerCase()}`,
    bus: `0x${match[2]!.toLowerCase()}`,
    slot: `0x${match[3]!.toLowerCase()}`,
    function: `0x${match[4]}`,
  }
}

export function pciFromLibvirt(address: { domain: string; bus: string; slot: string; function: string }): string {
  const hex = (value: string, width: number) =>
    Number.parseInt(value, value.toLowerCase().startsWith('0x') ? 16 : 10)
      .toString(16)
      .padStart(width, '0')
  return `${hex(address.domain, 4)}:${hex(address.bus, 2)}:${hex(address.slot, 2)}.${hex(address.function, 1)}`
}
