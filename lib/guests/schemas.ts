import { z } from 'zod'
import {
  existingMac,
  guestNameProblem,
  interfaceNameProblem,
  networkName,
  networkNameProblem,
  optionalInterfaceMac,
  optionalText,
  optionalWholeNumber,
  portgroupNameProblem,
  requiredText,
  shortText,
  shownValue,
} from '@/lib/addresses/value-rules'
import type { InterfaceSettings } from '@/lib/libvirt-xml/interface-settings'

const hostId = z.string().min(1).max(64)
const guest = requiredText(guestNameProblem, 'Choose a guest.')

export const AttachSchema = z
  .object({
    hostId,
    guest,
    type: z.enum(['network', 'bridge'], 'Choose a network or a bridge.'),
    source: z.string({ error: 'Choose a source.' }).trim().min(1, 'Choose a source.'),
    model: z.enum(['virtio', 'e1000', 'rtl8139'], 'Choose a model.').default('virtio'),
    mac: optionalInterfaceMac,
  })
  // The source is a network or a bridge by the type chosen beside it, each under the rule of its kind.
  .superRefine((data, ctx) => {
    const problem = data.type === 'network' ? networkNameProblem(data.source) : interfaceNameProblem(data.source)
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['source'] })
  })

export const NicRefSchema = z.object({ hostId, guest, mac: existingMac })

export const ChangeNetworkSchema = NicRefSchema.extend({ network: networkName })

const rate = optionalWholeNumber({ min: 1, max: 4294967295 })
const nameLike = (what: string) => (text: string) =>
  /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(text)
    ? null
    : `${shownValue(text)} is not a ${what} name (letters, digits, ".", "_", ":" and "-").`

/** "IP=10.1.2.3" one a line (or separated by blanks): the filter's parameters. */
const filterParameters = shortText(2000)
  .optional()
  .transform((text, ctx) =>
    (text ?? '')
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((pair) => {
        const match = /^([A-Za-z_][A-Za-z0-9_]*)=([^\s'"<>&]+)$/.exec(pair)
        if (!match)
          ctx.addIssue({ code: 'custom', message: `${shownValue(pair)} is not a parameter such as IP=10.1.2.3.` })
        return { name: match?.[1] ?? '', value: match?.[2] ?? '' }
      }),
  )

/** An interface's settings as the Guests tab edits them; an empty bandwidth field means no limit. */
export const InterfaceSettingsSchema = NicRefSchema.extend({
  link: z.enum(['up', 'down'], 'Choose up or down.'),
  model: optionalText(nameLike('model')),
  portgroup: optionalText(portgroupNameProblem),
  filter: optionalText(nameLike('network filter')),
  filterParameters,
  inboundAverage: rate,
  inboundPeak: rate,
  inboundBurst: rate,
  outboundAverage: rate,
  outboundPeak: rate,
  outboundBurst: rate,
})
  .superRefine((data, ctx) => {
    for (const way of ['inbound', 'outbound'] as const) {
      if (
        data[`${way}Average`] === undefined &&
        (data[`${way}Peak`] !== undefined || data[`${way}Burst`] !== undefined)
      )
        ctx.addIssue({
          code: 'custom',
          path: [`${way}Average`],
          message: 'Give an average rate too: libvirt needs it with a peak or burst.',
        })
    }
    if (!data.filter && data.filterParameters.length)
      ctx.addIssue({ code: 'custom', path: ['filter'], message: 'Name the filter these parameters are for.' })
  })
  .transform((data) => {
    const settings: InterfaceSettings = {
      link: data.link,
      model: data.model ?? null,
      portgroup: data.portgroup ?? null,
      filter: data.filter ? { name: data.filter, parameters: data.filterParameters } : null,
      inbound: { average: data.inboundAverage, peak: data.inboundPeak, burst: data.inboundBurst },
      outbound: { average: data.outboundAverage, peak: data.outboundPeak, burst: data.outboundBurst },
    }
    for (const way of [settings.inbound, settings.outbound])
      for (const key of ['average', 'peak', 'burst'] as const) if (way[key] === undefined) delete way[key]
    return { hostId: data.hostId, guest: data.guest, mac: data.mac, settings }
  })
