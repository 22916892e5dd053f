import 'server-only'

/**
 * libvirt's start failures of a hostdev pool, in plain words. "No usable Vf's present on SRIOV PF X" means the PF
 * has no VF to hand out: SR-IOV is off (sriov_numvfs is 0), the device has no SR-IOV at all, or all VFs are taken.
 */
export function plainPoolStartError(pool: string, message: string): string | null {
  const noVfs = /No usable Vf's present on SRIOV PF (\S+?)\.?$/im.exec(message)
  if (noVfs) {
    return `Pool ${pool} cannot start: the physical function ${noVfs[1]} has no usable virtual functions (VFs). Either SR-IOV is not enabled on it (set its number of VFs above), the device does not support SR-IOV, or every VF is already in use.`
  }
  if (/Could not find PF|No such device|Cannot get interface/i.test(message)) {
    return `Pool ${pool} cannot start: its physical function does not exist on this host (was the NIC renamed or removed?).`
  }
  return null
}
