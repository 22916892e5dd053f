import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession, shellQuote } from '@/lib/ssh'
import { libvirtLabHosts } from '@/lib/test/lab'
import { closeSideDoor, inSideDoor, openSideDoor, sideDoor, sideDoorHost, type SideDoor } from '@/lib/test/side-door'
import { createHostBridge } from '@/lib/bridges/changes'
import { ifupdownStanza, netplanPath } from '@/lib/bridges/persistence'

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

/**
 * Opens the door with its sshd in a mount namespace of its own whose /etc is an overlay on the host's, `files` (paths
 * under /etc) written into its upper directory first (mode 600, as netplan wants its files); `mounts` runs just before the sshd starts. The lab keeps every
 * mount of its hosts private (and C's root, a chroot, is no mount point whose propagation unshare could change): the
 * guard refuses to mount if anything would propagate. The host's own binds under /etc (B: libvirt, hosts, users) go
 * back on top of the overlay.
 */
function openOverlayDoor(door: SideDoor, files: Record<string, string>, mounts = ''): Promise<string> {
  const upper = `${door.dir}/upper`
  for (const [file, content] of Object.entries(files))
    door.host.exec(`mkdir -p ${path.dirname(`${upper}/${file}`)} ${door.dir}/work && cat > ${upper}/${file} <<'VNG_FILE'
${content}VNG_FILE
chmod 600 ${upper}/${file}`)
  return openSideDoor(
    door,
    (sshd) =>
      `unshare -m --propagation unchanged sh -c ${shellQuote(`set -e
! grep ' shared:' /proc/self/mountinfo
binds=$(awk '$5 ~ "^/etc/" {print $4" "$5}' /proc/self/mountinfo)
mount -t overlay vng-etc -o lowerdir=/etc,upperdir=${upper},workdir=${door.dir}/work /etc
echo "$binds" | while read src dst; do [ -z "$src" ] || mount --bind "$src" "$dst"; done
${mounts}
exec ${sshd}`)}`,
  )
}

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
      sshdPid = await openOverlayDoor(door, { 'network/interfaces': interfacesBefore })
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

/*
 * Debian 13's cloud images (like Ubuntu's servers) configure their network with netplan: on lab host C, whose Debian
 * 13 root has netplan.io, the dashboard finds netplan from the host's own netplan file (nothing points it there) and
 * persists the confirmed bridge in a netplan file of its own, checked by `netplan generate`. netplan generate writes
 * the networkd units into /run: the door's mount namespace has a /run/systemd and /run/udev of its own, so the host's
 * (and the netplan suite's, persistence-stacks.itest.ts) stay as they are.
 */
describe('a confirmed host bridge persisted through netplan, found from the host’s own netplan file (lab host C, Debian 13)', () => {
  const lab = libvirtLabHosts.find((host) => host.name === 'lab-c')!
  const n = process.pid % 100000
  const nic = `vnnp${n}b`
  const door = sideDoor('vnnp', '10.68', { vethB: nic, host: lab })
  const bridge = `vnnp${n}br`
  const baseYaml = `network:\n  version: 2\n  ethernets:\n    ${nic}:\n      dhcp4: true\n`
  let row: HostRow
  let sshdPid = ''
  const inOverlayHost = (script: string) => inSideDoor(sshdPid, script)

  beforeAll(async () => {
    lab.exec('mkdir -p /run/systemd /run/udev')
    sshdPid = await openOverlayDoor(
      door,
      { 'netplan/01-vnnp.yaml': baseYaml },
      'mount -t tmpfs vnnp-systemd /run/systemd\nmount -t tmpfs vnnp-udev /run/udev',
    )
    row = await sideDoorHost(door, `vnnp-persist-${n}`)
  })

  afterAll(async () => {
    if (row) {
      closeHostSession(row.id)
      await db.host.deleteMany({ where: { id: row.id } })
    }
    lab.exec(`ip link del ${bridge} 2>/dev/null; rm -f /run/virtnet/bridge-${bridge}.*; true`)
    closeSideDoor(door)
    // the mount points made for the door, unless something of the host's own has appeared in them since
    lab.exec('rmdir /run/systemd /run/udev 2>/dev/null; true')
  })

  it('detects netplan, persists the bridge in its own netplan file, and netplan generate turns it into networkd units', async () => {
    const { jobId, done, stack } = await createHostBridge(row, toTarget(row), actor, {
      bridge,
      nic,
      moveAddresses: true,
      confirmSeconds: 15,
    })
    expect(stack).toBe('netplan')
    await done
    const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, include: { steps: true } })
    expect(job.status, job.error ?? '').toBe('succeeded')
    expect(job.steps.map((s) => s.label)).toContain(
      `Write ${netplanPath(bridge)} (netplan) and check it with netplan generate`,
    )
    // netplan's own view of the host's merged configuration: the bridge has the NIC's address, the NIC no DHCP
    expect(inOverlayHost(`netplan get bridges.${bridge}.addresses`)).toContain(`${door.addrB}/30`)
    expect(inOverlayHost(`netplan get ethernets.${nic}.dhcp4`).trim()).toBe('false')
    expect(inOverlayHost(`stat -c %a ${netplanPath(bridge)}`).trim()).toBe('600')
    expect(inOverlayHost(`cat /run/systemd/network/10-netplan-${nic}.network`)).toContain(`Bridge=${bridge}`)
    // live: the NIC is a port of the bridge, which holds the address
    expect(lab.exec(`basename $(readlink /sys/class/net/${nic}/master)`).trim()).toBe(bridge)
    expect(lab.exec(`ip -br addr show dev ${bridge}`)).toContain(`${door.addrB}/30`)
    // every write went to this test's overlay and its own /run/systemd: C's own /etc and /run have none of it
    expect(lab.exec(`cat ${door.dir}/upper/netplan/90-virtnet-${bridge}.yaml`)).toContain(`"${nic}"`)
    expect(lab.exec(`ls /etc/netplan /run/systemd`)).not.toContain(bridge)
    expect(lab.exec(`ls /run/systemd/network 2>/dev/null | grep -c ${bridge} || true`).trim()).toBe('0')
  })
})
