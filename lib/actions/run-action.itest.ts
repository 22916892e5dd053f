import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { createSession } from '@/lib/auth/session'
import { hashPassword } from '@/lib/auth/password'
import { runAction } from '@/lib/actions/run-action'
import { auditExportFilter } from '@/lib/audit/query'
import { FieldErrors } from '@/lib/core/errors'
import { toTarget } from '@/lib/hosts/store'
import { createNatNetwork } from '@/lib/networks/changes'
import { CreateNatNetworkSchema } from '@/lib/networks/schemas'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { inHostB, registeredLabHost } from '@/lib/test/lab'

/*
 * runAction outside a Next request: the one stand-in is the request (next/headers: its cookie jar, no headers), so that a real
 * session in the test database signs the actions in. Authorization, validation, the host work on lab host B and the
 * audit record are the real ones.
 */
const cookieJar = vi.hoisted(() => new Map<string, string>())
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (cookieJar.has(name) ? { name, value: cookieJar.get(name) } : undefined),
    set: (name: string, value: string) => void cookieJar.set(name, value),
    delete: (name: string) => void cookieJar.delete(name),
  }),
  // no client address or protocol headers: as outside a real server (lib/auth/client.ts)
  headers: async () => new Headers(),
}))

const prefix = `vnj-ra-${process.pid}`
const network = `${prefix}-net`
let host: Awaited<ReturnType<typeof registeredLabHost>>

async function lastAudit(action: string) {
  return db.auditEvent.findFirstOrThrow({ where: { action }, orderBy: { id: 'desc' } })
}

// For the whole file, whichever describe the shuffled order runs first: both act as this signed-in operator.
beforeAll(async () => {
  host = await registeredLabHost('lab-b')
  const user = await db.user.create({
    data: { username: `${prefix}-op`, role: 'operator', passwordHash: await hashPassword(`${prefix}-password`) },
  })
  await createSession(user.id)
})

describe('runAction audits the whole refusal', () => {
  afterAll(() => {
    // Nothing should have been defined; clean up in case a regression did define it.
    inHostB(`virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`)
  })

  const createNetwork = (action: string, input: Record<string, string>) =>
    runAction(
      {
        action,
        permission: 'manageNetworks',
        schema: CreateNatNetworkSchema,
        input: { hostId: host.row.id, name: network, ...input },
        host: async () => host.row,
        target: (data) => data.name,
      },
      async ({ data, host: row }) => {
        await createNatNetwork(row, toTarget(row), data)
        return `Created ${data.name}.`
      },
    )

  it('records the field messages of a refusal found on the host, not only "Please correct the highlighted fields."', async () => {
    const overlap = '192.168.122.128/25 overlaps 192.168.122.0/24 of network default.'
    const state = await createNetwork(`${prefix}.create`, { ipv4Cidr: '192.168.122.128/25' })
    expect(state).toMatchObject({ status: 'error', errors: { ipv4Cidr: [overlap] } })
    expect(await lastAudit(`${prefix}.create`)).toMatchObject({
      result: 'refused',
      error: `Please correct the highlighted fields. ipv4Cidr: ${overlap}`,
    })
    expect(inHostB('virsh -q net-list --all --name')).not.toContain(network)
  })

  it('does the same for a preview the host refuses', async () => {
    await createNetwork(`${prefix}.preview`, { ipv4Cidr: '192.168.122.0/25', dryRun: '1' })
    expect(await lastAudit(`${prefix}.preview`)).toMatchObject({
      result: 'refused',
      error: expect.stringContaining('ipv4Cidr: 192.168.122.0/25 overlaps 192.168.122.0/24 of network default.'),
    })
  })

  it('and for field errors thrown while resolving the host', async () => {
    const state = await runAction(
      {
        action: `${prefix}.host`,
        permission: 'manageNetworks',
        schema: CreateNatNetworkSchema,
        input: { hostId: 'nope', name: network, ipv4Cidr: '10.247.10.0/24' },
        host: async () => {
          throw new FieldErrors({ hostId: ['There is no such host.'] })
        },
      },
      async () => 'unreachable',
    )
    expect(state).toMatchObject({ status: 'error', errors: { hostId: ['There is no such host.'] } })
    expect((await lastAudit(`${prefix}.host`)).error).toBe(
      'Please correct the highlighted fields. hostId: There is no such host.',
    )
  })

  it('records a value-rule refusal by the schema with its message', async () => {
    const state = await createNetwork(`${prefix}.schema`, { ipv4Cidr: '10.247.11.0/24', bridge: '-rf' })
    expect(state.errors).toEqual({ bridge: ['"-rf" is not a Linux interface name (it starts with "-").'] })
    expect((await lastAudit(`${prefix}.schema`)).error).toBe(
      'Invalid input: bridge: "-rf" is not a Linux interface name (it starts with "-").',
    )
  })

  it('refuses a 5 MB XML as a field error that keeps the text, audited with the parameters bounded', async () => {
    const xml = `<network><name>${network}</name>${'<!-- padding -->'.repeat((5 * 1024 * 1024) / 16)}</network>`
    const state = await runAction(
      {
        action: `${prefix}.big`,
        permission: 'manageNetworks',
        schema: NetworkEditSchema,
        input: { hostId: host.row.id, name: network, xml, base: 'a'.repeat(64) },
        host: async () => host.row,
      },
      async () => 'Applied.',
    )
    expect(state).toMatchObject({
      status: 'error',
      errors: { xml: ['The XML is 5.0 MB; the editor takes at most 1 MB.'] },
    })
    expect(state.values?.xml).toBe(xml)
    const record = await lastAudit(`${prefix}.big`)
    expect(record).toMatchObject({
      result: 'refused',
      error: 'Invalid input: xml: The XML is 5.0 MB; the editor takes at most 1 MB.',
    })
    expect(JSON.parse(record.params).xml).toBe(`${xml.slice(0, 500)}… (${xml.length} characters)`)
  })
})

describe('the audit export filter', () => {
  it('refuses a filter value longer than any stored one instead of exporting every record', async () => {
    expect(await auditExportFilter({ actor: 'a'.repeat(224), format: 'csv' })).toEqual({
      problem: 'The user filter is longer than any user (at most 100 characters).',
    })
    expect(await auditExportFilter({ from: 'yesterday', page: '1e3' })).toEqual({
      problem:
        'The from time is not a date and time such as 2026-11-30T09:30. "1e3" is not a whole number from 1 to 100000; use the digits 0-9 only.',
    })
    expect(await auditExportFilter({ actor: ` ${prefix}-op `, result: '', from: '' })).toMatchObject({
      filter: { actor: `${prefix}-op`, result: undefined, from: undefined, page: 1 },
    })
  })
})
