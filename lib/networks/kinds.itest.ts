import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { createNetwork, stopNetwork, undefineNetwork } from '@/lib/networks/changes'
import { CreateNetworkSchema } from '@/lib/networks/schemas'
import { buildNetworkSpecXml } from '@/lib/libvirt-xml/network-kinds'
import { inHostA, libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'

/*
 * Every kind of network the create form offers, on lab hosts B (libvirt 9) and C (libvirt 11): defined, started,
 * something attached (a network namespace on the bridge that asks the network's DNS for a host entry, or a guest on a
 * macvtap pool), stopped and undefined, each read back through the lab's own shell. Open vSwitch cannot run here (the
 * kernel has no openvswitch module), so its XML is checked by libvirt's own `net-define --validate` instead.
 */

const form = (fields: Record<string, string>) =>
  CreateNetworkSchema.parse({ hostId: 'x', autostart: 'on', start: 'on', ...fields })

describe.each(libvirtLabHosts)('networks of every kind on $name (libvirt $libvirt)', (lab) => {
  const tag = `${lab.name.slice(-1)}${process.pid % 10000}`
  const inHost = lab.exec
  const octet = 200 + (process.pid % 40)
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const created: string[] = []
  const namespaces: string[] = []
  const links: string[] = []

  /**
   * A namespace with a veth on `bridge`, at `addresses`: what stands in for a guest on a bridged network. It lives in
   * this machine's root namespace and plugs its veth's other end into the host's namespace: host C runs chrooted,
   * where `ip netns add` cannot make its mount (its root is no mount point).
   */
  function attachNamespace(ns: string, bridge: string, addresses: string[]) {
    namespaces.push(ns)
    inHostA(`set -e
ip netns add ${ns}
ip -n ${ns} link add ${ns}g type veth peer name ${ns}h netns ${lab.netns}
ip -n ${ns} link set lo up
ip -n ${ns} link set ${ns}g up
${addresses.map((a) => `ip -n ${ns} addr add ${a} dev ${ns}g nodad`).join('\n')}`)
    inHost(`ip link set ${ns}h master ${bridge} up`)
  }

  /** Asks the DNS server at `server` (from inside `ns`) for the A or AAAA record of `name`: a hand-made DNS query. */
  function resolveFrom(ns: string, server: string, name: string, type: 'A' | 'AAAA'): string {
    const script = `
import socket, struct, sys, ipaddress
server, name, qtype = sys.argv[1], sys.argv[2], 1 if sys.argv[3] == 'A' else 28
query = struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0) + b''.join(bytes([len(p)]) + p.encode() for p in name.split('.')) + b'\\0' + struct.pack('>HH', qtype, 1)
family = socket.AF_INET6 if ':' in server else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM); s.settimeout(3)
for attempt in range(10):
    try:
        s.sendto(query, (server, 53)); reply = s.recv(512); break
    except OSError:
        import time; time.sleep(0.5)
else:
    print('no answer'); sys.exit(0)
size = 4 if qtype == 1 else 16
print(ipaddress.ip_address(reply[-size:]) if struct.unpack('>H', reply[6:8])[0] else 'no record')
`
    return inHostA(`ip netns exec ${ns} python3 -c '${script.replace(/'/g, `'"'"'`)}' ${server} ${name} ${type}`).trim()
  }

  const virshOn = (args: string) => inHost(`virsh -q ${args} 2>&1 || true`).trim()

  async function removeNetwork(name: string) {
    await stopNetwork(host.row, host.target, name)
    expect(virshOn(`net-info ${name}`)).toMatch(/Active:\s+no/)
    await undefineNetwork(host.row, host.target, name, name)
    expect(virshOn(`net-info ${name}`)).toContain('Network not found')
  }

  describe('each kind', () => {
    beforeAll(async () => {
      host = await registeredLabHost(lab.name)
    })
    afterAll(() => {
      // a namespace's veth goes with it, both ends
      // (`:` keeps the braces valid when no test got as far as making a namespace)
      inHostA(`{ :; ${namespaces.map((ns) => `ip netns del ${ns};`).join(' ')} } >/dev/null 2>&1; true`)
      inHost(`{
virsh destroy vnk-${tag}-g; virsh undefine vnk-${tag}-g
${created.map((n) => `virsh net-destroy ${n}; virsh net-undefine ${n}`).join('\n')}
${links.map((l) => `ip link del ${l}`).join('\n')}
} >/dev/null 2>&1; true`)
    })

    for (const kind of ['route', 'open', 'isolated'] as const) {
      it(`creates a ${kind} network, serves its DNS entries to a namespace on its bridge, stops and undefines it`, async () => {
        const i = ['route', 'open', 'isolated'].indexOf(kind)
        const name = `vnk-${tag}-${kind.slice(0, 2)}`
        const bridge = `vnk${tag}${kind.slice(0, 1)}`
        created.push(name)
        const subnet = `10.${octet}.${10 + i}`
        await createNetwork(
          host.row,
          host.target,
          form({
            name,
            kind,
            bridge,
            ipv4Cidr: `${subnet}.0/24`,
            domain: `vnk${i}.test`,
            localOnly: 'on',
            dnsHosts: `${subnet}.50 web.vnk${i}.test`,
            mtu: '1400',
          }),
        )
        const xml = virshOn(`net-dumpxml ${name}`)
        if (kind === 'isolated') expect(xml).not.toContain('<forward')
        else expect(xml).toContain(`<forward mode='${kind}'/>`)
        expect(xml).toContain(`<mtu size='1400'/>`)
        expect(virshOn(`net-info ${name}`)).toMatch(/Active:\s+yes[\s\S]*Autostart:\s+yes/)
        expect(inHost(`cat /sys/class/net/${bridge}/mtu`).trim()).toBe('1400')

        const ns = `vnk${tag}n${i}`
        attachNamespace(ns, bridge, [`${subnet}.7/24`])
        expect(resolveFrom(ns, `${subnet}.1`, `web.vnk${i}.test`, 'A')).toBe(`${subnet}.50`)

        await removeNetwork(name)
      })
    }

    it('creates an isolated dual-stack network with a DHCPv6 range, answering over IPv6 on its bridge', async () => {
      const name = `vnk-${tag}-v6`
      const bridge = `vnk${tag}6`
      const prefix = `fd00:${octet.toString(16)}:6`
      created.push(name)
      await createNetwork(
        host.row,
        host.target,
        form({
          name,
          kind: 'isolated',
          bridge,
          ipv4Cidr: `10.${octet}.20.0/24`,
          ipv6Cidr: `${prefix}::/64`,
          dhcp6Start: `${prefix}::100`,
          dhcp6End: `${prefix}::1ff`,
          dnsHosts: `${prefix}::50 six.vnk.test`,
        }),
      )
      const conf = inHost(`cat /var/lib/libvirt/dnsmasq/${name}.conf`)
      expect(conf).toContain(`dhcp-range=${prefix}::100,${prefix}::1ff,64`)
      expect(conf).toContain('enable-ra')
      expect(inHost(`ip -6 -o addr show dev ${bridge} scope global`)).toContain(`${prefix}::1/64`)

      const ns = `vnk${tag}n6`
      attachNamespace(ns, bridge, [`${prefix}::7/64`])
      expect(resolveFrom(ns, `${prefix}::1`, 'six.vnk.test', 'AAAA')).toBe(`${prefix}::50`)
      await removeNetwork(name)
    })

    it('refuses a DHCPv6 range on a /56 in words, before libvirt is asked', async () => {
      const name = `vnk-${tag}-56`
      const attempt = createNetwork(
        host.row,
        host.target,
        form({
          name,
          kind: 'isolated',
          ipv6Cidr: `fd00:${octet.toString(16)}:5600::/56`,
          dhcp6Start: `fd00:${octet.toString(16)}:5600::100`,
          dhcp6End: `fd00:${octet.toString(16)}:5600::1ff`,
        }),
      )
      await expect(attempt).rejects.toThrow(FieldErrors)
      await expect(attempt).rejects.toMatchObject({
        errors: { ipv6Cidr: [expect.stringContaining('needs a prefix of /64 or longer')] },
      })
      expect(virshOn(`net-info ${name}`)).toContain('Network not found')
    })

    it('creates a macvtap pool over a veth, gives a guest a macvtap on it, stops and undefines it', async () => {
      const name = `vnk-${tag}-mv`
      const lower = `vnk${tag}m`
      created.push(name)
      links.push(lower)
      inHost(`ip link add ${lower} type veth peer name ${lower}p && ip link set ${lower} up`)
      await createNetwork(host.row, host.target, form({ name, kind: 'direct', directMode: 'vepa', interfaces: lower }))
      expect(virshOn(`net-dumpxml ${name}`)).toContain(`<forward dev='${lower}' mode='vepa'>`)

      const guest = `vnk-${tag}-g`
      inHost(`f=$(mktemp); cat > "$f" <<'XML'
<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
<interface type='network'><source network='${name}'/><model type='virtio'/></interface></devices></domain>
XML
virsh -q define "$f" >/dev/null; rm -f "$f"; virsh -q start ${guest} >/dev/null`)
      const macvtap = inHost(`ip -d -o link show | grep -o 'macvtap[0-9]*@${lower}' || true`).trim()
      expect(macvtap).toMatch(new RegExp(`^macvtap\\d+@${lower}$`))
      expect(inHost(`ip -d -o link show ${macvtap.split('@')[0]}`)).toMatch(/macvtap\s+mode vepa/)
      inHost(`virsh -q destroy ${guest} >/dev/null; virsh -q undefine ${guest} >/dev/null`)
      await removeNetwork(name)
    })

    it("builds an Open vSwitch network with VLAN portgroups that libvirt's schema validates (no OVS in this kernel)", () => {
      const name = `vnk-${tag}-ovs`
      const parsed = form({ name, kind: 'openvswitch', bridge: 'ovsbr0', portgroups: 'web 10 default\ntrunk 20 30' })
      const xml = buildNetworkSpecXml({
        name,
        kind: 'openvswitch',
        bridge: parsed.bridge,
        portgroups: parsed.portgroups,
      })
      expect(xml).toContain(`<virtualport type='openvswitch'/>`)
      const out = inHost(`f=$(mktemp); cat > "$f" <<'XML'
${xml}
XML
virsh net-define --validate "$f" 2>&1; rm -f "$f"; virsh -q net-dumpxml ${name}; virsh -q net-undefine ${name} >/dev/null 2>&1; true`)
      expect(out).toContain(`Network ${name} defined`)
      expect(out).toContain(`<portgroup name='web' default='yes'>`)
      expect(out).toContain(`<vlan trunk='yes'>`)
    })
  })
})
