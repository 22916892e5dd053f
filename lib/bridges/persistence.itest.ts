import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession, shellQuote } from '@/lib/ssh'
import { inHostA, inHostB } from '@/lib/test/lab'
import { closeSideDoor, inSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { createHostBridge } from '@/lib/bridges/changes'
import { ifupdownStanza } from '@/lib/bridges/persistence'

/*
 * A confirmed host bridge is persisted in the host's own /etc/network — the real path, not a directory a test points
 * the code at. Host B shares this machine's /etc, so the dashboard reaches B here through an sshd of this test's own
 * that runs in B's network namespace but in a mount namespace where /etc is an overlay: reads fall through to the
 * shared /etc, every write lands in this test's directory under data/test. The test machine's /etc never changes
 * (it has no /etc/network at all, and still has none afterwards).
 */

const n = process.pid % 100000
const nic = `vngp${n}b`
const door = sideDoor('vngp', '10.76', { vethB: nic })
const { addrB, dir } = door
const bridge = `vngp${n}br`
const upper = path.join(dir, 'upper')
const interfacesBefore = `# the host's own configuration\nauto lo\niface lo inet loopback\n\nauto ${nic}\niface ${nic} inet static\n    address ${addrB}/30\n`
const actor = { id: null, username: 'itest' }
let row: HostRow
let sshdPid = ''
/** A command in the sshd's namespaces: the host as the dashboard's sessions see it. */
const inOverlayHost = (script: string) => inSideDoor(sshdPid, script)
const machineHasEtcNetwork = () => fs.existsSync('/etc/network')

describe('a confirmed host bridge persisted in the host’s own /etc/network (lab host B, /etc overlaid)', () => {
  beforeAll(async () => {
    expect(machineHasEtcNetwork()).toBe(false)
    fs.mkdirSync(path.join(upper, 'network'), { recursive: true })
    fs.mkdirSync(path.join(dir, 'work'), { recursive: true })
    // the host's own ifupdown configuration, as the overlaid /etc shows it
    fs.writeFileSync(path.join(upper, 'network/interfaces'), interfacesBefore)
    // B's own binds under /etc (libvirt, hosts, users) go back on top of the overlay
    sshdPid = await openSideDoor(
      door,
      (sshd) =>
        `unshare -m --propagation private sh -c ${shellQuote(`binds=$(awk '$5 ~ "^/etc/" {print $4" "$5}' /proc/self/mountinfo)
mount -t overlay vng-etc -o lowerdir=/etc,upperdir=${upper},workdir=${dir}/work /etc
echo "$binds" | while read src dst; do [ -z "$src" ] || mount --bind "$src" "$dst"; done
exec ${sshd}`)}`,
    )
    expect(inOverlayHost('cat /etc/network/interfaces')).toBe(interfacesBefore)
    row = await sideDoorHost(door, `vng-persist-${n}`)
  })

  afterAll(async () => {
    if (row) {
      closeHostSession(row.id)
      await db.host.deleteMany({ where: { id: row.id } })
    }
    // through B's named network namespace and this machine's /run (which B shares): no libvirtd needed
    inHostA(`ip -n vnlab-b link del ${bridge} 2>/dev/null; rm -f /run/virtnet/bridge-${bridge}.*; true`)
    closeSideDoor(door)
  })

  it('writes the bridge stanza to /etc/network/interfaces.d and comments out the NIC’s own stanza', async () => {
    const { jobId, done } = await createHostBridge(
      row,
      toTarget(row),
      actor,
      { bridge, nic, moveAddresses: true, confirmSeconds: 15 },
      { persistence: { stack: 'ifupdown' } },
    )
    await done
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, include: { steps: true } })
    expect(job.status, job.error ?? '').toBe('succeeded')
    expect(job.steps.map((s) => s.label)).toEqual(
      expect.arrayContaining([
        `Comment out ${nic}'s own stanza in /etc/network/interfaces`,
        `Write /etc/network/interfaces.d/virtnet-${bridge} (ifupdown)`,
      ]),
    )

    // the host's own view of its /etc: what a reboot would bring up
    expect(inOverlayHost(`cat /etc/network/interfaces.d/virtnet-${bridge}`)).toBe(
      ifupdownStanza({
        bridge,
        nic,
        mac: null,
        addresses: [{ family: 'ipv4', cidr: `${addrB}/30` }],
        routes: [],
        moveAddresses: true,
      }),
    )
    expect(inOverlayHost('cat /etc/network/interfaces')).toBe(
      `# the host's own configuration\nauto lo\niface lo inet loopback\n\n# (Virtnet: now a port of the bridge) auto ${nic}\n# iface ${nic} inet static\n#     address ${addrB}/30\n`,
    )
    expect(inOverlayHost(`cat /etc/network/interfaces.virtnet-${bridge}.bak`)).toBe(interfacesBefore)
    // and live: the NIC is a port of the bridge, which holds the address
    expect(inHostB(`basename $(readlink /sys/class/net/${nic}/master)`).trim()).toBe(bridge)
    expect(inHostB(`ip -br addr show dev ${bridge}`)).toContain(`${addrB}/30`)
    // every write went to this test's overlay, none to the test machine's /etc
    expect(fs.readFileSync(path.join(upper, `network/interfaces.d/virtnet-${bridge}`), 'utf8')).toContain(
      `bridge_ports ${nic}`,
    )
    expect(machineHasEtcNetwork()).toBe(false)
  })
})
