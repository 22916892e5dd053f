import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SetGuestForwardsSchema, SetMyGuestForwardsSchema } from '@/lib/forwards/schemas'

/* A guest's whole forward list travels as one form field of JSON: each item is checked as the add form checks one. */
const guest = '0f8fad5b-d9cb-469f-a165-70867728950e'
const parse = (forwards: unknown) =>
  SetGuestForwardsSchema.safeParse({ hostId: 'h', guest, forwards: JSON.stringify(forwards) })

describe('a guest’s forward list', () => {
  it('reads ports given as numbers and sources given as a list, as the form’s text', () => {
    const parsed = parse([{ protocol: 'tcp', hostPort: 8080, guestPort: '80', sourceCidrs: ['10.0.0.0/8', '1.2.3.4'] }])
    expect(parsed.success).toBe(true)
    expect(parsed.data!.forwards).toEqual([
      expect.objectContaining({
        protocol: 'tcp',
        hostPort: { start: 8080, end: 8080 },
        guestPort: { start: 80, end: 80 },
        sourceCidrs: ['10.0.0.0/8', '1.2.3.4/32'],
        hostAddress: null,
        createMapping: false,
      }),
    ])
  })

  it('names every bad item by its place, all at once', () => {
    const parsed = parse([
      { protocol: 'tcp', hostPort: '8080', guestPort: '80' },
      { protocol: 'icmp', hostPort: '70000', guestPort: '80' },
    ])
    expect(parsed.success).toBe(false)
    const messages = z.flattenError(parsed.error!).fieldErrors.forwards
    expect(messages).toEqual([
      expect.stringMatching(/^Forward 2: protocol: /),
      expect.stringMatching(/^Forward 2: hostPort: .*70000/),
    ])
  })

  it('refuses what is not a JSON list, and a guest that is not a UUID', () => {
    expect(SetGuestForwardsSchema.safeParse({ hostId: 'h', guest, forwards: '{"a":1}' }).success).toBe(false)
    expect(SetGuestForwardsSchema.safeParse({ hostId: 'h', guest: 'web1', forwards: '[]' }).success).toBe(false)
    expect(SetGuestForwardsSchema.safeParse({ hostId: 'h', guest, forwards: '[]' }).data?.forwards).toEqual([])
  })

  it('gives a self-service user no host address or mapping to set', () => {
    const parsed = SetMyGuestForwardsSchema.parse({
      guest,
      forwards: JSON.stringify([{ protocol: 'udp', hostPort: '9000', guestPort: '53', hostAddress: '10.0.0.1' }]),
    })
    expect(parsed.forwards[0]).not.toHaveProperty('hostAddress')
  })
})
