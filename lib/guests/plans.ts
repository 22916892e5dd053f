import 'server-only'
import type { Plan, PlanStep } from '@/lib/plan/plan'
import { virsh } from '@/lib/libvirt/virsh'

/*
 * Plans for a guest's interfaces. A running persistent guest has two definitions that can differ (a hot-plugged NIC
 * exists only live, a pending change only in the definition): each is changed from its own XML, in a step of its own
 * with its own undo, the persistent definition first, so a change the running guest refuses rolls the definition back.
 */

/** The persistent definition (`dumpxml --inactive`, changed with --config) or the running guest (`dumpxml`, --live). */
export type InterfaceScope = 'config' | 'live'

/**
 * An interface as one side holds it: its type, and its element exactly as that side's XML has it. `definition`: the
 * whole persistent definition as read (with its security info), where only redefining it can undo a detach (the
 * interface held the definition's only boot order: see detachAddsOsBoot in lib/libvirt-xml/domain-interface).
 */
export type InterfaceOnSide = { scope: InterfaceScope; type: string; xml: string; definition?: string }

const flag: Record<InterfaceScope, string> = { config: '--config', live: '--live' }
const sideName: Record<InterfaceScope, string> = { config: 'persistent definition', live: 'running guest' }
const definitionFirst = <T extends { scope: InterfaceScope }>(sides: T[]) =>
  [...sides].sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'config' ? -1 : 1))

const updateDevice = (guest: string, scope: InterfaceScope) =>
  virsh('update-device', '--domain', guest, '--file', '/dev/stdin', flag[scope])

export type InterfaceMove = {
  side: InterfaceOnSide
  /** The same element with only its source (and type) changed. */
  movedXml: string
  /** Where it was, in words: "network default". */
  from: string
}

/** Moves the interface on each side; the undo of each hands back the element that side held, byte for byte. */
export function moveInterfacePlan(guest: string, mac: string, to: string, moves: InterfaceMove[]): Plan {
  const steps: PlanStep[] = definitionFirst(moves.map((m) => ({ ...m, scope: m.side.scope }))).map((move) => ({
    label: `Move ${mac} of ${guest} from ${move.from} to ${to} (${sideName[move.scope]})`,
    command: updateDevice(guest, move.scope),
    stdin: move.movedXml,
    undo: {
      label: `Move ${mac} back to ${move.from} (${sideName[move.scope]})`,
      command: updateDevice(guest, move.scope),
      stdin: move.side.xml,
    },
  }))
  return { title: `Move ${mac} of ${guest} to ${to}`, steps }
}

/**
 * Detaches the interface from each side; the undo attaches exactly the element that side held (or, where libvirt's
 * detach also changed the definition's boot settings, defines the definition exactly as it was).
 */
export function detachInterfacePlan(guest: string, mac: string, description: string, sides: InterfaceOnSide[]): Plan {
  const steps: PlanStep[] = definitionFirst(sides).map((side) => ({
    label: `Detach interface ${mac} (${description}) from ${guest} (${sideName[side.scope]})`,
    command: virsh('detach-interface', '--domain', guest, '--type', side.type, '--mac', mac, flag[side.scope]),
    undo:
      side.scope === 'config' && side.definition !== undefined
        ? {
            label: `Define ${guest} as it was, with ${mac} and its boot order (${sideName[side.scope]})`,
            command: virsh('define', '--file', '/dev/stdin'),
            stdin: side.definition,
          }
        : {
            label: `Attach ${mac} again as it was (${sideName[side.scope]})`,
            command: virsh('attach-device', '--domain', guest, '--file', '/dev/stdin', flag[side.scope]),
            stdin: side.xml,
          },
  }))
  return { title: `Detach interface ${mac} (${description}) from ${guest}`, steps }
}

export type InterfaceEdit = { side: InterfaceOnSide; editedXml: string; what: string }

/** Applies each side's edited element with update-device; the undo of each hands back the element that side held. */
export function interfaceSettingsPlan(guest: string, mac: string, edits: InterfaceEdit[]): Plan {
  const steps: PlanStep[] = definitionFirst(edits.map((e) => ({ ...e, scope: e.side.scope }))).map((edit) => ({
    label: `Set ${edit.what} of ${mac} on ${guest} (${sideName[edit.scope]})`,
    command: updateDevice(guest, edit.scope),
    stdin: edit.editedXml,
    undo: {
      label: `Put the settings of ${mac} back (${sideName[edit.scope]})`,
      command: updateDevice(guest, edit.scope),
      stdin: edit.side.xml,
    },
  }))
  return { title: `Change the settings of ${mac} on ${guest}`, steps }
}
