import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { db } from '@/lib/db/client'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { previewOf } from '@/lib/plan/dry-run'
import { applyNetworkEdit } from '@/lib/network-edit/changes'
import { networkTapsOffBridge } from '@/lib/network-edit/read'
import { createTestbed, removeTestbed, testbedNames } from '@/lib/test/network-edit-testbed'
import { networkXml } from '@/lib/libvirt/read-networks'
import { dnsmasqRefusal } from '@/lib/network-edit/dnsmasq-options'
import { definitionVersion } from '@/lib/network-edit/version'

const actor = { id: 'itest', username: 'itest', role: 'admin' as const }
const operator = { id: 'itest-operator', username: 'itest-operator', role: 'operator' as const }
const dnsmasqNs = "xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'"
const withDnsmasq = (xml: string, option: string) =>
  xml
    .replace('<network', `<network ${dnsmasqNs}`)
    .replace('</network>', `  <dnsmasq:options><dnsmasq:option value='${option}'/></dnsmasq:options>\n</network>`)

describe.each(libvirtLabHosts)('editing a running network on $name (libvirt $libvirt)', (lab) => {
  const bed = testbedNames(`${lab.name.slice(-1)}${process.pid % 100000}`, 201, 2)
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const inHost = lab.exec
  const virshOn = (args: string) => inHost(`virsh -q ${args} 2>&1 || true`)

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
    await createTestbed(host.target, bed)
  })
  afterAll(async () => {
    await removeTestbed(host.target, bed)
  })

  it('applies a DHCP host change live with net-update: the guests never leave the bridge', async () => {
    const xml = await networkXml(host.target, bed.network, { inactive: true })
    const edited = xml.replace(
      '</dhcp>',
      "  <host mac='52:54:00:7e:c9:77' name='fixed' ip='10.201.7.77'/>\n    </dhcp>",
    )
    const { detail } = await previewOf(() =>
      applyNetworkEdit(host.row, host.target, actor, bed.network, edited, definitionVersion(xml)),
    )
    if (detail?.kind !== 'network-edit') throw new Error('the preview has no network-edit detail')
    expect(detail.edit.kind).toBe('live')
    expect(detail.diff.filter((l) => l.kind === 'added').map((l) => l.text.trim())).toEqual([
      "<host mac='52:54:00:7e:c9:77' name='fixed' ip='10.201.7.77'/>",
    ])
    const outcome = await applyNetworkEdit(host.row, host.target, actor, bed.network, edited, definitionVersion(xml))
    expect(outcome.mode).toBe('live')
    // both the running network and its saved definition have the host; the taps stayed on the bridge throughout
    expect(virshOn(`net-dumpxml ${bed.network}`)).toContain("ip='10.201.7.77'")
    expect(virshOn(`net-dumpxml --inactive ${bed.network}`)).toContain("ip='10.201.7.77'")
    expect((await networkTapsOffBridge(host.target, bed.network)).off).toEqual([])
  })

  it('refuses XML libvirt rejects as a field error and changes nothing', async () => {
    const before = virshOn(`net-dumpxml --inactive ${bed.network}`)
    const xml = await networkXml(host.target, bed.network, { inactive: true })
    const bad = xml.replace("<forward mode='nat'", "<forward mode='warp'")
    const attempt = applyNetworkEdit(host.row, host.target, actor, bed.network, bad, definitionVersion(xml))
    await expect(attempt).rejects.toBeInstanceOf(FieldErrors)
    // the editor marks the line libvirt's schema check is about, in the text as the operator wrote it
    await expect(attempt).rejects.toMatchObject({
      lines: { xml: [{ line: bad.split('\n').findIndex((l) => l.includes("mode='warp'")) + 1 }] },
    })
    expect(virshOn(`net-dumpxml --inactive ${bed.network}`)).toBe(before)
  })

  it('restarts for an <mtu> change and re-attaches every running guest tap: 0 taps off the bridge afterwards', async () => {
    const { taps } = await networkTapsOffBridge(host.target, bed.network)
    expect(taps.map((t) => t.guest).sort()).toEqual([...bed.guests].sort())
    const xml = await networkXml(host.target, bed.network, { inactive: true })
    const edited = xml.replace('</network>', "  <mtu size='1400'/>\n</network>")
    const outcome = await applyNetworkEdit(host.row, host.target, actor, bed.network, edited, definitionVersion(xml))
    expect(outcome.mode).toBe('restart')
    await outcome.finished
    const job = await db.job.findUniqueOrThrow({
      where: { id: outcome.jobId! },
      include: { steps: { orderBy: { position: 'asc' } } },
    })
    expect(job.status, job.error ?? '').toBe('succeeded')
    expect(job.steps.map((s) => s.status)).toEqual(job.steps.map(() => 'done'))
    expect(job.steps.filter((s) => s.label.startsWith('Re-attach'))).toHaveLength(2)
    expect(job.steps.at(-1)!.output).toContain('taps off the bridge: 0')
    // the host's own view, not Virtnet's: each guest's tap is a port of the re-created bridge, which has the new MTU
    for (const tap of taps)
      expect(inHost(`basename $(readlink /sys/class/net/${tap.tap}/master)`).trim()).toBe(bed.bridge)
    expect(inHost(`cat /sys/class/net/${bed.bridge}/mtu`).trim()).toBe('1400')
    expect((await networkTapsOffBridge(host.target, bed.network)).off).toEqual([])
  })

  it('lets only an administrator add or change dnsmasq: options; an operator edits the rest around them', async () => {
    const xml = await networkXml(host.target, bed.network, { inactive: true })
    const before = virshOn(`net-dumpxml --inactive ${bed.network}`)
    // dnsmasq runs a dhcp-script as root on every lease event: an operator must not be able to plant one.
    const planted = withDnsmasq(xml, 'dhcp-script=/tmp/vnt-lease-hook')
    for (const attempt of [
      applyNetworkEdit,
      (...a: Parameters<typeof applyNetworkEdit>) => previewOf(() => applyNetworkEdit(...a)),
    ])
      await expect(
        attempt(host.row, host.target, operator, bed.network, planted, definitionVersion(xml)),
      ).rejects.toMatchObject({
        errors: { xml: [dnsmasqRefusal] },
      })
    expect(virshOn(`net-dumpxml --inactive ${bed.network}`)).toBe(before)

    const outcome = await applyNetworkEdit(
      host.row,
      host.target,
      actor,
      bed.network,
      withDnsmasq(xml, 'log-dhcp'),
      definitionVersion(xml),
    )
    await outcome.finished
    const saved = await networkXml(host.target, bed.network, { inactive: true })
    expect(saved).toContain("<dnsmasq:option value='log-dhcp'/>")
    await expect(
      applyNetworkEdit(
        host.row,
        host.target,
        operator,
        bed.network,
        saved.replace('log-dhcp', 'dhcp-script=/tmp/x'),
        definitionVersion(saved),
      ),
    ).rejects.toMatchObject({ errors: { xml: [dnsmasqRefusal] } })
    const live = saved.replace('</dhcp>', "  <host mac='52:54:00:7e:c9:78' name='op' ip='10.201.7.78'/>\n    </dhcp>")
    expect(
      (await applyNetworkEdit(host.row, host.target, operator, bed.network, live, definitionVersion(saved))).mode,
    ).toBe('live')
    expect(virshOn(`net-dumpxml --inactive ${bed.network}`)).toContain("<dnsmasq:option value='log-dhcp'/>")
  })
})
