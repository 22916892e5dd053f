import { describe, expect, it } from 'vitest'
import { lastAdminRefusal } from './admin-guard'

const admin = { username: 'root-admin', role: 'admin', disabledAt: null }

describe('the last enabled administrator keeps their rights', () => {
  it('refuses disabling or demoting the only enabled administrator', () => {
    expect(lastAdminRefusal(admin, 0, 'disabling them')).toBe(
      'root-admin is the last enabled administrator: disabling them would leave nobody to manage users.',
    )
  })

  it('lets it through when another enabled administrator remains', () => {
    expect(lastAdminRefusal(admin, 1, 'disabling them')).toBeNull()
  })

  it('never stands in the way for a user who is no administrator, or one already disabled', () => {
    expect(lastAdminRefusal({ ...admin, role: 'operator' }, 0, 'disabling them')).toBeNull()
    expect(lastAdminRefusal({ ...admin, disabledAt: new Date() }, 0, 'taking the role away')).toBeNull()
  })
})
