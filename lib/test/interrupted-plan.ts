// The plan of the restart test (lib/boot/recovery.itest.ts): define a network, enable its autostart, wait while a
// hold file exists on the host (the step a restart cuts short), start the network. Each step carries a probe, so the
// start-up's re-read can say what is in effect (the wait's: the hold file is gone).
import { sh } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'
import { buildNatNetworkXml } from '@/lib/libvirt-xml/network-build'
import type { Plan } from '@/lib/plan/plan'

export type InterruptedPlanInput = { name: string; bridge: string; ipv4Cidr: string; holdFile: string }

const netInfoSays = (name: string, field: string) =>
  sh`${virsh('net-info', '--network', name)} | grep -Eq ${`^${field}: +yes$`}`

export function interruptedPlan({ name, bridge, ipv4Cidr, holdFile }: InterruptedPlanInput): Plan {
  return {
    title: `Create network ${name} (interrupted)`,
    steps: [
      {
        label: `Define network ${name}`,
        command: virsh('net-define', '--file', '/dev/stdin'),
        stdin: buildNatNetworkXml({ name, bridge, ipv4Cidr }),
        undo: { label: `Undefine network ${name}`, command: virsh('net-undefine', '--network', name) },
        probe: netInfoSays(name, 'Persistent'),
      },
      {
        label: `Enable autostart of ${name}`,
        command: virsh('net-autostart', '--network', name),
        undo: {
          label: `Disable autostart of ${name}`,
          command: virsh('net-autostart', '--network', name, '--disable'),
        },
        probe: netInfoSays(name, 'Autostart'),
      },
      {
        label: `Wait while ${holdFile} exists`,
        command: sh`while test -e ${holdFile}; do sleep 1; done`,
        timeoutMs: 120_000,
        probe: sh`test ! -e ${holdFile}`,
      },
      {
        label: `Start network ${name}`,
        command: virsh('net-start', '--network', name),
        undo: { label: `Stop network ${name}`, command: virsh('net-destroy', '--network', name) },
        probe: netInfoSays(name, 'Active'),
      },
    ],
  }
}
