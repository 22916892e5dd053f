import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FieldErrors } from '@/lib/core/errors'
import { db } from '@/lib/db/client'
import { registeredLabHost } from '@/lib/test/lab'
import { readDhcpTables } from '@/lib/dhcp/read'
import { deleteMapping } from '@/lib/dhcp/changes'
import { addForward, installHook, reconcileForwards, removeForward } from '@/lib/forwards/changes'
import { readHookStatus, readIptables, readNftRuleset, runningGuestUuids } from '@/lib/forwards/read'
import { desiredNftRules, desiredRules, toRuleInput } from '@/lib/forwards/rules'
import { computeDrift, computeNftDrift, driftCount } from '@/lib/forwards/drift'
import { hookPaths, statePath } from '@/lib/forwards/hook-script'
import {
  clientSays,
  createLibvirtParts,
  createNamespaces,
  describeFixture,
  onHost,
  otherGuestSays,
  plugGuest,
  removeAll,
  restartLibvirtd,
  type ForwardLabHost,
  withHook as withHookOnFixture,
} from '@/lib/test/forward-lab'

/*
 * Real packets on lab host B (libvirt 9, iptables) and host C (libvirt 11, libvirt's nftables backend, its own
 * ip libvirt_network table): a client namespace reaches a "guest" namespace on a NAT network of the host through the
 * host's address, via the rules Virtnet applies; libvirtd and network restarts, a real guest's stop/start and a
 * corrupt state file go through the installed hook. What differs between the backends is how the tests look at the
 * rules (`backendView`); the packets and the expectations are the same.
 */
const backendView = {
  b: {
    backend: 'iptables',
    address: '10.77.0.2',
    labGuest: 'vnlab-b1',
    /** every rule of Virtnet's on the host, as text */
    ours: 'iptables-save | grep VIRTNET; true',
    /** how many of Virtnet's rules (tagged vn:) are live */
    tagged: 'iptables-save | grep -c "vn:" || true',
    /** anything of Virtnet's left in the firewall at all */
    residue: 'iptables-save | grep -c VIRTNET || true',
    /** the rule that must come first: ahead of libvirt's rejects */
    firstOfLibvirt: 'iptables -t filter -S FORWARD | sed -n 2p',
    ourFirst: '-A FORWARD -j VIRTNET_FWD',
    bound: (address: string, port: number) => [
      'iptables-save -t nat | grep VIRTNET_DNAT',
      `-d ${address}/32 -p tcp -m tcp --dport ${port}`,
    ],
  },
  c: {
    backend: 'nftables',
    address: '10.77.0.6',
    labGuest: 'vnlab-c1',
    ours: 'nft list table ip virtnet 2>/dev/null; nft list chain ip libvirt_network virtnet_accept 2>/dev/null; true',
    tagged: 'nft list ruleset | grep -c "vn:" || true',
    residue: 'nft list ruleset | grep -c -e virtnet -e "vn:" || true',
    firstOfLibvirt: 'nft list chain ip libvirt_network guest_input | sed -n 3p',
    ourFirst: 'ct status dnat jump virtnet_accept comment "virtnet"',
    bound: (address: string, port: number) => ['nft list table ip virtnet', `ip daddr ${address} tcp dport ${port}`],
  },
} as const

