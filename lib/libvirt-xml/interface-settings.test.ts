import { describe, expect, it } from 'vitest'
import { interfaceWithSettings, readInterfaceSettings } from '@/lib/libvirt-xml/interface-settings'
import { parseXml } from '@/lib/xml/xml-parse'
import { renderElement } from '@/lib/xml/xml-render'

/** As the XML renderer lays it out (libvirt re-formats whatever it is given): nodes compared, not blanks. */
const laidOut = (xml: string) => renderElement(parseXml(xml).root)

const rich = `<interface type='network'>
      <mac address='52:54:00:9d:01:01'/>
      <source network='net-a' portgroup='pg1'/>
      <model type='virtio'/>
      <driver name='qemu' queues='2'/>
      <!-- kept -->
      <filterref filter='clean-traffic'><parameter name='IP' value='10.1.1.50'/></filterref>
      <link state='up'/>
      <bandwidth><inbound average='1000' peak='5000' burst='1024'/><outbound average='128'/></bandwidth>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>`

describe('interface settings', () => {
  it('reads link, model, portgroup, filter and bandwidth', () => {
    expect(readInterfaceSettings(rich)).toEqual({
      link: 'up',
      model: 'virtio',
      portgroup: 'pg1',
      filter: { name: 'clean-traffic', parameters: [{ name: 'IP', value: '10.1.1.50' }] },
      inbound: { average: 1000, peak: 5000, burst: 1024 },
      outbound: { average: 128 },
    })
  })

  it('changes only the setting asked for, leaving every other byte as read', () => {
    const wanted = { ...readInterfaceSettings(rich), link: 'down' as const }
    expect(interfaceWithSettings(rich, wanted)).toBe(
      laidOut(rich.replace(`<link state='up'/>`, `<link state='down'/>`)),
    )
    expect(interfaceWithSettings(rich, readInterfaceSettings(rich))).toBe(laidOut(rich))
  })

  it('removes the filter and one bandwidth direction, and adds a link element where libvirt writes it', () => {
    const wanted = { ...readInterfaceSettings(rich), filter: null, outbound: {} }
    const edited = interfaceWithSettings(rich, wanted)
    expect(edited).not.toContain('filterref')
    expect(laidOut(edited)).toContain(
      laidOut(`<bandwidth><inbound average='1000' peak='5000' burst='1024'/></bandwidth>`).trim().split('\n')[1],
    )
    expect(edited).not.toContain('outbound')
    expect(edited).toContain('<!-- kept -->')
    const plain = `<interface type='network'><mac address='52:54:00:9d:01:02'/><source network='n'/><model type='virtio'/><address type='pci' slot='0x03'/></interface>`
    const down = interfaceWithSettings(plain, { ...readInterfaceSettings(plain), link: 'down' })
    expect(down).toBe(laidOut(plain.replace(`<address`, `<link state='down'/><address`)))
  })

  it('keeps the model of a running guest (it changes at the next boot, in the definition)', () => {
    const wanted = { ...readInterfaceSettings(rich), model: 'e1000' }
    expect(interfaceWithSettings(rich, wanted, true)).toBe(laidOut(rich))
    expect(interfaceWithSettings(rich, wanted)).toContain(`<model type='e1000'/>`)
  })
})
