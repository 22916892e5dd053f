import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession, shellQuote } from '@/lib/ssh'
import { libvirtLabHosts } from '@/lib/test/lab'
import { closeSideDoor, inSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { createHostBridge } from '@/lib/bridges/changes'
import { ifupdownStanza } from '@/lib/bridges/persistence'

/*
 * A confirmed host bridge is persisted in the host's own /etc/network — the real path, not a directory a test points
 * the code at — on lab hosts B (Debian 12, libvirt 9) and C (Debian 13, libvirt 11). The hosts' /etc is shared by the
 * tests that run on them at the same time (and B's lies over this machine's), so the dashboard reaches each host here
 * through an sshd of this test's own that runs in the host's network namespace but in a mount namespace where /etc is
 * an overlay: reads fall through to the host's /etc, every write lands in this test's directory inside the host. The
 * test machine's /etc never changes (it has no /etc/network at all, and still has none afterwards).
 */

const actor = { id: null, username: 'itest' }
const machineHasEtcNetwork = () => fs.existsSync('/etc/network')
/** The /30 of each host's side door (one per host: both doors' ends on this machine are up at once). */
const doorNet = { 'lab-b': '10.76', 'lab-c': '10.70' } as const

describe.each(libvirtLabHosts)(
  'a confirmed host bridge persisted in the host’s own /etc/network ($name, libvirt $libvirt, /etc overlaid)',
  (lab) => {
    const n = process.pid % 100000
    const letter = lab.name.slice(-1)
    const nic = `vngp${letter}${n}b`
    const door = sideDoor(`vngp${letter}`, doorNet[lab.name], { vethB: nic, host: lab })
    const { addrB, dir } = door
    const bridge = `vngp${letter}${n}br`
    const upper = `${dir}/upper`
    const interfacesBefore = `# the host's own configuration\nauto lo\niface lo inet loopback\n\nauto ${nic}\niface ${nic} inet static\n    address ${addrB}/30\n`
    let row: HostRow
    let sshdPid = ''
    /** A command in the sshd's namespaces: the host as the dashboard's sessions see it. */
    const inOverlayHost = (script: string) => inSideDoor(sshdPid, script)

    beforeAll(async () => {
      expect(machineHasEtcNetwork()).toBe(false)
      // the host's own ifupdown configuration, as the overlaid /etc shows it
      lab.exec(`mkdir -p ${upper}/network ${dir}/work && cat > ${upper}/network/interfaces <<'VNG_INTERFACES'
${interfacesBefore}VNG_INTERFACES`)
      // The lab keeps every mount of its hosts private (and C's root, a chroot, is no mount point whose propagation
      // unshare could change): the guard refuses to mount if anything would propagate. The host's own binds under
      // /etc (B: libvirt, hosts, users) go back on top of the overlay.
      sshdPid = await openSideDoor(
        door,
        (sshd) =>
          `unshare -m --propagation unchanged sh -c ${shellQuote(`set -e
! grep ' shared:' /proc/self/mountinfo
binds=$(awk '$5 ~ "^/etc/" {print $4" "$5}' /proc/self/mountinfo)
mount -t overlay vng-etc -o lowerdir=/etc,upperdir=${upper},workdir=${dir}/work /etc
echo "$binds" | while read src dst; do [ -z "$src" ] || mount --bind "$src" "$dst"; done
exec ${sshd}`)}`,
      )
      expect(inOverlayHost('cat /etc/network/interfaces')).toBe(interfacesBefore)
      row = await sideDoorHost(door, `vng-persist-${letter}${n}`)
    })

    afterAll(async () => {
      if (row) {
        closeHostSession(row.id)
        await db.host.deleteMany({ where: { id: row.id } })
      }
      lab.exec(`ip link del ${bridge} 2>/dev/null; rm -f /run/virtnet/bridge-${bridge}.*; true`)
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
      expect(lab.exec(`basename $(readlink /sys/class/net/${nic}/master)`).trim()).toBe(bridge)
      expect(lab.exec(`ip -br addr show dev ${bridge}`)).toContain(`${addrB}/30`)
      // every write went to this test's overlay, none to the test machine's /etc
      expect(lab.exec(`cat ${upper}/network/interfaces.d/virtnet-${bridge}`)).toContain(`bridge_ports ${nic}`)
      expect(machineHasEtcNetwork()).toBe(false)
    })
  },
)
