import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { db } from '@/lib/db/client'
import { toTarget, type HostRow } from '@/lib/hosts/store'
import { closeHostSession, shellQuote } from '@/lib/ssh'
import { previewOf } from '@/lib/plan/dry-run'
import { libvirtLabHosts } from '@/lib/test/lab'
import { closeSideDoor, inSideDoor, openSideDoor, sideDoor, sideDoorHost } from '@/lib/test/side-door'
import { expectUndoAtEveryStep } from '@/lib/test/undo-harness'
import { applyBridgeSettings } from '@/lib/bridges/changes'
import { mssTable } from '@/lib/bridges/settings'

/*
 * MSS clamping on a host whose only firewall tool is nft: Debian 13's libvirt network driver depends on iptables OR
 * nftables, so a host with libvirt 11 and its nftables backend may have no iptables at all. Lab host C (Debian 13,
 * libvirt 11, nftables backend) has both, so the dashboard reaches it here through an sshd of this test's own in C's
 * network namespace, in a mount namespace whose /usr/sbin (and so /sbin, a link to it) lists every program but the
 * iptables family. The rules are read back in C's own namespaces (the kernel's rules are the network namespace's,
 * whatever a mount namespace shows). The suite that runs on both hosts (undo.itest.ts) covers the iptables form.
 */

const lab = libvirtLabHosts.find((host) => host.name === 'lab-c')!
const n = process.pid % 100000
const door = sideDoor('vnms', '10.69', { host: lab })
const actor = { disableBridgeNetfilter: false, mssClamping: true }
let row: HostRow
let sshdPid = ''
const clampRules = () =>
  lab.exec(`nft list table inet ${mssTable} 2>/dev/null | grep -c 'maxseg size set rt mtu' || true`)

describe('MSS clamping on a host with nft and no iptables (lab host C, libvirt 11, /usr/sbin without iptables)', () => {
  beforeAll(async () => {
    lab.exec(`nft delete table inet ${mssTable} 2>/dev/null; true`)
    sshdPid = await openSideDoor(
      door,
      (sshd) =>
        `unshare -m --propagation unchanged sh -c ${shellQuote(`set -e
! grep ' shared:' /proc/self/mountinfo
all=${door.dir}/sbin-all shown=${door.dir}/sbin
mkdir -p "$all" "$shown"
mount --bind /usr/sbin "$all"
mount -t tmpfs vnms-sbin "$shown"
for f in "$all"/*; do b=\${f##*/}; case $b in iptables*|ip6tables*|arptables*|ebtables*|xtables*) ;; *) ln -s "$f" "$shown/$b" ;; esac; done
mount --bind "$shown" /usr/sbin
exec ${sshd}`)}`,
    )
    row = await sideDoorHost(door, `vnms-mss-${n}`)
  })

  afterAll(async () => {
    if (row) {
      closeHostSession(row.id)
      await db.host.deleteMany({ where: { id: row.id } })
    }
    closeSideDoor(door)
    lab.exec(`nft delete table inet ${mssTable} 2>/dev/null; true`)
  })

  it('clamps with one rule in a table of its own, once; and a failure undoes it', async () => {
    // the host as the dashboard sees it: nft, and no iptables on the PATH
    expect(inSideDoor(sshdPid, 'command -v iptables || echo none').trim()).toBe('none')
    expect(inSideDoor(sshdPid, 'command -v nft').trim()).toBe('/usr/sbin/nft')
    const target = toTarget(row)
    const snapshot = () => ({ rules: clampRules(), tables: lab.exec('nft list tables') })

    const plan = await previewOf(() => applyBridgeSettings(target, actor))
    expect(plan.steps.map((step) => step.label)).toEqual([
      `Clamp TCP MSS to the path MTU for forwarded traffic (nftables table inet ${mssTable})`,
    ])
    expect(snapshot().rules.trim()).toBe('0')
    expect(await expectUndoAtEveryStep(target, plan, snapshot)).toEqual({ scenarios: 1, withoutUndo: [] })
    expect(snapshot().tables).not.toContain(mssTable)

    await applyBridgeSettings(target, actor)
    const table = lab.exec(`nft list table inet ${mssTable}`)
    expect(table).toContain('type filter hook forward priority mangle; policy accept;')
    expect(table).toMatch(/tcp flags & \(syn \| rst\) == syn tcp option maxseg size set rt mtu/)
    // applied again: nothing to add (the rule is there), so nothing whose undo could remove it
    expect((await previewOf(() => applyBridgeSettings(target, actor))).steps).toEqual([])
    await applyBridgeSettings(target, actor)
    expect(clampRules().trim()).toBe('1')
  })
})
