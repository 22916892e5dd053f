import 'server-only'
import type { InterfaceSettings } from '@/lib/libvirt-xml/interface-settings'

/** An interface's settings as the Guests tab's settings form posts them (InterfaceSettingsSchema reads them back). */
export function settingsFields(settings: InterfaceSettings): Record<string, string> {
  const rate = (value: number | undefined) => (value === undefined ? '' : String(value))
  return {
    link: settings.link,
    model: settings.model ?? '',
    portgroup: settings.portgroup ?? '',
    filter: settings.filter?.name ?? '',
    filterParameters: (settings.filter?.parameters ?? []).map((p) => `${p.name}=${p.value}`).join(' '),
    inboundAverage: rate(settings.inbound.average),
    inboundPeak: rate(settings.inbound.peak),
    inboundBurst: rate(settings.inbound.burst),
    outboundAverage: rate(settings.outbound.average),
    outboundPeak: rate(settings.outbound.peak),
    outboundBurst: rate(settings.outbound.burst),
  }
}
