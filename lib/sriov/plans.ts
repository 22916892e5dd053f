import 'server-only'
import { sh } from '@/lib/ssh'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'

const numVfsPath = (pf: string) => sh`/sys/class/net/${pf}/device/sriov_numvfs`
const writeNumVfs = (pf: string, count: number) => sh`echo ${count} > ${numVfsPath(pf)}`

/**
 * The kernel refuses to change a PF from one non-zero VF count to another (EBUSY), so a change goes through 0.
 * Each write's undo restores the count before it.
 */
export function setVfCountPlan(pf: string, current: number, wanted: number): Plan {
  const steps: PlanStep[] = []
  if (current > 0) {
    steps.push({
      label: `Disable the ${current} VFs of ${pf}`,
      command: writeNumVfs(pf, 0),
      undo: { label: `Enable ${current} VFs on ${pf} again`, command: writeNumVfs(pf, current) },
    })
  }
  if (wanted > 0) {
    steps.push({
      label: `Enable ${wanted} VFs on ${pf}`,
      command: writeNumVfs(pf, wanted),
      undo: { label: `Disable the VFs of ${pf}`, command: writeNumVfs(pf, 0) },
    })
  }
  return { title: `Set the number of VFs of ${pf} to ${wanted}`, steps }
}

export function readVfCountCommand(pf: string) {
  return sh`cat ${numVfsPath(pf)}`
}

export function definePoolPlan(name: string, xml: string, autostart: boolean): Plan {
  const steps: PlanStep[] = [
    {
      label: `Define pool network ${name}`,
      command: virsh('net-define', '--validate', '--file', '/dev/stdin'),
      stdin: xml,
      undo: { label: `Undefine ${name}`, command: virsh('net-undefine', '--network', name) },
    },
  ]
  if (autostart)
    steps.push({
      label: `Start ${name} with libvirtd`,
      command: virsh('net-autostart', '--network', name),
      undo: { label: `Disable autostart of ${name}`, command: virsh('net-autostart', '--network', name, '--disable') },
    })
  return { title: `Create SR-IOV pool ${name}`, steps }
}

/** Attach or detach one interface: in the saved config always (so the MAC stays across reboots), and live while the guest runs. */
export function interfacePlan(kind: 'attach' | 'detach', guest: string, xml: string, running: boolean): Plan {
  const flags = ['--config', ...(running ? ['--live'] : [])]
  const attach = virsh('attach-device', '--domain', guest, '--file', '/dev/stdin', ...flags)
  const detach = virsh('detach-device', '--domain', guest, '--file', '/dev/stdin', ...flags)
  const [command, undo] = kind === 'attach' ? [attach, detach] : [detach, attach]
  const label = kind === 'attach' ? `Attach the interface to ${guest}` : `Detach the interface from ${guest}`
  return {
    title: label,
    steps: [
      {
        label,
        command,
        stdin: xml,
        undo: { label: kind === 'attach' ? `Detach it again` : `Attach it again`, command: undo, stdin: xml },
      },
    ],
  }
}
