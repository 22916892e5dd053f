import 'server-only'

type UserState = { username: string; role: string; disabledAt: Date | null }

/**
 * Why a change may not take `user`'s administration away (`what`: "disabling them", "taking the role away"), or null:
 * the last enabled administrator keeps it, else nobody could manage users, or undo the change, from the dashboard.
 */
export function lastAdminRefusal(user: UserState, otherEnabledAdmins: number, what: string): string | null {
  if (user.role !== 'admin' || user.disabledAt || otherEnabledAdmins > 0) return null
  return `${user.username} is the last enabled administrator: ${what} would leave nobody to manage users.`
}
