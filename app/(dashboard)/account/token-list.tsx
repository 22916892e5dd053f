import { ActionButton } from '@/app/ui/action-button'
import type { FormState } from '@/lib/actions/form-state'

type Listed = {
  id: string
  name: string
  prefix: string
  scope: string
  createdAt: Date
  expiresAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
  user?: { username: string }
}

const when = (at: Date | null) => (at ? at.toISOString().slice(0, 16).replace('T', ' ') : '—')

function stateOf(token: Listed): string {
  if (token.revokedAt) return `revoked ${when(token.revokedAt)}`
  if (token.expiresAt.getTime() <= Date.now()) return 'expired'
  return 'live'
}

/** Personal access tokens, the user's own (Account) or everyone's (Users, for administrators), each revocable. */
export function TokenList({
  tokens,
  revoke,
  showOwner = false,
}: {
  tokens: Listed[]
  revoke: (previous: FormState, formData: FormData) => Promise<FormState>
  showOwner?: boolean
}) {
  if (tokens.length === 0) return <p className="text-sm text-slate-500 dark:text-slate-400">No tokens.</p>
  return (
    <table className="text-sm" aria-label="API tokens">
      <thead>
        <tr className="text-left">
          {showOwner && <th className="pr-4">User</th>}
          <th className="pr-4">Name</th>
          <th className="pr-4">Token</th>
          <th className="pr-4">Scope</th>
          <th className="pr-4">Expires</th>
          <th className="pr-4">Last used</th>
          <th className="pr-4">State</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {tokens.map((token) => (
          <tr key={token.id} data-testid={`token-${token.name}`}>
            {showOwner && <td className="pr-4">{token.user?.username}</td>}
            <td className="pr-4">{token.name}</td>
            <td className="pr-4 font-mono">{token.prefix}…</td>
            <td className="pr-4">{token.scope === 'write' ? 'read-write' : 'read-only'}</td>
            <td className="pr-4">{when(token.expiresAt)}</td>
            <td className="pr-4">{when(token.lastUsedAt)}</td>
            <td className="pr-4">{stateOf(token)}</td>
            <td>
              {!token.revokedAt && (
                <ActionButton
                  action={revoke}
                  fields={{ tokenId: token.id }}
                  label="Revoke"
                  confirm={{
                    title: `Revoke the token "${token.name}"?`,
                    consequences:
                      'Scripts and the virtnet command using it are refused from now on; this cannot be undone.',
                    confirmLabel: 'Revoke token',
                  }}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
