import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { applyNetworkEdit } from '@/lib/network-edit/changes'
import { definitionVersion } from '@/lib/network-edit/version'
import { createTestbed, removeTestbed, testbedNames } from '@/lib/test/network-edit-testbed'
import { networkXml } from '@/lib/libvirt/read-networks'

/*
 * Two operators edit the same network from the same starting point (each opened the editor on the definition as it
 * was). Whatever the order, the network must never end without an edit that was reported applied: the second edit
 * is refused as stale instead of silently undoing the first, and the host's definition (live and saved) is exactly
 * the winner's.
 */

const actor = { id: 'itest', username: 'itest', role: 'admin' as const }
const dhcpHost = (i: number) => `<host mac='52:54:00:7e:d0:0${i}' name='op${i}' ip='10.208.7.${10 + i}'/>`
const hostsIn = (xml: string) => [...xml.matchAll(/<host mac='52:54:00:7e:d0:0(\d)'/g)].map((m) => Number(m[1]))
const stale = /changed since you opened the editor/

describe.each(libvirtLabHosts)('two edits of one network at once ($name, libvirt $libvirt)', (lab) => {
  const bed = testbedNames(`vng${process.pid % 10000}`, 208, 0)
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const definitions = () => ({
    live: hostsIn(lab.exec(`virsh net-dumpxml ${bed.network}`)),
    saved: hostsIn(lab.exec(`virsh net-dumpxml --inactive ${bed.network}`)),
  })

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
  })
  // each test starts from a fresh network with no DHCP hosts
  beforeEach(async () => {
    await createTestbed(host.target, bed)
  })
  afterAll(async () => {
    await removeTestbed(host.target, bed)
  })

  /** What each operator's editor holds: the definition they opened, with their own DHCP host added. */
  async function twoEditors() {
    const opened = await networkXml(host.target, bed.network, { inactive: true })
    const base = definitionVersion(opened)
    const edit = (i: number) => opened.replace('</dhcp>', `  ${dhcpHost(i)}\n    </dhcp>`)
    return { base, edits: [edit(1), edit(2)] as const }
  }

  it('one after the other: the second, made on the old definition, is refused and the first edit stays', async () => {
    const { base, edits } = await twoEditors()
    const first = await applyNetworkEdit(host.row, host.target, actor, bed.network, edits[0], base)
    expect(first.mode).toBe('live')
    const second = applyNetworkEdit(host.row, host.target, actor, bed.network, edits[1], base)
    await expect(second).rejects.toBeInstanceOf(FieldErrors)
    await expect(second).rejects.toMatchObject({ errors: { xml: [expect.stringMatching(stale)] } })
    expect(definitions()).toEqual({ live: [1], saved: [1] })
  })

  it('both at the same moment: exactly one applies, the other is refused, and the host holds the winner’s edit', async () => {
    const { base, edits } = await twoEditors()
    const outcomes = await Promise.allSettled(
      edits.map((xml) => applyNetworkEdit(host.row, host.target, actor, bed.network, xml, base)),
    )
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    const winner = outcomes.findIndex((o) => o.status === 'fulfilled') + 1
    const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
    expect(loser.reason).toBeInstanceOf(FieldErrors)
    expect((loser.reason as FieldErrors).errors.xml).toEqual([expect.stringMatching(stale)])
    expect(definitions()).toEqual({ live: [winner], saved: [winner] })
  })
})
