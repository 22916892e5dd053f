import { describe, expect, it } from 'vitest'
import {
  conflictingForward,
  conflictingListener,
  guestRangeProblem,
  parsePortRange,
  selfServiceProblem,
} from '@/lib/forwards/validate'
import { parseSsListeners } from '@/lib/host-output/ss-listeners'
import { AddForwardSchema } from '@/lib/forwards/schemas'

describe('forward validation', () => {
  it('reads ports and ranges and refuses anything outside 1–65535', () => {
    expect(parsePortRange('8080')).toEqual({ start: 8080, end: 8080 })
    expect(parsePortRange(' 8000-8010 ')).toEqual({ start: 8000, end: 8010 })
    expect(parsePortRange('8000:8010')).toEqual({ start: 8000, end: 8010 })
    for (const bad of ['0', '65536', '10-5', 'http', '1-2-3', '']) expect(parsePortRange(bad)).toBeNull()
  })

  it('gives field errors for bad input through the schema', () => {
    const result = AddForwardSchema.safeParse({
      hostId: 'h',
      guest: 'x',
      protocol: 'icmp',
      hostPort: '70000',
      guestPort: '80',
      sourceCidrs: '10.0.0.0/33',
    })
    expect(result.success).toBe(false)
    const fields = Object.keys(result.error!.flatten().fieldErrors).sort()
    expect(fields).toEqual(['guest', 'hostPort', 'protocol', 'sourceCidrs'])
  })

  it('finds overlapping forwards per protocol and address', () => {
    const existing = [
      { id: 'a', protocol: 'tcp', hostPortStart: 8000, hostPortEnd: 8010, hostAddress: null, guestName: 'g' },
    ]
    expect(conflictingForward(existing, 'tcp', { start: 8010, end: 8020 }, null)?.id).toBe('a')
    expect(conflictingForward(existing, 'tcp', { start: 8011, end: 8020 }, null)).toBeUndefined()
    expect(conflictingForward(existing, 'udp', { start: 8005, end: 8005 }, null)).toBeUndefined()
    const bound = [{ ...existing[0]!, hostAddress: '10.0.0.1' }]
    expect(conflictingForward(bound, 'tcp', { start: 8005, end: 8005 }, '10.0.0.2')).toBeUndefined()
    expect(conflictingForward(bound, 'tcp', { start: 8005, end: 8005 }, null)?.id).toBe('a')
  })

  it('finds host services on the port, loopback-only ones included', () => {
    const sockets = parseSsListeners(
      [
        'tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:*',
        'tcp LISTEN 0 128 127.0.0.1:631 0.0.0.0:*',
        'udp UNCONN 0 0 192.168.122.1:53 0.0.0.0:*',
        'tcp LISTEN 0 128 [::]:8443 [::]:*',
      ].join('\n'),
    )
    expect(conflictingListener(sockets, 'tcp', { start: 20, end: 25 }, null)?.local.port).toBe(22)
    // A forward must not take a port a local service listens on, even on loopback only (CUPS here).
    expect(conflictingListener(sockets, 'tcp', { start: 631, end: 631 }, null)?.local.address).toBe('127.0.0.1')
    expect(conflictingListener(sockets, 'tcp', { start: 631, end: 631 }, '10.0.0.1')).toBeUndefined()
    expect(conflictingListener(sockets, 'udp', { start: 53, end: 53 }, null)?.local.address).toBe('192.168.122.1')
    expect(conflictingListener(sockets, 'udp', { start: 53, end: 53 }, '10.0.0.1')).toBeUndefined()
    expect(conflictingListener(sockets, 'tcp', { start: 8443, end: 8443 }, '10.0.0.1')?.local.port).toBe(8443)
    expect(conflictingListener(sockets, 'udp', { start: 22, end: 22 }, null)).toBeUndefined()
  })

  it('allows single→single and identical ranges only', () => {
    expect(guestRangeProblem({ start: 80, end: 80 }, { start: 8080, end: 8080 })).toBeNull()
    expect(guestRangeProblem({ start: 80, end: 80 }, { start: 80, end: 81 })).toMatch(/single guest port/)
    expect(guestRangeProblem({ start: 5000, end: 5010 }, { start: 5000, end: 5010 })).toBeNull()
    expect(guestRangeProblem({ start: 5000, end: 5010 }, { start: 6000, end: 6010 })).toMatch(/same ports/)
  })

  it('holds self-service users to their range and count', () => {
    const limits = { portMin: 20000, portMax: 20099, maxForwards: 2 }
    expect(selfServiceProblem(limits, { start: 20000, end: 20001 }, 1)).toBeNull()
    expect(selfServiceProblem(limits, { start: 20099, end: 20100 }, 0)?.message).toBe(
      'Host port 20099–20100 is outside your allowed range 20000–20099.',
    )
    expect(selfServiceProblem(limits, { start: 20010, end: 20010 }, 2)?.message).toMatch(/maximum is 2/)
    expect(selfServiceProblem(null, { start: 20010, end: 20010 }, 0)?.message).toMatch(/not given you/)
  })
})
