import 'server-only'
import { yesNo } from '@/lib/host-output/field-values'
import { KeyValueReader, parseKeyValueLines } from '@/lib/host-output/key-value'

export type NetInfo = {
  name: string
  uuid: string
  active: boolean
  persistent: boolean
  autostart: boolean
  bridge: string | null
}

const SOURCE = 'virsh net-info'

/** `virsh net-info NAME`. "Bridge" is missing for networks without one (e.g. hostdev pools). */
export function parseNetInfo(output: string): NetInfo {
  const kv = new KeyValueReader(parseKeyValueLines(output, SOURCE), SOURCE)
  const flag = (key: string) => {
    const entry = kv.required(key)
    return yesNo(entry.value, key, SOURCE, entry.line)
  }
  const bridge = kv.optional('Bridge')?.value
  return {
    name: kv.required('Name').value,
    uuid: kv.required('UUID').value,
    active: flag('Active'),
    persistent: flag('Persistent'),
    autostart: flag('Autostart'),
    bridge: bridge ? bridge : null,
  }
}
