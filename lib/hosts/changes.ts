import 'server-only'
import { db } from '@/lib/db/client'
import { Prisma } from '@/lib/db/generated/client'
import { closeHostSession, probeHostKey } from '@/lib/ssh'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { checkHealth } from '@/lib/hosts/health'
import { requireHost, toTarget, type HostRow } from '@/lib/hosts/store'

// What changes the hosts Virtnet knows: adding, pinning the key, recording health, removing. What the host pages
// read is in read.ts and store.ts.

export type NewHost = { name: string; address: string; port: number; username: string; useSudo: boolean }

/** Registers a host unconfirmed: nothing runs on it until an admin confirms the key fingerprint it offers. */
export async function addHost(input: NewHost): Promise<HostRow> {
  const clash = await db.host.findFirst({
    where: { OR: [{ name: input.name }, { address: input.address, port: input.port }] },
  })
  if (clash?.name === input.name) throw new FieldErrors({ name: [`A host named ${input.name} already exists.`] })
  if (clash)
    throw new FieldErrors({ address: [`${input.address}:${input.port} is already registered as ${clash.name}.`] })
  // Reaching the SSH server now catches a wrong address or port while the operator is still at the form.
  const offered = await probeHostKey({ address: input.address, port: input.port })
  try {
    return await db.host.create({ data: { ...input, hostKeyType: offered.keyType } })
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
      throw new FieldErrors({ name: ['That host was just added by someone else.'] })
    throw error
  }
}

/**
 * Pins the fingerprint the admin saw. The host is asked again, so a key that changed between showing the page and
 * pressing Confirm is refused rather than pinned unseen.
 */
export async function confirmHostKey(hostId: string, fingerprint: string): Promise<HostRow> {
  const host = await requireHost(hostId)
  const offered = await probeHostKey({ address: host.address, port: host.port })
  if (offered.fingerprint !== fingerprint) {
    throw new OperatorError(
      `The host now offers ${offered.fingerprint}, not the ${fingerprint} you confirmed. Reload the page and compare again.`,
    )
  }
  closeHostSession(host.id)
  const updated = await db.host.update({
    where: { id: host.id },
    data: { pinnedFingerprint: fingerprint, hostKeyType: offered.keyType },
  })
  return refreshHealth(updated)
}

/**
 * An explicit connection test. checkHealth tests on a fresh connection of its own, so a changed host key or a revoked
 * login shows now, not later, while the host's shared session and the work in flight on it carry on.
 */
export async function testHostConnection(host: HostRow): Promise<HostRow> {
  return refreshHealth(host)
}

export async function refreshHealth(host: HostRow): Promise<HostRow> {
  const health = await checkHealth(toTarget(host))
  return db.host.update({
    where: { id: host.id },
    data: { health: JSON.stringify(health), healthCheckedAt: new Date() },
  })
}

export async function removeHost(hostId: string, confirmName: string): Promise<HostRow> {
  const host = await requireHost(hostId)
  if (confirmName !== host.name) throw new FieldErrors({ confirmName: [`Type ${host.name} to confirm.`] })
  closeHostSession(host.id)
  await db.host.delete({ where: { id: host.id } })
  return host
}
