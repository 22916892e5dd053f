import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { removeHost } from '@/lib/hosts/changes'
import { addForward, installHook } from '@/lib/forwards/changes'
import { hookPaths, hookScript, statePath } from '@/lib/forwards/hook-script'
import { runningGuestUuids } from '@/lib/forwards/read'
import { closeHostSession, run, sh } from '@/lib/ssh'
import { inHostB, registeredLabHost } from '@/lib/test/lab'
import { createLibvirtParts, describeFixture, removeAll } from '@/lib/test/forward-lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'

/*
 * Removing a host that has port forwards. The page promises "Removes the host from Virtnet only; nothing on the host
 * changes": the live rules, the state file the hook re-applies from and the hook itself stay on the host, and
 * Virtnet's rows for it (the host, its forwards) go.
 *
 * The removed host is lab host B reached over an SSH path of this test's own (a veth pair and a second sshd inside
 * B), so that it is a host record of its own (hosts are unique per address and port) and the lab's record of B,
 * which other tests use, stays.
 */

const n = process.pid % 100000
const f = describeFixture(process.pid + 77)
const door = sideDoor('vngr', '10.79')
const root = path.resolve(import.meta.dirname, '../..')
const hostPort = 21000 + (process.pid % 1000)
const actor = { id: null, username: 'itest' }
const onB = (script: string) => inHostB(`${script} 2>&1 || true`)
let row: HostRow
let hookWasThere = false

describe('removing a host that has port forwards (lab host B over a path of its own)', () => {
  beforeAll(async () => {
    await openSideDoor(door)
    row = await sideDoorHost(door, `vng-remove-${n}`)
    removeAll(f)
    createLibvirtParts(f)
    hookWasThere = onB(`ls ${hookPaths.qemu}`).trim() === hookPaths.qemu
  })

  afterAll(async () => {
    closeHostSession(row.id)
    await db.host.deleteMany({ where: { id: row.id } })
    // Take this test's rules off B: its lines out of the shared table, which is then applied again.
    const lab = await registeredLabHost('lab-b')
    await run(
      lab.target,
      sh`[ ! -e ${statePath} ] || { grep -v -F ${` ${f.guestUuid} `} ${statePath} > ${statePath}.vng; mv -f ${statePath}.vng ${statePath}; }`,
    )
    await run(lab.target, sh`sh -s -- apply ${await runningGuestUuids(lab.target)}`, { stdin: hookScript() })
    // B's hook lives in its private /etc/libvirt, which is data/lab/b/fs/etc/libvirt here
    if (!hookWasThere)
      for (const hook of Object.values(hookPaths)) fs.rmSync(path.join(root, 'data/lab/b/fs', hook), { force: true })
    removeAll(f)
    closeSideDoor(door)
  })

  it('forgets the host and its forwards; the live rules, the forward table and the hook stay on the host', async () => {
    const target = toTarget(row)
    await installHook(row, target)
    const forward = await addForward(
      row,
      target,
      {
        guest: `${f.guestUuid}/${f.network}`,
        protocol: 'tcp',
        hostPort: { start: hostPort, end: hostPort },
        guestPort: { start: 7000, end: 7000 },
        sourceCidrs: [],
        description: 'vng remove-host test',
        hostAddress: null,
        createMapping: false,
      },
      actor,
    )
    const dnat = `-A VIRTNET_DNAT ! -d 127.0.0.0/8 -p tcp -m tcp --dport ${hostPort} -m comment --comment "vn:${forward.id}" -j DNAT --to-destination ${f.guestIp}:7000`
    const before = {
      dnat: inHostB(`iptables -w -t nat -S VIRTNET_DNAT`),
      table: inHostB(`cat ${statePath}`),
      hook: inHostB(`sha256sum ${hookPaths.qemu} ${hookPaths.network}`),
    }
    expect(before.dnat).toContain(dnat)
    expect(before.table).toContain(` ${f.guestUuid} nat `)
    expect(await db.portForward.count({ where: { hostId: row.id } })).toBe(1)

    const removed = await removeHost(row.id, row.name)

    expect(removed.id).toBe(row.id)
    expect(await db.host.findUnique({ where: { id: row.id } })).toBeNull()
    expect(await db.portForward.findUnique({ where: { id: forward.id } })).toBeNull()
    expect(await db.portForward.count({ where: { hostId: row.id } })).toBe(0)
    // nothing on the host changed: the rule is live, the table still lists it, the hook is the same file
    expect(inHostB(`iptables -w -t nat -S VIRTNET_DNAT`)).toContain(dnat)
    expect(inHostB(`cat ${statePath}`)).toContain(` ${f.guestUuid} nat `)
    expect(inHostB(`sha256sum ${hookPaths.qemu} ${hookPaths.network}`)).toBe(before.hook)
  })
})
