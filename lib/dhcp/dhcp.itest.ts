import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { checkHealth } from '@/lib/hosts/health'
import { db } from '@/lib/db/client'
import { libvirtLabHosts, networkNameListedAfterDefault, registeredLabHost } from '@/lib/test/lab'
import { readNetworkDhcpState } from '@/lib/dhcp/host-state'
import { previewOf } from '@/lib/plan/dry-run'
import { deleteMapping, reapplyDesired, removeDrift, saveMapping, startImport } from '@/lib/dhcp/changes'
import { readDhcpTables } from '@/lib/dhcp/read'
import { storeDesired } from '@/lib/dhcp/store'
import { recordCommands } from '@/lib/ssh'
import type { DhcpEntry } from '@/lib/dhcp/entries'

describe.each(libvirtLabHosts)('static DHCP hosts on $name (libvirt $libvirt), over real SSH', (lab) => {
  // Listed after `default` (which holds the lab guest's port): the order in which libvirt 9.0's own reload would miss
  // it. Each host's network has a name of its own (the audit records of both share the test database).
  const net = networkNameListedAfterDefault(`dhcpit${lab.name.slice(-1)}-${process.pid}`, lab.exec)
  const bridge = `vbdh${process.pid % 10000}`
  const guest = lab.guest
  const guestMac = lab.mac
  const pinned = '192.168.122.231'
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const inHost = lab.exec
  /** virsh on the host, the tests' independent view: a failing command fails the test (a negative check included). */
  const virshOn = (args: string) => inHost(`virsh -q ${args}`)
  /** Cleanup only, where the thing may already be gone. */
  const virshQuiet = (args: string) => inHost(`virsh -q ${args} 2>&1 || true`)
  /** The bridge each of the guest's taps is attached to, read from sysfs (the independent view). */
  const tapsOfGuest = () =>
    inHost(
      `for t in $(virsh -q domiflist ${guest} | awk '{print $1}'); do echo "$t $(basename "$(readlink /sys/class/net/$t/master 2>/dev/null)")"; done`,
    ).trim()

  /** The job once it stopped running (up to 2 minutes). */
  async function finishedJob(jobId: string) {
    let job = await db.job.findUnique({ where: { id: jobId } })
    for (let i = 0; i < 240 && job?.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      job = await db.job.findUnique({ where: { id: jobId } })
    }
    return job
  }

  const actor = { id: 'itest', username: 'itest' }
  /** An import's dry run: the plan it would start, with what the paste adds and changes as its detail. */
  const previewImport = (network: string, csv: string) =>
    previewOf(() => startImport(host.row, host.target, network, csv, actor))

  const entry = (i: number): DhcpEntry => ({
    family: 'ipv4',
    mac: `52:54:00:d1:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    ip: `10.239.${1 + (i >> 8)}.${i & 255 || 254}`,
    name: `h${i}`,
  })

  const fortyHosts = () => Array.from({ length: 40 }, (_, i) => entry(i + 1))

  /** The test network, defined and started afresh without a single host, and no desired table for it. */
  async function freshNetwork() {
    const xml = `<network><name>${net}</name><bridge name='${bridge}'/><forward mode='nat'/><ip address='10.239.0.1' netmask='255.255.0.0'><dhcp><range start='10.239.200.2' end='10.239.200.254'/></dhcp></ip></network>`
    virshQuiet(`net-destroy ${net}`)
    virshQuiet(`net-undefine ${net}`)
    inHost(
      `printf '%s' "${xml.replace(/"/g, '\\"')}" > /tmp/${net}.xml && virsh -q net-define /tmp/${net}.xml >/dev/null && virsh -q net-start ${net} >/dev/null; rm -f /tmp/${net}.xml`,
    )
    await db.dhcpMapping.deleteMany({ where: { hostId: host.row.id, network: net } })
  }

  /** The shuffled suite's start for the tests that change a table: exactly the 40 hosts, desired and applied. */
  async function withFortyHosts() {
    await freshNetwork()
    await storeDesired(host.row.id, net, fortyHosts())
    expect(await reapplyDesired(host.row, host.target, net, 'bulk')).toMatchObject({ mode: 'bulk', note: null })
  }

  describe('the mappings', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      await freshNetwork()
    })
    afterAll(async () => {
      virshQuiet(`net-update default delete ip-dhcp-host "<host mac='${guestMac}'/>" --live --config`)
      virshQuiet(`net-destroy ${net}`)
      virshQuiet(`net-undefine ${net}`)
      await db.dhcpMapping.deleteMany({ where: { hostId: host.row.id } })
    })

    it('refuses a bad MAC and an out-of-subnet address with field errors and changes nothing', async () => {
      const liveBefore = virshOn(`net-dumpxml ${net}`)
      const configBefore = virshOn(`net-dumpxml ${net} --inactive`)
      const mappingsBefore = await db.dhcpMapping.count({ where: { hostId: host.row.id, network: net } })
      await expect(
        saveMapping(host.row, host.target, net, { mac: '01:00:5e:00:00:01', ip: '10.239.1.9' }),
      ).rejects.toMatchObject({ errors: { mac: [expect.stringContaining('multicast')] } })
      const outside = saveMapping(host.row, host.target, net, { mac: '52:54:00:d1:00:09', ip: '10.240.1.9' })
      await expect(outside).rejects.toBeInstanceOf(FieldErrors)
      await expect(outside).rejects.toMatchObject({
        errors: { ip: ["10.240.1.9 is outside the network's subnet 10.239.0.0/16."] },
      })
      expect(virshOn(`net-dumpxml ${net}`)).toBe(liveBefore)
      expect(virshOn(`net-dumpxml ${net} --inactive`)).toBe(configBefore)
      expect(await db.dhcpMapping.count({ where: { hostId: host.row.id, network: net } })).toBe(mappingsBefore)
    })

    it('pins a lab guest to an address: after a reset it leases exactly that address, its tap never leaving the bridge', async () => {
      const before = tapsOfGuest()
      expect(before).toMatch(/^vnet\d+ virbr0$/)
      const { result } = await saveMapping(host.row, host.target, 'default', {
        mac: guestMac,
        ip: pinned,
        name: 'pinned-b1',
      })
      expect(result.mode).toBe('net-update')
      expect(virshOn('net-dumpxml default')).toContain(`<host mac='${guestMac}' name='pinned-b1' ip='${pinned}'/>`)
      expect(virshOn('net-dumpxml default --inactive')).toContain(
        `<host mac='${guestMac}' name='pinned-b1' ip='${pinned}'/>`,
      )
      expect(inHost('cat /var/lib/libvirt/dnsmasq/default.hostsfile')).toContain(`${guestMac},${pinned},pinned-b1`)
      expect(tapsOfGuest()).toBe(before)

      virshOn(`reset ${guest}`)
      let leases = ''
      for (let i = 0; i < 90 && !leases.includes(pinned); i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        leases = virshOn('net-dhcp-leases default')
        expect(tapsOfGuest()).toBe(before)
      }
      expect(leases).toMatch(new RegExp(`${guestMac}\\s+ipv4\\s+${pinned.replace(/\./g, '\\.')}/24`))
      const page = await readDhcpTables(host.row.id, host.target, 'default')
      expect(page?.mappings).toEqual([
        expect.objectContaining({ mac: guestMac, ip: pinned, owner: guest, missing: [] }),
      ])

      await deleteMapping(host.row, host.target, 'default', `mac:${guestMac}`)
      expect(virshOn('net-dumpxml default')).not.toContain(guestMac)
      expect(tapsOfGuest()).toBe(before)
    })

    it('bulk-applies 40 hosts in one reload, even listed after a network with guest ports, live and persistent equal to the table, and recovers from hand edits', async () => {
      const desired = fortyHosts()
      await freshNetwork()
      await storeDesired(host.row.id, net, desired)
      const defaultPorts = inHost('ls /run/libvirt/network/default/ports')
      expect(defaultPorts).not.toBe('')
      const { result, commands } = await recordCommands(() => reapplyDesired(host.row, host.target, net, 'bulk'))
      expect(result).toMatchObject({ mode: 'bulk', note: null })
      // Five round trips: the network's state; the status file, the driver's process and libvirt's lists together;
      // the persistent definition; the reload; the re-read that verifies.
      expect(commands.map((c) => c.command)).toEqual([
        expect.stringContaining('net-dhcp-leases'),
        expect.stringMatching(/driver\.pid[^]*net-list --inactive --autostart --name/),
        expect.stringContaining('net-define'),
        expect.stringContaining('kill -HUP'),
        expect.stringContaining('net-dhcp-leases'),
      ])
      // The other networks' status files are back, libvirt still knows vnlab-b1's port, and no reload lock is held.
      expect(inHost('ls -a /run/libvirt/network')).not.toContain('virtnet-held')
      expect(inHost('ls /run/libvirt/network/default/ports')).toBe(defaultPorts)
      expect(inHost('grep -c "<networkstatus" /run/libvirt/network/default.xml').trim()).toBe('1')
      let state = await readNetworkDhcpState(host.target, net)
      expect(state.live?.entries).toHaveLength(40)
      expect(state.config?.entries).toHaveLength(40)
      expect(inHost(`grep -c . /var/lib/libvirt/dnsmasq/${net}.hostsfile`).trim()).toBe('40')

      // Hand edits: one entry removed from the live side only, one foreign entry added → pending + drift.
      virshOn(`net-update ${net} delete ip-dhcp-host "<host mac='${desired[0]!.mac}'/>" --live`)
      virshOn(`net-update ${net} add ip-dhcp-host "<host mac='52:54:00:ee:ee:01' ip='10.239.9.9'/>" --live --config`)
      const page = await readDhcpTables(host.row.id, host.target, net)
      expect(page?.mappings.find((m) => m.mac === desired[0]!.mac)?.missing).toEqual(['not live'])
      expect(page?.drift).toEqual([expect.objectContaining({ mac: '52:54:00:ee:ee:01', ip: '10.239.9.9' })])

      expect((await reapplyDesired(host.row, host.target, net)).mode).toBe('net-update')
      await removeDrift(host.row, host.target, net, 'mac:52:54:00:ee:ee:01')
      state = await readNetworkDhcpState(host.target, net)
      expect(state.live?.entries).toHaveLength(40)
      expect(state.config?.entries).toHaveLength(40)
      expect(virshOn(`net-dumpxml ${net}`)).not.toContain('52:54:00:ee:ee:01')
    })

    it('reports a status file a killed bulk apply left aside, and the next bulk apply puts it back', async () => {
      await withFortyHosts()
      inHost('cd /run/libvirt/network && ln default.xml default.virtnet-held && rm default.xml')
      try {
        const health = await checkHealth(host.target)
        expect(health.warnings).toContainEqual(
          expect.stringContaining("libvirt's status file of default was set aside"),
        )
        virshOn(`net-update ${net} delete ip-dhcp-host "<host mac='${entry(2).mac}'/>" --live`)
        expect(await reapplyDesired(host.row, host.target, net, 'bulk')).toMatchObject({ mode: 'bulk', note: null })
        expect(inHost('ls -a /run/libvirt/network')).not.toContain('virtnet-held')
        expect(inHost('grep -c "<networkstatus" /run/libvirt/network/default.xml').trim()).toBe('1')
      } finally {
        inHost(
          'cd /run/libvirt/network && [ -e default.virtnet-held ] && ln default.virtnet-held default.xml 2>/dev/null; rm -f default.virtnet-held',
        )
      }
    })

    it('imports pasted CSV as a job: a bad line refuses the whole paste; a good one is previewed, then applied and audited', async () => {
      await withFortyHosts()
      const bad = 'mac,ip,name\n52:54:00:d2:00:01,10.239.3.1,i1\n52:54:00:d2:00:02,10.240.3.2,i2\n'
      await expect(previewImport(net, bad)).rejects.toMatchObject({
        errors: { csv: [expect.stringMatching(/^Line 3: .*outside the network's subnet/)] },
      })
      const lines = Array.from(
        { length: 12 },
        (_, i) => `52:54:00:d2:00:${(i + 1).toString(16).padStart(2, '0')},10.239.3.${i + 1},i${i + 1}`,
      )
      lines.push(`${entry(1).mac},10.239.3.99,h1`)
      expect((await previewImport(net, lines.join('\n'))).detail).toMatchObject({
        kind: 'dhcp-import',
        added: 12,
        changed: 1,
      })
      const { jobId } = await startImport(host.row, host.target, net, lines.join('\n'), actor)
      expect(await finishedJob(jobId)).toMatchObject({ status: 'succeeded' })
      const state = await readNetworkDhcpState(host.target, net)
      expect(state.live?.entries).toHaveLength(52)
      expect(state.config?.entries).toHaveLength(52)
      expect(state.live?.entries).toContainEqual({ family: 'ipv4', mac: entry(1).mac, ip: '10.239.3.99', name: 'h1' })
      expect(await db.auditEvent.findFirst({ where: { action: 'dhcp.import.job', target: net } })).toMatchObject({
        result: 'success',
      })
    })

    it('imports DHCPv6 lines (duid,ip,name) beside IPv4 ones on a dual-stack network, live and persistent', async () => {
      const net6 = `dhcp6it${lab.name.slice(-1)}-${process.pid}`
      const xml = `<network><name>${net6}</name><bridge name='vbd6${process.pid % 1000}'/><forward mode='nat'/><ip address='10.248.0.1' prefix='24'><dhcp><range start='10.248.0.100' end='10.248.0.200'/></dhcp></ip><ip family='ipv6' address='fd00:248::1' prefix='64'><dhcp><range start='fd00:248::100' end='fd00:248::1ff'/></dhcp></ip></network>`
      inHost(
        `printf '%s' "${xml.replace(/"/g, '\\"')}" > /tmp/${net6}.xml && virsh -q net-define /tmp/${net6}.xml >/dev/null && virsh -q net-start ${net6} >/dev/null; rm -f /tmp/${net6}.xml`,
      )
      try {
        const v4 = Array.from({ length: 6 }, (_, i) => `52:54:00:d6:00:0${i + 1},10.248.0.${i + 11},four${i + 1}`)
        const v6 = Array.from({ length: 6 }, (_, i) => `00:01:00:01:2c:1f:aa:0${i + 1},fd00:248::${i + 11},six${i + 1}`)
        const bad = await previewImport(net6, 'duid,ip,name\nzz:01,fd00:248::99,x').catch(
          (e: FieldErrors) => e.errors.csv,
        )
        expect(bad).toEqual([expect.stringMatching(/^Line 2: .*is not a DUID/)])
        const { jobId } = await startImport(
          host.row,
          host.target,
          net6,
          [...v4, ...v6, ',fd00:248::30,byname'].join('\n'),
          actor,
        )
        expect(await finishedJob(jobId)).toMatchObject({ status: 'succeeded' })
        const state = await readNetworkDhcpState(host.target, net6)
        for (const side of [state.live, state.config]) {
          expect(side?.entries.filter((e) => e.family === 'ipv6')).toHaveLength(7)
          expect(side?.entries.filter((e) => e.family === 'ipv4')).toHaveLength(6)
          expect(side?.entries).toContainEqual({
            family: 'ipv6',
            id: '00:01:00:01:2c:1f:aa:01',
            ip: 'fd00:248::11',
            name: 'six1',
          })
        }
      } finally {
        virshQuiet(`net-destroy ${net6}`)
        virshQuiet(`net-undefine ${net6}`)
        await db.dhcpMapping.deleteMany({ where: { hostId: host.row.id, network: net6 } })
      }
    })
  })
})
