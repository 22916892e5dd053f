import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { changeInterfaceSettings } from '@/lib/guests/changes'
import { PlanFailedError } from '@/lib/plan/execute'
import { InterfaceSettingsSchema } from '@/lib/guests/schemas'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

/*
 * An interface's settings on a running guest of each lab libvirt host (TCG, 32 MiB, iPXE): link state live and in the
 * definition, a network filter bound to its port, and bandwidth, which this kernel refuses (no sfq qdisc): the refusal
 * reaches the caller and both definitions stay byte for byte as they were. Everything is read back through the lab's
 * shell. The guest's network hands iPXE a script over TFTP that keeps its network open (iPXE answers ping while it
 * sleeps), so link state and filters are proven by packets too: pings from the host before, during and after.
 */

const tag = `${process.pid % 10000}`
const network = `vnk-${tag}-gs`
const bridge = `vnk${tag}s`
const guest = `vnk-${tag}-gs`
const mac = `52:54:00:6b:${(process.pid % 256).toString(16).padStart(2, '0')}:01`
const subnet = `10.${210 + (process.pid % 30)}.30`
const guestIp = `${subnet}.20`
const tftpRoot = `/var/lib/libvirt/${network}-tftp`
const dropIcmp = `${network}-drop-icmp`
const settings = (fields: Record<string, string>) =>
  InterfaceSettingsSchema.parse({ hostId: 'x', guest, mac, link: 'up', model: 'virtio', ...fields })

describe.each(libvirtLabHosts)('guest interface settings on lab host $name (libvirt $libvirt)', ({ name, exec }) => {
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const dumpxml = (inactive: boolean) => exec(`virsh dumpxml ${guest}${inactive ? ' --inactive' : ''}`)
  /** Echo replies to three pings from the host to the guest, over the test network's bridge. */
  const pingReplies = () =>
    Number(exec(`ping -n -q -c 3 -i 0.3 -W 1 ${guestIp} | sed -n 's/.* \\([0-9]*\\) received.*/\\1/p'`).trim())
  const cleanUp = `{ virsh destroy ${guest}; virsh undefine ${guest}; virsh net-destroy ${network}; virsh net-undefine ${network}; virsh nwfilter-undefine ${dropIcmp}; rm -rf ${tftpRoot}; } >/dev/null 2>&1; true`

  beforeAll(async () => {
    host = await registeredLabHost(name)
    exec(`${cleanUp}
set -e
mkdir -p -m 755 ${tftpRoot}
printf '#!ipxe\\necho virtnet test guest: network open\\n:hold\\nsleep 3600\\ngoto hold\\n' > ${tftpRoot}/hold.ipxe
chmod 644 ${tftpRoot}/hold.ipxe
f=$(mktemp); cat > "$f" <<'XML'
<network><name>${network}</name><bridge name='${bridge}'/><ip address='${subnet}.1' prefix='24'><tftp root='${tftpRoot}'/>
<dhcp><range start='${subnet}.10' end='${subnet}.99'/><host mac='${mac}' ip='${guestIp}'/><bootp file='hold.ipxe'/></dhcp></ip></network>
XML
virsh -q net-define "$f" >/dev/null; virsh -q net-start ${network} >/dev/null
cat > "$f" <<'XML'
<filter name='${dropIcmp}' chain='ipv4'><rule action='drop' direction='inout' priority='100'><icmp/></rule></filter>
XML
virsh -q nwfilter-define "$f" >/dev/null
cat > "$f" <<'XML'
<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices>
<interface type='network'><mac address='${mac}'/><source network='${network}'/><model type='virtio'/></interface>
</devices></domain>
XML
virsh -q define "$f" >/dev/null; rm -f "$f"; virsh -q start ${guest} >/dev/null`)
    // iPXE takes its address, loads the script and answers from then on.
    await vi.waitFor(
      () => {
        if (pingReplies() === 0) throw new Error(`the test guest on ${name} does not answer ping`)
      },
      { timeout: 60_000, interval: 500 },
    )
  }, 90_000)
  afterAll(() => {
    exec(cleanUp)
  })

  it('sets the link down and up again, live and in the definition, changing nothing else', async () => {
    const before = { live: dumpxml(false), config: dumpxml(true) }
    await changeInterfaceSettings(host.target, settings({ link: 'down' }))
    expect(exec(`virsh domif-getlink ${guest} ${mac}`)).toContain('down')
    expect(pingReplies()).toBe(0)
    const config = dumpxml(true)
    expect(config).toContain(`<link state='down'/>`)
    expect(config.split('\n').filter((line) => !line.includes('<link '))).toEqual(before.config.split('\n'))

    await changeInterfaceSettings(host.target, settings({ link: 'up' }))
    expect(exec(`virsh domif-getlink ${guest} ${mac}`)).toContain('up')
    expect(dumpxml(true)).toContain(`<link state='up'/>`)
    await expect.poll(pingReplies, { timeout: 10_000, interval: 200 }).toBeGreaterThan(0)
  })

  it('proves a filter by its packets: the guest answers ping, a filter dropping ICMP silences it, removing it restores it', async () => {
    expect(pingReplies()).toBe(3)
    await changeInterfaceSettings(host.target, settings({ filter: dropIcmp }))
    expect(exec(`virsh nwfilter-binding-list`)).toContain(dropIcmp)
    expect(pingReplies()).toBe(0)
    await changeInterfaceSettings(host.target, settings({}))
    expect(exec(`virsh nwfilter-binding-list`)).not.toContain(dropIcmp)
    expect(pingReplies()).toBe(3)
  })

  it('binds a network filter with its parameters to the running interface, and removes it again', async () => {
    await changeInterfaceSettings(
      host.target,
      settings({ filter: 'clean-traffic', filterParameters: `IP=${subnet}.50` }),
    )
    for (const xml of [dumpxml(false), dumpxml(true)]) {
      expect(xml).toContain(`<filterref filter='clean-traffic'>`)
      expect(xml).toContain(`<parameter name='IP' value='${subnet}.50'/>`)
    }
    const tap = exec(`virsh domiflist ${guest} | awk '$5 == "${mac}" {print $1}'`).trim()
    expect(exec(`virsh nwfilter-binding-list`)).toMatch(new RegExp(`${tap}\\s+clean-traffic`))

    await changeInterfaceSettings(host.target, settings({}))
    expect(dumpxml(true)).not.toContain('<filterref')
    expect(exec(`virsh nwfilter-binding-list`)).not.toMatch(new RegExp(`${tap}\\s`))
  })

  it('passes on the refusal of a bandwidth limit (no sfq qdisc here) and leaves both definitions as they were', async () => {
    const before = { live: dumpxml(false), config: dumpxml(true) }
    const attempt = changeInterfaceSettings(host.target, settings({ inboundAverage: '1000', outboundAverage: '500' }))
    await expect(attempt).rejects.toThrow(PlanFailedError)
    await expect(attempt).rejects.toThrow(/bandwidth|qdisc|tc/i)
    expect(dumpxml(false)).toBe(before.live)
    expect(dumpxml(true)).toBe(before.config)
  })

  it('changes the model of a running guest in its definition only, for the next boot', async () => {
    const result = await changeInterfaceSettings(host.target, settings({ model: 'e1000' }))
    expect(result.modelAtNextBoot).toBe(true)
    expect(dumpxml(true)).toContain(`<model type='e1000'/>`)
    expect(dumpxml(false)).toContain(`<model type='virtio'/>`)
    await changeInterfaceSettings(host.target, settings({ model: 'virtio' }))
    expect(dumpxml(true)).toContain(`<model type='virtio'/>`)
  })
})
