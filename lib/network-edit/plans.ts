import 'server-only'
import { sh, type ShellCommand } from '@/lib/ssh'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'
import type { LiveUpdate } from '@/lib/network-edit/classify'
import type { GuestTap } from '@/lib/network-edit/taps'

const defineFromStdin = () => virsh('net-define', '--validate', '--file', '/dev/stdin')

/** `net-update` with its fragment on stdin; --config too for persistent networks, so the change survives a restart. */
function updateCommand(
  network: string,
  update: Pick<LiveUpdate, 'command' | 'section' | 'parentIndex'>,
  flags: string[],
): ShellCommand {
  const index = update.parentIndex === undefined ? [] : ['--parent-index', String(update.parentIndex)]
  return virsh(
    'net-update',
    '--network',
    network,
    '--command',
    update.command,
    '--section',
    update.section,
    '--xml',
    '/dev/stdin',
    ...index,
    ...flags,
  )
}

export function liveUpdatePlan(
  network: string,
  updates: LiveUpdate[],
  options: { active: boolean; persistent: boolean },
): Plan {
  const flags = [...(options.active ? ['--live'] : []), ...(options.persistent ? ['--config'] : [])]
  return {
    title: `Update network ${network} in place`,
    steps: updates.map((update) => {
      const inverse = inverseOf(update)
      return {
        label: `${verb[update.command]} ${update.section} entry ${update.xml}`,
        command: updateCommand(network, update, flags),
        stdin: update.xml,
        undo: {
          label: `${verb[inverse.command]} ${update.section} entry ${inverse.xml}`,
          command: updateCommand(network, inverse, flags),
          stdin: inverse.xml,
        },
      }
    }),
  }
}

const verb: Record<LiveUpdate['command'], string> = {
  'add-first': 'Add',
  'add-last': 'Add',
  delete: 'Remove',
  modify: 'Change',
}

function inverseOf(update: LiveUpdate): LiveUpdate {
  if (update.command === 'delete') return { ...update, command: 'add-last' }
  if (update.command === 'modify') return { ...update, xml: update.previous ?? update.xml, previous: update.xml }
  return { ...update, command: 'delete' }
}

/** Saving a definition; undone by saving the previous one. libvirt validates it against its schema first. */
export function defineEditPlan(network: string, xml: string, previousXml: string): Plan {
  return {
    title: `Save the new definition of ${network}`,
    steps: [
      {
        label: `Define ${network} from the edited XML (validated by libvirt)`,
        command: defineFromStdin(),
        stdin: xml,
        undo: { label: `Define ${network} from its previous XML`, command: defineFromStdin(), stdin: previousXml },
      },
    ],
  }
}

const reattach = (tap: string, bridge: string) =>
  sh`ip link set dev ${tap} master ${bridge} && ip link set dev ${tap} up`

/**
 * The classic "restart the network, then re-attach every guest interface" sequence. libvirt does not plug running
 * guests' taps into the re-created bridge, so each tap is its own step, and a last step checks all of them. A failure
 * rolls back to the previous definition, restarted, with the taps plugged into its bridge again.
 */
export function restartReattachPlan(input: {
  network: string
  previousXml: string
  previousBridge: string
  bridge: string
  taps: GuestTap[]
}): Plan {
  const { network, previousXml, previousBridge, bridge, taps } = input
  const restoreOld = [
    sh`${defineFromStdin()} && ${virsh('net-start', '--network', network)}`,
    ...taps.map((t) => reattach(t.tap, previousBridge)),
  ].reduce((all, next) => sh`${all} && ${next}`)
  const steps: PlanStep[] = [
    {
      label: `Stop network ${network} (its new definition is already saved)`,
      command: virsh('net-destroy', '--network', network),
      undo: {
        label: `Restore the previous definition of ${network}, start it and re-attach its guests`,
        command: restoreOld,
        stdin: previousXml,
      },
    },
    {
      label: `Start network ${network} with the new definition`,
      command: virsh('net-start', '--network', network),
      undo: { label: `Stop network ${network}`, command: virsh('net-destroy', '--network', network) },
    },
    ...taps.map((t) => ({
      label: `Re-attach ${t.guest} (${t.tap}, ${t.mac}) to ${bridge}`,
      command: reattach(t.tap, bridge),
    })),
  ]
  if (taps.length > 0) {
    steps.push({
      label: `Verify every tap is on ${bridge} again`,
      command: sh`off=0; for t in ${taps.map((t) => t.tap)}; do m=$(basename "$(readlink /sys/class/net/$t/master 2>/dev/null)" 2>/dev/null); if [ "$m" = ${bridge} ]; then echo "$t on $m"; else echo "$t is NOT on the bridge"; off=$((off+1)); fi; done; echo "taps off the bridge: $off"; [ "$off" -eq 0 ]`,
    })
  }
  return {
    title: `Restart ${network} with the new definition and re-attach ${taps.length} guest interface${taps.length === 1 ? '' : 's'}`,
    steps,
  }
}
