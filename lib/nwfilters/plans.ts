import 'server-only'
import type { Plan } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'

/**
 * Redefines a filter (validated against libvirt's schema first); libvirt re-applies it to every running interface
 * that uses it. The undo defines the filter exactly as libvirt printed it before.
 */
export function nwfilterDefinePlan(name: string, xml: string, previousXml: string): Plan {
  return {
    title: `Redefine network filter ${name}`,
    steps: [
      {
        label: `Define network filter ${name} (validated)`,
        command: virsh('nwfilter-define', '--file', '/dev/stdin', '--validate'),
        stdin: xml,
        undo: {
          label: `Define ${name} as it was`,
          command: virsh('nwfilter-define', '--file', '/dev/stdin'),
          stdin: previousXml,
        },
      },
    ],
  }
}
