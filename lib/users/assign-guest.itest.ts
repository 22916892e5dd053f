import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { db } from '@/lib/db/client'
import { hashPassword } from '@/lib/auth/password'
import { FieldErrors } from '@/lib/core/errors'
import { assignGuest } from '@/lib/users/changes'
import { AssignGuestSchema } from '@/lib/users/schemas'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

/*
 * A guest assigned to a self-service user is found on lab hosts B (libvirt 9) and C (libvirt 11) by name or UUID and
 * kept by UUID with its name. A number is no guest: virsh would read "1" as the id of whichever guest runs as domain 1
 * (on host B, vnlab-b1; on host C, vnlab-c1).
 */
describe.each(libvirtLabHosts)('assigning a guest on $name (libvirt $libvirt) to a self-service user', (lab) => {
  const prefix = `vnl-assign-${process.pid}-${lab.name}`
  const guest = lab.guest
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  let userId: string

  async function refusal(typed: string) {
    try {
      await assignGuest(userId, host.row.id, typed)
    } catch (error) {
      if (error instanceof FieldErrors) return error.errors
      throw error
    }
    return undefined
  }

  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
    const user = await db.user.create({
      data: { username: `${prefix}-ss`, role: 'selfservice', passwordHash: await hashPassword(`${prefix}-password`) },
    })
    userId = user.id
  })
  afterAll(async () => {
    await db.selfServiceGuest.deleteMany({ where: { userId } })
    await db.user.deleteMany({ where: { id: userId } })
  })

  const uuid = () => lab.exec(`virsh domuuid ${guest}`).trim()
  const grants = () => db.selfServiceGuest.findMany({ where: { userId }, select: { guestUuid: true, guestName: true } })

  it('refuses a number in the form, in words', () => {
    const parsed = AssignGuestSchema.safeParse({ userId, hostId: host.row.id, guestName: '1' })
    expect(parsed.success).toBe(false)
    expect(z.flattenError(parsed.error!).fieldErrors).toEqual({
      guestName: ['"1" is a number, which libvirt reads as a running guest\'s id; enter the guest\'s name or UUID.'],
    })
  })

  it('does not take the guest that runs as domain N for a guest named "N"', async () => {
    // The id the lab guest runs as now (1 on a fresh lab; a restart of the host's guests moves it on).
    await db.selfServiceGuest.deleteMany({ where: { userId } })
    const id = lab.exec(`virsh domid ${guest}`).trim()
    expect(id).toMatch(/^\d+$/)
    expect(await refusal(id)).toEqual({ guestName: [`${host.row.name} has no guest named ${id}.`] })
    expect(await grants()).toEqual([])
  })

  it('keeps a guest typed by name, or by UUID, by its UUID with its name', async () => {
    await db.selfServiceGuest.deleteMany({ where: { userId } })
    await assignGuest(userId, host.row.id, guest)
    expect(await grants()).toEqual([{ guestUuid: uuid(), guestName: guest }])
    await db.selfServiceGuest.deleteMany({ where: { userId } })
    const { name } = await assignGuest(userId, host.row.id, uuid().toUpperCase())
    expect(name).toBe(guest)
    expect(await grants()).toEqual([{ guestUuid: uuid(), guestName: guest }])
  })

  it('refuses a guest the host does not have', async () => {
    expect(await refusal(`${prefix}-none`)).toEqual({
      guestName: [`${host.row.name} has no guest named ${prefix}-none.`],
    })
  })
})
