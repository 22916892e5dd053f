import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OperatorError } from '@/lib/core/errors'
import { db } from '@/lib/db/client'
import { createNatNetwork, restoreDefaultNetwork, undefineNetwork } from '@/lib/networks/changes'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { run } from '@/lib/ssh'
import { virsh } from '@/lib/libvirt/virsh'

/*
 * The network changes no other test makes on lab hosts B (libvirt 9, iptables) and C (libvirt 11, nftables):
 * undefining a network that runs with a guest on it, and restoring libvirt's stock `default` network. Everything is
 * re-read through the lab (virsh, ip, ps, the firewall inside the host), not through Virtnet.
 */

const actor = { id: 'itest', username: 'itest' }

/** The firewall rules libvirt keeps for its networks, as text: its iptables chains or its nftables table. */
const libvirtRules = { iptables: 'iptables-save', nftables: 'nft list table ip libvirt_network' } as const

describe.each(libvirtLabHosts)('networks on $name (libvirt $libvirt, $firewall)', (lab) => {
  const tag = `vng${lab.name.slice(-1)}${process.pid % 100000}`
  const scratch = `${tag}-live`
  const guest = `${tag}-g`
  const subnetOctet = 20 + (process.pid % 200)
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const inHost = lab.exec
  const onHost = (script: string) => inHost(`${script} 2>&1 || true`)
  /**
   * Runs `command(file)` inside the host with `content` in that file (libvirt's XML is full of quotes); it travels in a
   * here-document, since host C's root is not this machine's.
   */
  function inHostWithFile(command: (file: string) => string, content: string) {
    const body = content.endsWith('\n') || content === '' ? content : `${content}\n`
    return inHost(`f=$(mktemp) && cat > "$f" <<'VNG_INPUT'
${body}VNG_INPUT
${command('"$f"')}; s=$?; rm -f "$f"; exit $s`)
  }

  async function jobWhenDone(jobId: string) {
    for (const end = Date.now() + 60_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      const job = await db.job.findUniqueOrThrow({ where: { id: jobId }, include: { steps: true } })
      if (job.status !== 'running') return job
    }
    throw new Error(`job ${jobId} still runs after 60 s`)
  }

  describe('undefining a network that is running, with a guest on it', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      onHost(
        `virsh destroy ${guest}; virsh undefine ${guest}; virsh net-destroy ${scratch}; virsh net-undefine ${scratch}`,
      )
    })
    afterAll(() => {
      onHost(
        `virsh destroy ${guest}; virsh undefine ${guest}; virsh net-destroy ${scratch}; virsh net-undefine ${scratch}`,
      )
    })

    it('stops and removes it: no definition, bridge, dnsmasq or libvirt rule left; the guest runs on, unplugged', async () => {
      const layout = await createNatNetwork(host.row, host.target, {
        name: scratch,
        ipv4Cidr: `10.249.${subnetOctet}.0/24`,
        autostart: true,
        start: true,
      })
      const domain = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices><interface type='network'><source network='${scratch}'/><model type='virtio'/></interface><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`
      await run(host.target, virsh('define', '--file', '/dev/stdin'), { stdin: domain })
      await run(host.target, virsh('start', '--domain', guest), { timeoutMs: 60_000 })
      const tap = inHost(`virsh -q domiflist ${guest} | awk '{print $1}'`).trim()
      expect(inHost(`basename $(readlink /sys/class/net/${tap}/master)`).trim()).toBe(layout.bridge)
      expect(onHost(`pgrep -af dnsmasq`)).toContain(`/var/lib/libvirt/dnsmasq/${scratch}.conf`)
      expect(onHost(libvirtRules[lab.firewall])).toContain(`10.249.${subnetOctet}.0/24`)
      expect(await db.desiredNetwork.count({ where: { hostId: host.row.id, name: scratch } })).toBe(1)

      const guests = await undefineNetwork(host.row, host.target, scratch, scratch)

      // What the page warned about: this guest had an interface on it.
      expect(guests).toEqual([guest])
      expect(inHost('virsh -q net-list --all --name')).not.toContain(scratch)
      expect(onHost(`ls /etc/libvirt/qemu/networks/ /etc/libvirt/qemu/networks/autostart/`)).not.toContain(scratch)
      expect(onHost(`ip link show ${layout.bridge}`)).toContain('does not exist')
      expect(onHost(`pgrep -af dnsmasq`)).not.toContain(`${scratch}.conf`)
      expect(onHost(libvirtRules[lab.firewall])).not.toContain(`10.249.${subnetOctet}.0/24`)
      expect(await db.desiredNetwork.count({ where: { hostId: host.row.id, name: scratch } })).toBe(0)
      // The guest keeps running; its interface is on no bridge any more ("will lose that connection").
      expect(inHost(`virsh -q domstate ${guest}`).trim()).toBe('running')
      expect(onHost(`readlink /sys/class/net/${tap}/master || echo unplugged`).trim()).toBe('unplugged')
      // A second undefine finds nothing and changes nothing.
      await expect(undefineNetwork(host.row, host.target, scratch, scratch)).rejects.toBeInstanceOf(OperatorError)
    })
  })

  /*
   * Restoring `default` needs a host without one, and the stock file names the network `default`, so no scratch
   * network can play its part. The host's own default carries the lab guest (vnlab-b1, vnlab-c1) that other tests
   * use at the same time: the window without it is kept to a few seconds, and afterwards the host gets back exactly
   * what it had (the same definition with its UUID and MAC, autostart, dnsmasq's lease and MAC files, libvirt's port
   * for the guest and the guest's tap on virbr0).
   */
  describe('restoring the stock default network', () => {
    const saved = { xml: '', autostart: false, ports: [] as string[], status: '', macs: '', taps: [] as string[] }
    const dnsmasqDir = '/var/lib/libvirt/dnsmasq'
    let removedDefault = false

    /** The host's own default again: the saved definition, dnsmasq's files, libvirt's ports, the taps on virbr0. */
    function putOriginalBack() {
      if (!removedDefault) return
      removedDefault = false
      inHost('virsh -q net-destroy default >/dev/null 2>&1; virsh -q net-undefine default >/dev/null 2>&1; true')
      inHostWithFile((file) => `virsh -q net-define ${file} >/dev/null`, saved.xml)
      if (saved.autostart) inHost('virsh -q net-autostart default >/dev/null')
      inHostWithFile((file) => `cat ${file} > ${dnsmasqDir}/virbr0.status`, saved.status)
      inHostWithFile((file) => `cat ${file} > ${dnsmasqDir}/virbr0.macs`, saved.macs)
      inHost('virsh -q net-start default >/dev/null')
      try {
        // Without its <plug>: libvirt 9's virsh cannot reclaim a plugged port; allocating it fills the plug in again.
        for (const port of saved.ports)
          inHostWithFile(
            (file) => `virsh -q net-port-create default ${file} >/dev/null`,
            port.replace(/\s*<plug [^>]*\/>/, ''),
          )
      } finally {
        for (const tap of saved.taps) inHost(`ip link set dev ${tap} master virbr0 && ip link set dev ${tap} up`)
      }
    }

    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
      saved.xml = inHost('virsh net-dumpxml --inactive default')
      saved.autostart = /Autostart:\s+yes/.test(inHost('virsh net-info default'))
      const portUuids = inHost('virsh -q net-port-list default')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
      saved.ports = portUuids.map((uuid) => inHost(`virsh net-port-dumpxml default ${uuid}`))
      saved.status = onHost(`cat ${dnsmasqDir}/virbr0.status`)
      saved.macs = onHost(`cat ${dnsmasqDir}/virbr0.macs`)
      saved.taps = onHost(`ls /sys/class/net/virbr0/brif/`)
        .split('\n')
        .map((t) => t.trim())
        .filter((t) => t.startsWith('vnet'))
      expect(saved.taps.length).toBeGreaterThan(0)
    })
    afterAll(() => putOriginalBack())

    it('refuses while the host has a default network, and changes nothing', async () => {
      const jobs = await db.job.count()
      await expect(restoreDefaultNetwork(host.row, host.target, actor)).rejects.toThrow(
        'This host already has a network named default.',
      )
      expect(inHost('virsh net-dumpxml --inactive default')).toBe(saved.xml)
      expect(await db.job.count()).toBe(jobs)
    })

    it('defines default from the stock file, autostarts and starts it; the host then gets its own default back', async () => {
      // the host without default, as after an operator removed it
      removedDefault = true
      inHost('virsh -q net-destroy default >/dev/null && virsh -q net-undefine default >/dev/null')
      let jobId: string
      try {
        jobId = await restoreDefaultNetwork(host.row, host.target, actor)
      } catch (error) {
        putOriginalBack()
        throw error
      }
      const job = await jobWhenDone(jobId)
      const restored = {
        info: onHost('virsh net-info default'),
        xml: onHost('virsh net-dumpxml --inactive default'),
        dnsmasq: onHost('pgrep -af dnsmasq'),
        gateway: onHost('ip -br addr show dev virbr0'),
      }
      putOriginalBack()

      expect(job.status, job.error ?? '').toBe('succeeded')
      expect(job.steps.map((s) => s.status)).toEqual(['done', 'done', 'done'])
      expect(restored.info).toMatch(/Active:\s+yes/)
      expect(restored.info).toMatch(/Autostart:\s+yes/)
      expect(restored.info).toMatch(/Persistent:\s+yes/)
      // exactly the stock definition, with what libvirt adds to any network it defines (UUID, MAC, STP defaults)
      const stock = inHost('cat /usr/share/libvirt/networks/default.xml')
      expect(stock).toContain("<bridge name='virbr0'/>")
      expect(restored.xml).toContain("<forward mode='nat'/>")
      expect(restored.xml).toContain("<bridge name='virbr0' stp='on' delay='0'/>")
      expect(restored.xml).toContain("<ip address='192.168.122.1' netmask='255.255.255.0'>")
      expect(restored.xml).toContain("<range start='192.168.122.2' end='192.168.122.254'/>")
      expect(restored.xml).not.toContain(saved.xml.match(/<uuid>.*<\/uuid>/)![0])
      expect(restored.dnsmasq).toContain('/var/lib/libvirt/dnsmasq/default.conf')
      expect(restored.gateway).toContain('192.168.122.1/24')
      expect(
        await db.desiredNetwork.findUnique({ where: { hostId_name: { hostId: host.row.id, name: 'default' } } }),
      ).toMatchObject({
        kind: 'stock-default',
        active: true,
        autostart: true,
      })
      const audit = await db.auditEvent.findFirst({
        where: { action: 'network.restore-default.job', target: 'default' },
        orderBy: { id: 'desc' },
      })
      expect(audit).toMatchObject({ result: 'success' })

      // the host has its own default back, exactly
      expect(inHost('virsh net-dumpxml --inactive default')).toBe(saved.xml)
      expect(inHost('virsh -q net-port-list default').trim()).toBe(
        saved.ports.map((p) => p.match(/<uuid>(.*)<\/uuid>/)![1]).join('\n'),
      )
      for (const tap of saved.taps)
        expect(inHost(`basename $(readlink /sys/class/net/${tap}/master)`).trim()).toBe('virbr0')
      await db.desiredNetwork.deleteMany({ where: { hostId: host.row.id, name: 'default' } })
    })
  })
})
