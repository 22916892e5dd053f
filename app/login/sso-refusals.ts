import type { SsoRefusal } from '@/lib/users/sso'

/** What the sign-in page says after a refused single sign-on (the audit record has the details). */
export function ssoRefusalText(reason: string | undefined, provider: string): string | null {
  const texts: Record<SsoRefusal, string> = {
    expired: `The sign-in through ${provider} was not started in this browser or took too long. Try again.`,
    failed: `${provider} did not confirm the sign-in. Try again; if it keeps failing, tell an administrator.`,
    'no-role': `Your ${provider} account is in no group that Virtnet gives a role to. Ask an administrator for access.`,
    'bad-username': `Your ${provider} account's user name cannot be a Virtnet user name. Tell an administrator.`,
    'name-taken': `A Virtnet user with your name exists and signs in with a password, not through ${provider}.`,
    disabled: 'Your Virtnet account is disabled.',
  }
  return reason && reason in texts ? texts[reason as SsoRefusal] : null
}
