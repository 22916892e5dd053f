import 'server-only'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'
import { stockDefaultNetworkPath } from '@/lib/libvirt/read-networks'

// Each host change is a list of steps with their undo, so a failure half-way rolls the host back.

const start = (name: string): PlanStep => ({
  label: `Start network ${name}`,
  command: virsh('net-start', '--network', name),
  undo: { label: `Stop network ${name}`, command: virsh('net-destroy', '--network', name) },
})

const autostart = (name: string, enabled: boolean): PlanStep => ({
  label: `${enabled ? 'Enable' : 'Disable'} autostart of ${name}`,
  command: virsh('net-autostart', '--network', name, ...(enabled ? [] : ['--disable'])),
  undo: {
    label: `${enabled ? 'Disable' : 'Enable'} autostart of ${name}`,
    command: virsh('net-autostart', '--network', name, ...(enabled ? ['--disable'] : [])),
  },
})

export function defineNetworkPlan(name: string, xml: string, options: { autostart: boolean; start: boolean }): Plan {
  const steps: PlanStep[] = [
    {
      label: `Define network ${name}`,
      // The XML travels on stdin, never on the command line.
      command: virsh('net-define', '--file', '/dev/stdin'),
      stdin: xml,
      undo: { label: `Undefine network ${name}`, command: virsh('net-undefine', '--network', name) },
    },
  ]
  if (options.autostart) steps.push(autostart(name, true))
  if (options.start) steps.push(start(name))
  return { title: `Create network ${name}`, steps }
}

export function startNetworkPlan(name: string): Plan {
  return { title: `Start network ${name}`, steps: [start(name)] }
}

export function stopNetworkPlan(name: string): Plan {
  return {
    title: `Stop network ${name}`,
    steps: [
      {
        label: `Stop network ${name}`,
        command: virsh('net-destroy', '--network', name),
        undo: { label: `Start network ${name}`, command: virsh('net-start', '--network', name) },
      },
    ],
  }
}

export function autostartPlan(name: string, enabled: boolean): Plan {
  return { title: `${enabled ? 'Enable' : 'Disable'} autostart of ${name}`, steps: [autostart(name, enabled)] }
}

/**
 * Undefining is undone by defining the saved definition again, so a failed stop leaves the network as it was. The
 * saved XML does not carry autostart and net-undefine drops it, so an autostarted network first turns it off in a step
 * of its own, whose undo turns it back on.
 */
export function undefineNetworkPlan(
  name: string,
  savedXml: string,
  state: { active: boolean; autostart: boolean },
): Plan {
  const steps: PlanStep[] = []
  if (state.active) {
    steps.push({
      label: `Stop network ${name}`,
      command: virsh('net-destroy', '--network', name),
      undo: { label: `Start network ${name}`, command: virsh('net-start', '--network', name) },
    })
  }
  if (state.autostart) steps.push(autostart(name, false))
  steps.push({
    label: `Undefine network ${name}`,
    command: virsh('net-undefine', '--network', name),
    undo: {
      label: `Define network ${name} again`,
      command: virsh('net-define', '--file', '/dev/stdin'),
      stdin: savedXml,
    },
  })
  return { title: `Undefine network ${name}`, steps }
}

export function restoreDefaultPlan(): Plan {
  return {
    title: 'Restore the stock default network',
    steps: [
      {
        label: `Define default from ${stockDefaultNetworkPath}`,
        command: virsh('net-define', '--file', stockDefaultNetworkPath),
        undo: { label: 'Undefine default', command: virsh('net-undefine', '--network', 'default') },
      },
      autostart('default', true),
      start('default'),
    ],
  }
}
