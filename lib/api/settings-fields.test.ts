import { describe, expect, it } from 'vitest'
import { InterfaceSettingsSchema } from '@/lib/guests/schemas'
import { settingsFields } from '@/lib/api/settings-fields'
import type { InterfaceSettings } from '@/lib/libvirt-xml/interface-settings'

/* An API PATCH of an interface starts from its current settings as form fields: they must read back unchanged. */
describe('an interface’s settings as form fields', () => {
  const nic = { hostId: 'h', guest: 'web1', mac: '52:54:00:00:00:01' }
  it.each<[string, InterfaceSettings]>([
    ['none set', { link: 'up', model: null, portgroup: null, filter: null, inbound: {}, outbound: {} }],
    [
      'every one set',
      {
        link: 'down',
        model: 'virtio',
        portgroup: 'web',
        filter: { name: 'clean-traffic', parameters: [{ name: 'IP', value: '10.1.2.3' }] },
        inbound: { average: 1000, peak: 2000, burst: 512 },
        outbound: { average: 300 },
      },
    ],
  ])('reads back the same settings (%s)', (_name, settings) => {
    expect(InterfaceSettingsSchema.parse({ ...settingsFields(settings), ...nic }).settings).toEqual(settings)
  })

  it('lets a PATCH change the link state alone', () => {
    const settings: InterfaceSettings = {
      link: 'up',
      model: 'e1000',
      portgroup: null,
      filter: null,
      inbound: { average: 1000 },
      outbound: {},
    }
    const patched = InterfaceSettingsSchema.parse({ ...settingsFields(settings), link: 'down', ...nic }).settings
    expect(patched).toEqual({ ...settings, link: 'down' })
  })
})
