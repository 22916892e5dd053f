export type HostHealth = {
  checkedAt: string
  reachable: boolean
  error?: string
  latencyMs?: number
  hostname?: string
  libvirtVersion?: string
  ipForward?: boolean
  /** a non-libvirt DNS server holding port 53 on all addresses keeps libvirt's dnsmasq from starting */
  dnsConflict?: string | null
  iptablesBackend?: 'nf_tables' | 'legacy' | 'unknown'
  /** libvirt's own firewall backend for networks */
  libvirtFirewall?: 'iptables' | 'nftables'
  /** firewalld on the host: running (its rules filter forwarded traffic too), installed but stopped, or absent */
  firewalld?: 'running' | 'stopped' | 'absent'
  warnings: string[]
}
