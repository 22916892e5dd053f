export const e2eUsers = {
  admin: { username: 'e2e-admin', role: 'admin', password: 'e2e-admin-password-1' },
  operator: { username: 'e2e-operator', role: 'operator', password: 'e2e-operator-password-1' },
  auditor: { username: 'e2e-auditor', role: 'auditor', password: 'e2e-auditor-password-1' },
} as const

export type E2eUser = (typeof e2eUsers)[keyof typeof e2eUsers]
