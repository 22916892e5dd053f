import 'server-only'
import { dashAsNull, nonNegativeInteger, oneOf, yesNo } from '@/lib/host-output/field-values'
import { KeyValueReader, parseKeyValueLines } from '@/lib/host-output/key-value'
import { ParseError } from '@/lib/core/errors'
import { DOMAIN_STATES, type DomainState } from '@/lib/host-output/virsh-list'

export type DomainInfo = {
  id: number | null
  name: string
  uuid: string
  osType: string
  state: DomainState
  vcpus: number
  /** Seconds of CPU time; only reported for running domains. */
  cpuTimeSeconds: number | null
  maxMemoryKiB: number
  usedMemoryKiB: number
  persistent: boolean
  autostart: boolean
  managedSave: boolean
  securityModel: string | null
  securityDoi: string | null
  securityLabel: string | null
}

const SOURCE = 'virsh dominfo'

/** `virsh dominfo DOMAIN`. Note it spells autostart "enable"/"disable", unlike net-info's yes/no. */
export function parseDomInfo(output: string): DomainInfo {
  const kv = new KeyValueReader(parseKeyValueLines(output, SOURCE), SOURCE)
  const id = kv.required('Id')
  const state = kv.required('State')
  const cpus = kv.required('CPU(s)')
  const persistent = kv.required('Persistent')
  const autostart = kv.required('Autostart')
  const managedSave = kv.optional('Managed save')
  const cpuTime = kv.optional('CPU time')
  const idValue = dashAsNull(id.value)
  return {
    id: idValue === null ? null : nonNegativeInteger(idValue, 'Id', SOURCE, id.line),
    name: kv.required('Name').value,
    uuid: kv.required('UUID').value,
    osType: kv.required('OS Type').value,
    state: oneOf(state.value, DOMAIN_STATES, 'domain state', SOURCE, state.line),
    vcpus: nonNegativeInteger(cpus.value, 'CPU(s)', SOURCE, cpus.line),
    cpuTimeSeconds: cpuTime ? seconds(cpuTime.value, cpuTime.line) : null,
    maxMemoryKiB: kib(kv.required('Max memory')),
    usedMemoryKiB: kib(kv.required('Used memory')),
    persistent: yesNo(persistent.value, 'Persistent', SOURCE, persistent.line),
    autostart: oneOf(autostart.value, ['enable', 'disable'] as const, 'Autostart', SOURCE, autostart.line) === 'enable',
    managedSave: managedSave ? yesNo(managedSave.value, 'Managed save', SOURCE, managedSave.line) : false,
    securityModel: kv.optional('Security model')?.value ?? null,
    securityDoi: kv.optional('Security DOI')?.value ?? null,
    securityLabel: kv.optional('Security label')?.value ?? null,
  }
}

function kib(entry: { key: string; value: string; line: number }): number {
  const match = /^(\d+) KiB$/.exec(entry.value)
  if (!match)
    throw new ParseError(SOURCE, `${entry.key} should look like "1048576 KiB", got "${entry.value}"`, {
      line: entry.line,
    })
  return nonNegativeInteger(match[1] as string, entry.key, SOURCE, entry.line)
}

function seconds(value: string, line: number): number {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value)
  if (!match) throw new ParseError(SOURCE, `CPU time should look like "12.5s", got "${value}"`, { line })
  return Number(match[1])
}
