export const roles = ['admin', 'operator', 'auditor', 'selfservice'] as const
export type Role = (typeof roles)[number]

export const roleLabels: Record<Role, string> = {
  admin: 'Administrator',
  operator: 'Operator',
  auditor: 'Auditor (read-only)',
  selfservice: 'Self-service',
}

/** Who may do what; every server action and data function checks one of these. */
export const can = {
  viewHosts: ['admin', 'operator', 'auditor'],
  manageHosts: ['admin'],
  manageNetworks: ['admin', 'operator'],
  // A network's <dnsmasq:options> is dnsmasq configuration run as root on the host (a dhcp-script, any conf-file).
  editDnsmasqOptions: ['admin'],
  viewAudit: ['admin', 'operator', 'auditor'],
  manageUsers: ['admin'],
  viewJobs: ['admin', 'operator', 'auditor'],
  ownAccount: ['admin', 'operator', 'auditor', 'selfservice'],
  manageSriov: ['admin', 'operator'],
  // A host bridge over the NIC can cut the SSH path to the host: administrators only.
  manageBridges: ['admin'],
  manageForwards: ['admin', 'operator'],
  selfService: ['selfservice'],
  manageGuests: ['admin', 'operator'],
} as const satisfies Record<string, readonly Role[]>

export type Permission = keyof typeof can

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value)
}
