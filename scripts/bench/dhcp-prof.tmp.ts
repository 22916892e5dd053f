import { closeAllSessions, run } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { virsh } from '@/lib/virt/virsh'
import { readNetworkDhcpState } from '@/lib/dhcp/host-state'
import { reapplyDesired } from '@/lib/dhcp/operations'
import { storeDesired } from '@/lib/dhcp/store'
import { db } from '@/lib/db/client'
const h = await registeredLabHost('lab-b')
const name = `dhcpprof-${process.pid}`
await run(h.target, virsh('net-define', '--file', '/dev/stdin'), { stdin: `<network><name>${name}</name><bridge name='vbdp${process.pid % 1000}'/><forward mode='nat'/><ip address='10.234.0.1' netmask='255.255.0.0'><dhcp><range start='10.234.250.2' end='10.234.250.254'/></dhcp></ip></network>` })
await run(h.target, virsh('net-start', '--network', name))
try {
  const entries = Array.from({ length: 500 }, (_, i) => ({ family: 'ipv4' as const, mac: `52:54:00:bf:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, ip: `10.234.${10 + Math.floor(i / 250)}.${(i % 250) + 1}`, name: `p${i}` }))
  await storeDesired(h.row.id, name, entries)
  let t = performance.now(); await readNetworkDhcpState(h.target, name); console.log('read', performance.now() - t)
  process.env.VIRTNET_SSH_DEBUG = '1'
  t = performance.now(); const r = await reapplyDesired(h.row, h.target, name, 'bulk'); console.log('bulk', performance.now() - t, r.note)
} finally {
  await run(h.target, virsh('net-destroy', '--network', name), { allowFailure: true }); await run(h.target, virsh('net-undefine', '--network', name), { allowFailure: true })
  await db.dhcpMapping.deleteMany({ where: { network: name } })
  await closeAllSessions()
}
