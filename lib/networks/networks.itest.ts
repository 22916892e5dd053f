import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors, OperatorError } from '@/lib/core/errors'
import { listNetworks } from '@/lib/libvirt/read-networks'
import {
  createNatNetwork,
  setNetworkAutostart,
  startNetwork,
  stopNetwork,
  undefineNetwork,
} from '@/lib/networks/changes'
import { db } from '@/lib/db/client'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { previewOf } from '@/lib/plan/dry-run'

describe.each(libvirtLabHosts)('networks on $name (libvirt $libvirt), over real SSH', (lab) => {
  const name = `itest-${process.pid}`
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const onLabHost = lab.exec
  const virshOnHost = (args: string) => onLabHost(`virsh -q ${args} 2>&1 || true`)
  beforeAll(async () => {
    host = await registeredLabHost(lab.name)
  })
  afterAll(() => {
    virshOnHost(`net-destroy ${name}`)
    virshOnHost(`net-undefine ${name}`)
  })

  it('lists the default network with its bridge, subnet, DHCP range and guest', async () => {
    const networks = await listNetworks(host.target)
    const stock = networks.find((n) => n.name === 'default')
    expect(stock).toMatchObject({
      active: true,
      persistent: true,
      forwardMode: 'nat',
      bridge: 'virbr0',
      ipv4: { gateway: '192.168.122.1', subnet: '192.168.122.0/24' },
      dhcpRange: { start: '192.168.122.2', end: '192.168.122.254' },
    })
    expect(stock?.guests).toContain(lab.guest)
  })

  it('previews a NAT network as the exact plan (with the XML it would define), defining and storing nothing', async () => {
    const plan = await previewOf(() =>
      createNatNetwork(host.row, host.target, { name, ipv4Cidr: '10.247.9.0/24', autostart: true, start: true }),
    )
    expect(plan.steps.map((s) => String(s.command))).toEqual([
      expect.stringContaining('net-define'),
      expect.stringContaining('net-autostart'),
      expect.stringContaining('net-start'),
    ])
    expect(plan.steps[0]!.stdin).toContain(`<name>${name}</name>`)
    expect(virshOnHost('net-list --all --name')).not.toContain(name)
    expect(await db.desiredNetwork.count({ where: { hostId: host.row.id, name } })).toBe(0)
    // Bad input is refused the same way with or without a preview.
    await expect(
      previewOf(() =>
        createNatNetwork(host.row, host.target, { name, ipv4Cidr: '192.168.122.0/25', autostart: false, start: false }),
      ),
    ).rejects.toBeInstanceOf(FieldErrors)
  })

  it('refuses an overlapping subnet and defines nothing', async () => {
    const attempt = createNatNetwork(host.row, host.target, {
      name,
      ipv4Cidr: '192.168.122.128/25',
      autostart: false,
      start: false,
    })
    await expect(attempt).rejects.toBeInstanceOf(FieldErrors)
    await expect(attempt).rejects.toMatchObject({
      errors: { ipv4Cidr: ['192.168.122.128/25 overlaps 192.168.122.0/24 of network default.'] },
    })
    expect(virshOnHost('net-list --all --name')).not.toContain(name)
  })

  it('creates, starts, stops, toggles autostart and undefines a NAT network, keeping desired state in step', async () => {
    const layout = await createNatNetwork(host.row, host.target, {
      name,
      ipv4Cidr: '10.231.4.0/24',
      autostart: false,
      start: false,
    })
    expect(layout).toMatchObject({ gateway: '10.231.4.1', dhcpStart: '10.231.4.2', dhcpEnd: '10.231.4.254' })
    expect(virshOnHost(`net-dumpxml ${name}`)).toContain(`<bridge name='${layout.bridge}'`)

    await startNetwork(host.row, host.target, name)
    expect(virshOnHost(`net-info ${name}`)).toMatch(/Active:\s+yes/)
    // libvirt's dnsmasq for the new network is really running and bound to the gateway address
    expect(onLabHost(`ss -Hlnu 'sport = :67' ; ss -Hlnt 'sport = :53'`)).toContain('10.231.4.1')

    await expect(startNetwork(host.row, host.target, name)).rejects.toBeInstanceOf(OperatorError)
    await setNetworkAutostart(host.row, host.target, name, true)
    expect(virshOnHost(`net-info ${name}`)).toMatch(/Autostart:\s+yes/)
    expect(await db.desiredNetwork.findUnique({ where: { hostId_name: { hostId: host.row.id, name } } })).toMatchObject(
      { kind: 'nat', active: true, autostart: true },
    )

    await stopNetwork(host.row, host.target, name)
    expect(virshOnHost(`net-info ${name}`)).toMatch(/Active:\s+no/)

    await expect(undefineNetwork(host.row, host.target, name, 'wrong')).rejects.toBeInstanceOf(FieldErrors)
    await undefineNetwork(host.row, host.target, name, name)
    expect(virshOnHost('net-list --all --name')).not.toContain(name)
    expect(await db.desiredNetwork.count({ where: { hostId: host.row.id, name } })).toBe(0)
  })
})
