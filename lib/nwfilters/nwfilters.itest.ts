import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { applyNwfilterEdit } from '@/lib/nwfilters/changes'
import { listNwfilters, nwfilterXml } from '@/lib/nwfilters/read'
import { definitionVersion } from '@/lib/network-edit/version'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

/*
 * Network filters on lab hosts B (libvirt 9) and C (libvirt 11): listed with the guest interfaces and filters that use
 * them, edited through one plan (nwfilter-define --validate, undo: the previous definition), libvirt's refusal shown on
 * the XML field with nothing changed. Read back through the lab's shell.
 */

describe.each(libvirtLabHosts)('network filters on $name (libvirt $libvirt)', (lab) => {
  const inHost = lab.exec
  const tag = `${lab.name.slice(-1)}${process.pid % 10000}`
  const filter = `vnk-${tag}-f`
  const outer = `vnk-${tag}-o`
  const guest = `vnk-${tag}-fg`
  const mac = `52:54:00:6b:f0:${(process.pid % 256).toString(16).padStart(2, '0')}`
  let host: Awaited<ReturnType<typeof registeredLabHost>>

  const define = (command: string, xml: string) =>
    inHost(`f=$(mktemp); cat > "$f" <<'XML'
${xml}
XML
virsh -q ${command} "$f" >/dev/null; rm -f "$f"`)

  describe('list and edit', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      define(
        'nwfilter-define',
        `<filter name='${filter}' chain='ipv4'><rule action='drop' direction='in'><icmp/></rule></filter>`,
      )
      define('nwfilter-define', `<filter name='${outer}'><filterref filter='${filter}'/></filter>`)
      define(
        'define',
        `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<interface type='network'><mac address='${mac}'/><source network='default'/><filterref filter='${outer}'/></interface>
</devices></domain>`,
      )
    })
    afterAll(() => {
      inHost(
        `{ virsh undefine ${guest}; virsh nwfilter-undefine ${outer}; virsh nwfilter-undefine ${filter}; } >/dev/null 2>&1; true`,
      )
    })

    it('lists each filter with the guest interfaces and filters that use it', async () => {
      const filters = await listNwfilters(host.target)
      expect(filters.find((f) => f.name === outer)).toMatchObject({ interfaces: [`${guest} (${mac})`], includedBy: [] })
      expect(filters.find((f) => f.name === filter)).toMatchObject({ interfaces: [], includedBy: [outer] })
      expect(filters.map((f) => f.name)).toContain('clean-traffic')
    })

    it('redefines a filter from its edited XML, keeping its uuid, and refuses XML libvirt rejects', async () => {
      const before = (await nwfilterXml(host.target, filter))!
      const edited = before.replace("action='drop'", "action='reject'")
      await applyNwfilterEdit(host.target, filter, edited, definitionVersion(before))
      const after = inHost(`virsh nwfilter-dumpxml ${filter}`)
      expect(after).toContain("action='reject'")
      expect(after).toContain(before.match(/<uuid>[^<]+<\/uuid>/)![0])

      const current = (await nwfilterXml(host.target, filter))!
      const bad = current.replace("action='reject'", "action='explode'")
      const attempt = applyNwfilterEdit(host.target, filter, bad, definitionVersion(current))
      await expect(attempt).rejects.toThrow(FieldErrors)
      await expect(attempt).rejects.toMatchObject({
        errors: { xml: [expect.stringContaining('libvirt refused the filter')] },
        // the editor marks the line libvirt's schema check is about: the rule with the action it does not know
        lines: { xml: [{ line: bad.split('\n').findIndex((l) => l.includes("action='explode'")) + 1 }] },
      })
      expect(inHost(`virsh nwfilter-dumpxml ${filter}`)).toBe(after)

      const stale = applyNwfilterEdit(host.target, filter, edited, definitionVersion(before))
      await expect(stale).rejects.toMatchObject({
        errors: { xml: [expect.stringContaining('changed since you opened')] },
      })
    })
  })
})