describe.each(['b', 'c'] as const)('port forwards on lab host %s, with real packets', (which: ForwardLabHost) => {
  const view = backendView[which]
  const f = describeFixture(process.pid, which)
  const onHostHere = (script: string) => onHost(f, script)
  const actor = { id: null, username: 'itest' }
  const tcpPort = 20000 + (process.pid % 1000)
  const udpPort = tcpPort + 1
  const allowPort = tcpPort + 2
  const existingHook = '/etc/libvirt/hooks/qemu'
  const existingHookLog = `fwd-itest-${process.pid}.log`
  const existingHookSaved = `${existingHook}.vnh-saved-${process.pid}`
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const guest = () => `${f.guestUuid}/${f.network}`
  const input = (over: Partial<Parameters<typeof addForward>[2]> = {}) => ({
    guest: guest(),
    protocol: 'tcp' as const,
    hostPort: { start: tcpPort, end: tcpPort },
    guestPort: { start: 7000, end: 7000 },
    sourceCidrs: [],
    description: 'itest',
    hostAddress: null,
    createMapping: false,
    ...over,
  })

  async function drift() {
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id } })
    const running = new Set(await runningGuestUuids(host.target))
    if (which === 'c') {
      const desired = desiredNftRules(rows.map(toRuleInput), running)
      return computeNftDrift(desired, await readNftRuleset(host.target))
    }
    const desired = desiredRules(rows.map(toRuleInput), running)
    return computeDrift(desired, await readIptables(host.target))
  }
  const firstOfLibvirt = () => onHostHere(view.firstOfLibvirt).trim()
  const waitFor = async (check: () => boolean, ms = 15_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
      if (check()) return true
    return check()
  }
  const udpInput = () =>
    input({ protocol: 'udp', hostPort: { start: udpPort, end: udpPort }, guestPort: { start: 7001, end: 7001 } })

  /*
   * The suite runs shuffled: each test starts from the state it needs, set up here, never from what an earlier test
   * left. The fixture's guest runs with its namespace on the bridge; the hook is installed and libvirtd has read it.
   */
  async function guestUp() {
    if (onHostHere(`virsh -q domstate ${f.guestName}`).trim() !== 'running')
      onHostHere(`virsh -q start ${f.guestName} >/dev/null`)
    plugGuest(f)
  }

  /** The TCP and UDP forwards to the guest (added when missing). */
  async function withForwards() {
    await guestUp()
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id } })
    const has = (protocol: string, port: number) =>
      rows.some((r) => r.protocol === protocol && r.hostPortStart === port && r.guestUuid === f.guestUuid)
    if (!has('tcp', tcpPort)) await addForward(host.row, host.target, input(), actor)
    if (!has('udp', udpPort)) await addForward(host.row, host.target, udpInput(), actor)
  }

  async function withoutForwards() {
    for (const row of await db.portForward.findMany({ where: { hostId: host.row.id } }))
      await removeForward(host.row, host.target, row.id)
  }

  const withHook = () => withHookOnFixture(f, host)

  beforeAll(async () => {
    host = await registeredLabHost(f.labName)
    removeAll(f)
    createLibvirtParts(f)
    createNamespaces(f)
  })
  afterAll(async () => {
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id } })
    for (const row of rows) await removeForward(host.row, host.target, row.id).catch(() => undefined)
    onHostHere(
      `rm -f ${statePath} /run/libvirt/${existingHookLog}; grep -q ${existingHookLog} ${existingHook} 2>/dev/null && rm -f ${existingHook}; test ! -e ${existingHookSaved} || mv ${existingHookSaved} ${existingHook}; true`,
    )
    removeAll(f)
  })

  it('forwards TCP and UDP from the host to the guest, with no drift and the jumps ahead of libvirt', async () => {
    await withoutForwards()
    await guestUp()
    expect(clientSays(f, 'tcp', tcpPort)).toBe('')
    await addForward(host.row, host.target, input(), actor)
    await addForward(host.row, host.target, udpInput(), actor)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
    expect(clientSays(f, 'udp', udpPort)).toBe('udp:hello')
    expect(firstOfLibvirt()).toBe(view.ourFirst)
    expect(driftCount(await drift())).toBe(0)
    // Re-applying the same table changes nothing: no duplicates.
    const before = onHostHere(view.ours)
    await reconcileForwards(host.row, host.target)
    expect(onHostHere(view.ours)).toBe(before)
  })

  it('refuses a taken port, a port a host service listens on, and a guest not on a NAT network, changing nothing', async () => {
    await withForwards()
    const rules = onHostHere(view.ours)
    const forwards = await db.portForward.count({ where: { hostId: host.row.id } })
    await expect(
      addForward(host.row, host.target, input({ guestPort: { start: 7002, end: 7002 } }), actor),
    ).rejects.toMatchObject({ errors: { hostPort: [expect.stringContaining('overlaps')] } })
    await expect(
      addForward(host.row, host.target, input({ hostPort: { start: 22, end: 22 } }), actor),
    ).rejects.toMatchObject({ errors: { hostPort: [expect.stringContaining('already listens')] } })
    const stranger = addForward(
      host.row,
      host.target,
      input({ guest: `00000000-0000-0000-0000-000000000000/${f.network}`, hostPort: { start: 29999, end: 29999 } }),
      actor,
    )
    await expect(stranger).rejects.toBeInstanceOf(FieldErrors)
    await expect(stranger).rejects.toMatchObject({
      errors: { guest: [expect.stringContaining('no interface on a running NAT network')] },
    })
    expect(onHostHere(view.ours)).toBe(rules)
    expect(await db.portForward.count({ where: { hostId: host.row.id } })).toBe(forwards)
  })

  it('binds a forward only to an address the host has: its own on the lab link, not a broadcast or another subnet', async () => {
    const port = tcpPort + 3
    const rules = onHostHere(view.ours)
    const forwards = await db.portForward.count({ where: { hostId: host.row.id } })
    for (const address of ['10.77.0.255', '192.0.2.1'])
      await expect(
        addForward(host.row, host.target, input({ hostAddress: address, hostPort: { start: port, end: port } }), actor),
      ).rejects.toMatchObject({
        errors: {
          hostAddress: [
            expect.stringMatching(
              new RegExp(
                `^${address.replace(/\./g, '\\.')} is not an address of ${host.row.name}; its addresses are .*${view.address.replace(/\./g, '\\.')} `,
              ),
            ),
          ],
        },
      })
    expect(onHostHere(view.ours)).toBe(rules)
    expect(await db.portForward.count({ where: { hostId: host.row.id } })).toBe(forwards)

    const bound = await addForward(
      host.row,
      host.target,
      input({ hostAddress: view.address, hostPort: { start: port, end: port } }),
      actor,
    )
    const [list, rule] = view.bound(view.address, port)
    expect(onHostHere(list!)).toContain(rule)
    await removeForward(host.row, host.target, bound.id)
  })

  it('has a client fixture that fails loudly when it cannot even send, instead of reporting that nothing answered', async () => {
    await guestUp()
    expect(() => clientSays(f, 'tcp', tcpPort, { from: '192.0.2.77' })).toThrow(/Cannot assign requested address/)
    expect(() => clientSays(f, 'udp', udpPort, { from: '192.0.2.77' })).toThrow(/Cannot assign requested address/)
  })

  it('forwards a port range port for port, and nothing next to it', async () => {
    await guestUp()
    const range = { start: f.rangeStart, end: f.rangeStart + 1 }
    const earlier = await db.portForward.findFirst({ where: { hostId: host.row.id, hostPortStart: range.start } })
    if (earlier) await removeForward(host.row, host.target, earlier.id)
    const forward = await addForward(host.row, host.target, input({ hostPort: range, guestPort: range }), actor)
    try {
      expect(clientSays(f, 'tcp', range.start)).toBe(`range${range.start}:hello`)
      expect(clientSays(f, 'tcp', range.end)).toBe(`range${range.end}:hello`)
      // The guest answers on the port after the range too, but the forward does not cover it.
      expect(clientSays(f, 'tcp', range.end + 1)).toBe('')
      expect(driftCount(await drift())).toBe(0)
    } finally {
      await removeForward(host.row, host.target, forward.id)
    }
  })

  it("lets another guest on the network reach the forward through the host's address (hairpin)", async () => {
    await withForwards()
    expect(otherGuestSays(f, 'tcp', tcpPort, view.address)).toBe('tcp:hello')
    expect(otherGuestSays(f, 'udp', udpPort, view.address)).toBe('udp:hello')
  })

  it('lets only the allowed sources through', async () => {
    await guestUp()
    const earlier = await db.portForward.findFirst({ where: { hostId: host.row.id, hostPortStart: allowPort } })
    if (earlier) await removeForward(host.row, host.target, earlier.id)
    await addForward(
      host.row,
      host.target,
      input({ hostPort: { start: allowPort, end: allowPort }, sourceCidrs: [`${f.clientIp}/32`] }),
      actor,
    )
    expect(clientSays(f, 'tcp', allowPort, { from: f.clientIp })).toBe('tcp:hello')
    expect(clientSays(f, 'tcp', allowPort, { from: f.otherClientIp })).toBe('')
  })

  it('keeps forwards working through a libvirtd restart and a network restart, via the installed hook', async () => {
    await withForwards()
    // An operator's own hook script is left alone and still runs next to Virtnet's (libvirt runs qemu, then qemu.d/*).
    // One that is already there is set aside for the test and put back after it.
    onHostHere(`test ! -e ${existingHook} || mv ${existingHook} ${existingHookSaved}`)
    onHostHere(
      `printf '#!/bin/sh\\necho "$1 $2" >> /run/libvirt/${existingHookLog}\\n' > ${existingHook} && chmod 755 ${existingHook}`,
    )
    await installHook(host.row, host.target)
    expect(await readHookStatus(host.target, view.backend)).toMatchObject({ qemu: 'current', network: 'current' })
    restartLibvirtd(f)
    expect(
      await waitFor(() =>
        onHostHere(`cat /run/libvirt/${existingHookLog} 2>/dev/null || true`).includes(`${f.guestName} reconnect`),
      ),
    ).toBe(true)
    expect(onHostHere(`cat ${existingHook}`)).toContain(existingHookLog)
    // libvirt calls the hook with "reconnect" for every running guest once it is back.
    expect(
      await waitFor(() =>
        onHostHere('tail -n 20 /run/libvirt/virtnet/forwards.log').includes(`reconnect ${f.guestName}`),
      ),
    ).toBe(true)
    expect(onHostHere(`virsh -q domstate ${view.labGuest}`).trim()).toBe('running')
    expect(firstOfLibvirt()).toBe(view.ourFirst)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
    expect(driftCount(await drift())).toBe(0)

    onHostHere(`virsh -q net-destroy ${f.network} >/dev/null && virsh -q net-start ${f.network} >/dev/null`)
    plugGuest(f)
    expect(
      await waitFor(() =>
        onHostHere('tail -n 20 /run/libvirt/virtnet/forwards.log').includes(`network started ${f.network}`),
      ),
    ).toBe(true)
    expect(firstOfLibvirt()).toBe(view.ourFirst)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
    expect(clientSays(f, 'udp', udpPort)).toBe('udp:hello')
  })

  it("adds and removes a real guest's rules as it stops and starts", async () => {
    await withHook()
    await withForwards()
    onHostHere(`virsh -q destroy ${f.guestName} >/dev/null`)
    expect(onHostHere(view.tagged).trim()).toBe('0')
    expect(clientSays(f, 'tcp', tcpPort)).toBe('')
    onHostHere(`virsh -q start ${f.guestName} >/dev/null`)
    plugGuest(f)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
    expect(driftCount(await drift())).toBe(0)
  })

  it('exits 0 on reconnect with a corrupt state file and keeps the rules it has', async () => {
    await withHook()
    await withForwards()
    const saved = onHostHere(`cat ${statePath}`)
    const rc = onHostHere(
      `cp ${statePath} /tmp/fwd-saved && printf 'R zz nat -A VIRTNET_DNAT ; rm -rf /\\n\\001garbage' > ${statePath} && ` +
        `echo '<domain><uuid>${f.guestUuid}</uuid></domain>' | ${hookPaths.qemu} ${f.guestName} reconnect begin -; echo "rc=$?"; mv /tmp/fwd-saved ${statePath}`,
    )
    expect(rc).toContain('rc=0')
    expect(onHostHere(`cat ${statePath}`)).toBe(saved)
    await reconcileForwards(host.row, host.target)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
  })

  it('stops forwarding once the forward is removed, and leaves no rule behind when the table is empty', async () => {
    await withForwards()
    expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
    const row = await db.portForward.findFirstOrThrow({
      where: { hostId: host.row.id, hostPortStart: tcpPort, protocol: 'tcp' },
    })
    await removeForward(host.row, host.target, row.id)
    expect(clientSays(f, 'tcp', tcpPort)).toBe('')
    expect(clientSays(f, 'udp', udpPort)).toBe('udp:hello')
    for (const rest of await db.portForward.findMany({ where: { hostId: host.row.id } }))
      await removeForward(host.row, host.target, rest.id)
    expect(onHostHere(view.residue).trim()).toBe('0')
    expect(driftCount(await drift())).toBe(0)
  })

  it("leaves the host's own connections to loopback alone and refuses a port a loopback-only service listens on", async () => {
    const [busy, free] = [tcpPort + 6, tcpPort + 7]
    // A loopback-only service on B that answers "local"; started like a daemon so inHostB returns.
    const serve = (port: number) =>
      onHostHere(
        `setsid python3 -c 'import socket\ns=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", ${port})); s.listen(8)\nwhile True:\n    c, _ = s.accept(); c.sendall(b"local"); c.close()' </dev/null >/dev/null 2>&1 & echo $!`,
      ).trim()
    // B connecting to its own address:port, as a program on B would ('' when nothing answers in time).
    const bSays = (address: string, port: number) =>
      onHostHere(
        `python3 -c 'import socket\ns=socket.socket(); s.settimeout(1.5)\ntry:\n    s.connect(("${address}", ${port})); s.sendall(b"hello"); print(s.recv(100).decode(), end="")\nexcept Exception as e:\n    print(type(e).__name__, end="")'`,
      )
    const listeners = [serve(busy)]
    try {
      expect(await waitFor(() => bSays('127.0.0.1', busy) === 'local')).toBe(true)
      const rules = onHostHere(view.ours)
      await expect(
        addForward(host.row, host.target, input({ hostPort: { start: busy, end: busy } }), actor),
      ).rejects.toMatchObject({
        errors: { hostPort: [expect.stringContaining(`already listens on 127.0.0.1:${busy}/tcp`)] },
      })
      expect(onHostHere(view.ours)).toBe(rules)

      const forward = await addForward(host.row, host.target, input({ hostPort: { start: free, end: free } }), actor)
      try {
        // The forward takes B's own connections to its address, but not those to loopback: nothing listens there
        // yet, so the kernel refuses at once; a service that starts there later gets its clients.
        expect(bSays(view.address, free)).toBe('tcp:hello')
        expect(bSays('127.0.0.1', free)).toBe('ConnectionRefusedError')
        listeners.push(serve(free))
        expect(await waitFor(() => bSays('127.0.0.1', free) === 'local')).toBe(true)
        expect(clientSays(f, 'tcp', free)).toBe('tcp:hello')
      } finally {
        await removeForward(host.row, host.target, forward.id)
      }
    } finally {
      onHostHere(`kill ${listeners.join(' ')}`)
    }
  })

  it("pins a guest's current lease through the DHCP table when asked to, so the DHCP page manages that mapping", async () => {
    const labGuest = view.labGuest
    const mac = onHostHere(`virsh -q domiflist ${labGuest} | awk '{print $5}'`).trim()
    const uuid = onHostHere(`virsh domuuid ${labGuest}`).trim()
    const leaseOf = () =>
      /\s(\d+\.\d+\.\d+\.\d+)\/24/.exec(onHostHere(`virsh -q net-dhcp-leases default --mac ${mac}`))?.[1]
    expect(await waitFor(() => Boolean(leaseOf()), 60_000)).toBe(true)
    const lease = leaseOf()!
    expect(onHostHere('virsh net-dumpxml default')).not.toContain(mac)
    const pinInput = input({ guest: `${uuid}/default`, hostPort: { start: tcpPort + 5, end: tcpPort + 5 } })

    await expect(addForward(host.row, host.target, pinInput, actor)).rejects.toMatchObject({
      errors: { guest: [expect.stringContaining('Tick "Create a static DHCP mapping"')] },
    })
    const forward = await addForward(host.row, host.target, { ...pinInput, createMapping: true }, actor)
    try {
      expect(forward.guestIp).toBe(lease)
      for (const flag of ['', '--inactive'])
        expect(onHostHere(`virsh net-dumpxml default ${flag}`)).toContain(`<host mac='${mac}' ip='${lease}'/>`)
      const tables = await readDhcpTables(host.row.id, host.target, 'default')
      expect(tables.mappings).toContainEqual(expect.objectContaining({ mac, ip: lease, owner: labGuest, missing: [] }))
      expect(tables.drift.map((d) => d.mac)).not.toContain(mac)
    } finally {
      await removeForward(host.row, host.target, forward.id)
      await deleteMapping(host.row, host.target, 'default', `mac:${mac}`)
    }
    expect(onHostHere('virsh net-dumpxml default')).not.toContain(mac)
  })
})
