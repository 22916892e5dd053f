import 'server-only'
import { recordSignedOutRefusal } from '@/lib/audit/refusals'
import { requestClient } from '@/lib/auth/client'
import { tokenPrefix } from '@/lib/auth/api-tokens'
import { log } from '@/lib/telemetry/log'

/*
 * A request with a token that is not known, has expired or was revoked (or whose user is disabled) is refused with
 * 401 and audited: a leaked or forgotten token still in use is something an auditor must see. The sender pays nothing
 * per request, though, and every audit record stays for good, so the records go through the same per-minute window as
 * signed-out refusals (lib/audit/refusals.ts), keyed by the token's prefix (the first characters the Account page
 * shows, "vn_" and six more) instead of the client's address:
 *   - one record per token prefix and minute, naming the reason, the client, the method and the path;
 *   - the rest of that minute only counted, then ONE summary record per prefix ("N more refused requests …");
 *   - an attacker trying a new made-up token every request gets a new prefix each time, but past
 *     maxClientsPerMinute buckets in one minute they all share the one bucket "(more clients)": the audit grows by a
 *     bounded number of records per minute whatever the rate.
 * The prefix is no secret (it is shown in token listings); the rest of the secret is never recorded.
 */

export type TokenRefusalReason = 'unknown' | 'expired' | 'revoked' | 'disabled'

/** What the audit names a token by: its shown prefix, or "(not a Virtnet token)" for anything else sent. */
export function tokenBucketOf(secret: string): string {
  const prefix = secret.slice(0, tokenPrefix.length + 6)
  return secret.startsWith(tokenPrefix) && /^[A-Za-z0-9_-]+$/.test(prefix) ? `token ${prefix}…` : 'token (not vn_…)'
}

export async function auditTokenRefusal(
  reason: TokenRefusalReason,
  secret: string,
  request: { method: string; nextUrl: { pathname: string } },
  detail: string,
): Promise<void> {
  const bucket = tokenBucketOf(secret)
  const client = (await requestClient()).address
  log.warn({ result: 'refused', target: bucket, client, reason }, 'API token refused')
  await recordSignedOutRefusal(bucket, {
    actor: { id: null, username: '(anonymous)' },
    action: 'api.token.refused',
    target: bucket,
    params: { reason, client, method: request.method, path: request.nextUrl.pathname },
    result: 'refused',
    error: detail,
  })
}
