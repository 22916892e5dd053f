import 'server-only'
import { db } from '@/lib/db/client'
import { authorize } from '@/lib/auth/authorize'
import { probeHostKey } from '@/lib/ssh'
import type { HostRow } from '@/lib/hosts/store'

// What the host pages read beyond the host's row (store.ts); nothing here changes a host or the database (that is
// changes.ts).

export async function listHosts() {
  await authorize('viewHosts')
  return db.host.findMany({ orderBy: { name: 'asc' } })
}

/** The key the host offers right now, for the admin to compare with the one they expect. */
export async function offeredHostKey(host: HostRow) {
  await authorize('viewHosts')
  return probeHostKey({ address: host.address, port: host.port })
}
