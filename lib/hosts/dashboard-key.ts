import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { refuseInPreview } from '@/lib/core/preview-scope'
import { FieldErrors, NothingToPreview, OperatorError } from '@/lib/core/errors'
import { retireAllSessions, testConnection } from '@/lib/ssh'
import {
  createPendingIdentity,
  dashboardIdentity,
  discardPendingIdentity,
  pendingIdentity,
  promotePendingIdentity,
  type DashboardIdentity,
} from '@/lib/ssh/identity'
import { toTarget } from '@/lib/hosts/store'

/*
 * Rotating the dashboard's own SSH key without losing a host: a new key is generated beside the one in use and shown
 * for authorizing on every host; each host is tested with it on a connection of its own (its pinned host key, the
 * host's user, sudo included); and only when every host with a confirmed key accepts it is the old key retired and
 * the new one put in use. Until then nothing changes: the old key stays in use.
 */

/** One host's answer to a login with the new key. */
export type KeyCheck = { host: string; accepts: boolean; problem?: string }

type KeyView = Pick<DashboardIdentity, 'publicKey' | 'fingerprint'>
const view = ({ publicKey, fingerprint }: DashboardIdentity): KeyView => ({ publicKey, fingerprint })

/** What the key page shows: the key in use, the one waiting (if any), and which hosts a rotation would test. */
export async function dashboardKeyPageData() {
  await authorize('manageHosts')
  const hosts = await db.host.findMany({ orderBy: { name: 'asc' }, select: { name: true, pinnedFingerprint: true } })
  const pending = pendingIdentity()
  return {
    current: view(dashboardIdentity()),
    pending: pending && view(pending),
    tested: hosts.filter((host) => host.pinnedFingerprint).map((host) => host.name),
    unconfirmed: hosts.filter((host) => !host.pinnedFingerprint).map((host) => host.name),
  }
}

const ownKeyOnly = () => new NothingToPreview("it changes the dashboard's own SSH key, not a host")

export function generateDashboardKey(): KeyView {
  refuseInPreview(ownKeyOnly)
  return view(createPendingIdentity())
}

/** The waiting key, refused unless it is the one the operator saw (another admin may have generated a new one since). */
function pendingKeySeen(fingerprint: string): DashboardIdentity {
  const pending = pendingIdentity()
  if (!pending) throw new OperatorError('There is no new key to use: generate one first.')
  if (pending.fingerprint !== fingerprint)
    throw new FieldErrors({
      fingerprint: [
        `The new key is now ${pending.fingerprint}, not the one shown: reload the page and check it again.`,
      ],
    })
  return pending
}

export function discardDashboardKey(fingerprint: string): void {
  refuseInPreview(ownKeyOnly)
  pendingKeySeen(fingerprint)
  discardPendingIdentity()
}

/** Logs in to every host with a confirmed key using the new key, all at once; each host answers for itself. */
export async function testPendingKey(fingerprint: string): Promise<KeyCheck[]> {
  refuseInPreview(ownKeyOnly)
  const pending = pendingKeySeen(fingerprint)
  const hosts = await db.host.findMany({ where: { pinnedFingerprint: { not: null } }, orderBy: { name: 'asc' } })
  return Promise.all(
    hosts.map(async (host): Promise<KeyCheck> => {
      try {
        await testConnection(toTarget(host), undefined, pending)
        return { host: host.name, accepts: true }
      } catch (error) {
        return { host: host.name, accepts: false, problem: (error as Error).message }
      }
    }),
  )
}

export function describeChecks(checks: KeyCheck[]): string {
  return checks
    .map((check) => (check.accepts ? `${check.host}: accepts it` : `${check.host}: ${check.problem}`))
    .join(' ')
}

/**
 * Puts the new key in use once every host with a confirmed key accepts it; refuses, naming the hosts that do not,
 * and changes nothing otherwise. The old key file is retired (renamed beside it); every host's next command
 * connects with the new key.
 */
export async function rotateDashboardKey(fingerprint: string): Promise<{ checks: KeyCheck[]; retiredKeyPath: string }> {
  const checks = await testPendingKey(fingerprint)
  const refusing = checks.filter((check) => !check.accepts)
  if (refusing.length)
    throw new OperatorError(
      `The old key stays in use: ${refusing.length} of ${checks.length} host(s) do not accept the new key yet. ` +
        `Authorize it there and try again. ${describeChecks(refusing)}`,
    )
  const { retiredKeyPath } = promotePendingIdentity()
  retireAllSessions()
  return { checks, retiredKeyPath }
}
