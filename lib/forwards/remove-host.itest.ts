import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { removeHost } from '@/lib/hosts/changes'
import { addForward, installHook } from '@/lib/forwards/changes'
import { hookPaths, hookScript, statePath } from '@/lib/forwards/hook-script'
import { runningGuestUuids } from '@/lib/forwards/read'
import { closeHostSession, run, sh } from '@/lib/ssh'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { createLibvirtParts, describeFixture, removeAll } from '@/lib/test/forward-lab'
import { closeSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'

/*
 * Removing a host that has port forwards. The page promises "Removes the host from Virtnet only; nothing on the host
 * changes": the live rules, the state file the hook re-applies from and the hook itself stay on the host, and
 * Virtnet's rows for it (the host, its forwards) go.
 *
 * The removed host is lab host B (iptables) or C (libvirt's nftables backend) reached over an SSH path of this test's
 * own (a veth pair and a second sshd inside the host), so that it is a host record of its own (hosts are unique per
 * address and port) and the lab's record of the host, which other tests use, stays.
 */

/** Where each backend keeps the live rule of a forward, and how the forward table names its DNAT line. */
const backendView = {
  iptables: {
    live: 'iptables -w -t nat -S VIRTNET_DNAT',
    rule: (id: string, guestIp: string, hostPort: number) =>
      `-A VIRTNET_DNAT ! -d 127.0.0.0/8 -p tcp -m tcp --dport ${hostPort} -m comment --comment "vn:${id}" -j DNAT --to-destination ${guestIp}:7000`,
    tableLine: (uuid: string) => ` ${uuid} nat `,
  },
  nftables: {
    live: 'nft list table ip virtnet',
    rule: (id: string, guestIp: string, hostPort: number) =>
      new RegExp(`tcp dport ${hostPort} dnat to ${guestIp.replaceAll('.', '\\.')}:7000 comment "vn:${id}:`),
    tableLine: (uuid: string) => ` ${uuid} dnat `,
  },
}

const n = process.pid % 100000
const hostPort = 21000 + (process.pid % 1000)
const actor = { id: null, username: 'itest' }

describe.each(libvirtLabHosts)('removing a host that has port forwards ($name over a path of its own)', (lab) => {
  const which = lab.name === 'lab-c' ? 'c' : 'b'
  const view = backendView[lab.firewall]
  const f = describeFixture(process.pid + 77, which)
  // each host's door has its own names and /30 (both are on this machine's side)
  const door = sideDoor(`vngr${which}`, which === 'c' ? '10.74' : '10.79', { host: lab })
  const onHost = (script: string) => lab.exec(`${script} 2>&1 || true`)
  let row: HostRow
  let hookWasThere = false

  beforeAll(async () => {
    await openSideDoor(door)
    row = await sideDoorHost(door, `vng-remove-${which}-${n}`)
    removeAll(f)
    createLibvirtParts(f)
    hookWasThere = onHost(`ls ${hookPaths.qemu}`).trim() === hookPaths.qemu
  })

  afterAll(async () => {
    closeHostSession(row.id)
    await db.host.deleteMany({ where: { id: row.id } })
    // Take this test's rules off the host: its lines out of the shared table, which is then applied again.
    const labHost = await registeredLabHost(lab.name)
    await run(
      labHost.target,
      sh`[ ! -e ${statePath} ] || { grep -v -F ${` ${f.guestUuid} `} ${statePath} > ${statePath}.vng; mv -f ${statePath}.vng ${statePath}; }`,
    )
    await run(labHost.target, sh`sh -s -- apply ${await runningGuestUuids(labHost.target)}`, {
      stdin: hookScript(undefined, lab.firewall),
    })
    if (!hookWasThere) lab.exec(`rm -f ${Object.values(hookPaths).join(' ')}`)
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
    const rule = view.rule(forward.id, f.guestIp, hostPort)
    const before = {
      live: lab.exec(view.live),
      table: lab.exec(`cat ${statePath}`),
      hook: lab.exec(`sha256sum ${hookPaths.qemu} ${hookPaths.network}`),
    }
    expect(before.live).toMatch(rule)
    expect(before.table).toContain(view.tableLine(f.guestUuid))
    expect(await db.portForward.count({ where: { hostId: row.id } })).toBe(1)

    const removed = await removeHost(row.id, row.name)

    expect(removed.id).toBe(row.id)
    expect(await db.host.findUnique({ where: { id: row.id } })).toBeNull()
    expect(await db.portForward.findUnique({ where: { id: forward.id } })).toBeNull()
    expect(await db.portForward.count({ where: { hostId: row.id } })).toBe(0)
    // nothing on the host changed: the rule is live, the table still lists it, the hook is the same file
    expect(lab.exec(view.live)).toMatch(rule)
    expect(lab.exec(`cat ${statePath}`)).toContain(view.tableLine(f.guestUuid))
    expect(lab.exec(`sha256sum ${hookPaths.qemu} ${hookPaths.network}`)).toBe(before.hook)
  })
})
