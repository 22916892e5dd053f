import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { db } from '@/lib/db/client'
import { registeredLabHost } from '@/lib/test/lab'
import { addForward, reconcileForwards, removeForward } from '@/lib/forwards/changes'
import { readIptables, readNftRuleset, runningGuestUuids } from '@/lib/forwards/read'
import { desiredNftRules, desiredRules, toRuleInput } from '@/lib/forwards/rules'
import { computeDrift, computeNftDrift, driftCount } from '@/lib/forwards/drift'
import { callAction, createTestUser, signIn } from '@/lib/test/server-actions'
import { addForwardAction } from '@/app/(dashboard)/hosts/[hostId]/forwards/actions'
import {
  clientSays,
  createLibvirtParts,
  createNamespaces,
  describeFixture,
  onHost,
  plugGuest,
  removeAll,
  type ForwardLabHost,
  withHook as withHookOnFixture,
} from '@/lib/test/forward-lab'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * IPv6 forwards with real packets on lab hosts B (libvirt 9, ip6tables) and C (libvirt 11, nft ip6 tables): a
 * dual-stack NAT network of the test's own (vnv6-…, its IPv6 with a DHCPv6 mapping of the guest by a DUID carrying
 * its MAC), a "guest" namespace on its bridge answering on both families, a client namespace on a link to the host.
 * libvirt routes IPv6 on a NAT network (no NAT66); the forward takes the host's IPv6 address:port to the guest's.
 */
const backendView = {
  b: {
    backend: 'iptables',
    labGuest: 'vnlab-b1',
    /** Virtnet's IPv6 rules, as text */
    ours6: 'ip6tables-save | grep -e VIRTNET -e "vn:"; true',
    /** every rule on the host, both families (other tests change the host's rules at the same time: grep it) */
    everything: 'iptables-save; ip6tables-save',
    /** the rule that must come first in IPv6: ahead of libvirt's */
    firstOfLibvirt6: 'ip6tables -t filter -S FORWARD | sed -n 2p',
    ourFirst6: '-A FORWARD -j VIRTNET_FWD',
    /** anything of Virtnet's IPv6 side left at all */
    residue6: 'ip6tables-save | grep -c -e VIRTNET -e "vn:" || true',
  },
  c: {
    backend: 'nftables',
    labGuest: 'vnlab-c1',
    ours6:
      'nft list table ip6 virtnet 2>/dev/null; nft list chain ip6 libvirt_network virtnet_accept 2>/dev/null; true',
    everything: 'nft list ruleset',
    firstOfLibvirt6: 'nft list chain ip6 libvirt_network guest_input | sed -n 3p',
    ourFirst6: 'ct status dnat jump virtnet_accept comment "virtnet"',
    residue6: 'nft list ruleset ip6 | grep -c -e virtnet -e "vn:" || true',
  },
} as const

describe.each(['b', 'c'] as const)('IPv6 port forwards on lab host %s, with real packets', (which: ForwardLabHost) => {
  const view = backendView[which]
  const f = describeFixture(process.pid, which, { ipv6: true })
  const v6 = f.ipv6!
  const onHostHere = (script: string) => onHost(f, script)
  const actor = { id: null, username: 'itest-v6' }
  const tcpPort = 23000 + (process.pid % 1000)
  const udpPort = tcpPort + 1
  const allowPort = tcpPort + 2
  let host: Awaited<ReturnType<typeof registeredLabHost>>
  const input = (over: Partial<Parameters<typeof addForward>[2]> = {}) => ({
    guest: `${f.guestUuid}/${f.network}`,
    family: 'ipv6' as const,
    protocol: 'tcp' as const,
    hostPort: { start: tcpPort, end: tcpPort },
    guestPort: { start: 7000, end: 7000 },
    sourceCidrs: [],
    description: 'itest ipv6',
    hostAddress: null,
    createMapping: false,
    ...over,
  })
  const udpInput = () =>
    input({ protocol: 'udp', hostPort: { start: udpPort, end: udpPort }, guestPort: { start: 7001, end: 7001 } })
  /** What the client namespace gets back over IPv6 through the host's address on its link. */
  const client6 = (protocol: 'tcp' | 'udp', port: number, from: string = v6.clientIp) =>
    clientSays(f, protocol, port, { from, to: v6.hostIp })

  async function drift() {
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id } })
    const running = new Set(await runningGuestUuids(host.target))
    if (which === 'c')
      return computeNftDrift(desiredNftRules(rows.map(toRuleInput), running), await readNftRuleset(host.target))
    return computeDrift(desiredRules(rows.map(toRuleInput), running), await readIptables(host.target))
  }
  const waitFor = async (check: () => boolean, ms = 15_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200)))
      if (check()) return true
    return check()
  }

  // Each test starts from the state it needs (the suite runs shuffled).
  async function guestUp() {
    if (onHostHere(`virsh -q domstate ${f.guestName}`).trim() !== 'running')
      onHostHere(`virsh -q start ${f.guestName} >/dev/null`)
    plugGuest(f)
  }
  async function withForwards() {
    await guestUp()
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id, family: 'ipv6' } })
    const has = (protocol: string, port: number) =>
      rows.some((r) => r.protocol === protocol && r.hostPortStart === port)
    if (!has('tcp', tcpPort)) await addForward(host.row, host.target, input(), actor)
    if (!has('udp', udpPort)) await addForward(host.row, host.target, udpInput(), actor)
    // The table on the host is this database's: applied again, whatever ran on the host in between.
    if (has('tcp', tcpPort) && has('udp', udpPort)) await reconcileForwards(host.row, host.target)
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
    await db.user.deleteMany({ where: { username: `vnv6-op-${which}-${process.pid}` } })
    removeAll(f)
  })

  it("forwards TCP and UDP over IPv6 to the guest's DHCPv6 address, next to an IPv4 forward of the same port", async () => {
    await guestUp()
    for (const row of await db.portForward.findMany({ where: { hostId: host.row.id } }))
      if ([tcpPort, udpPort].includes(row.hostPortStart)) await removeForward(host.row, host.target, row.id)
    expect(client6('tcp', tcpPort)).toBe('')
    const tcp = await addForward(host.row, host.target, input(), actor)
    await addForward(host.row, host.target, udpInput(), actor)
    const ipv4 = await addForward(host.row, host.target, input({ family: 'ipv4' }), actor)
    try {
      // The guest's address is its DHCPv6 mapping, found by the DUID that carries its MAC.
      expect(tcp).toMatchObject({ family: 'ipv6', guestIp: v6.guestIp, subnet: v6.subnet })
      expect(client6('tcp', tcpPort)).toBe('tcp:hello')
      expect(client6('udp', udpPort)).toBe('udp:hello')
      expect(clientSays(f, 'tcp', tcpPort)).toBe('tcp:hello')
      expect(onHostHere(view.firstOfLibvirt6).trim()).toBe(view.ourFirst6)
      expect(driftCount(await drift())).toBe(0)
      // Re-applying the same table changes nothing: no duplicates.
      const before = onHostHere(view.ours6)
      await reconcileForwards(host.row, host.target)
      expect(onHostHere(view.ours6)).toBe(before)
    } finally {
      await removeForward(host.row, host.target, ipv4.id)
    }
    // The IPv4 forward is gone, the IPv6 ones stay.
    expect(clientSays(f, 'tcp', tcpPort)).toBe('')
    expect(client6('tcp', tcpPort)).toBe('tcp:hello')
  })

  it('lets only the allowed IPv6 sources through', async () => {
    await guestUp()
    const earlier = await db.portForward.findFirst({ where: { hostId: host.row.id, hostPortStart: allowPort } })
    if (earlier) await removeForward(host.row, host.target, earlier.id)
    const forward = await addForward(
      host.row,
      host.target,
      input({ hostPort: { start: allowPort, end: allowPort }, sourceCidrs: [`${v6.clientIp}/128`] }),
      actor,
    )
    try {
      expect(client6('tcp', allowPort, v6.clientIp)).toBe('tcp:hello')
      expect(client6('tcp', allowPort, v6.otherClientIp)).toBe('')
      expect(driftCount(await drift())).toBe(0)
    } finally {
      await removeForward(host.row, host.target, forward.id)
    }
  })

  it("takes the host's own IPv6 connections to its address, not those to ::1, and hairpin traffic from another guest", async () => {
    await withForwards()
    const hostSays = (address: string, port: number) =>
      onHostHere(
        `python3 -c 'import socket\ns=socket.socket(socket.AF_INET6); s.settimeout(1.5)\ntry:\n    s.connect(("${address}", ${port})); s.sendall(b"hello"); print(s.recv(100).decode(), end="")\nexcept Exception as e:\n    print(type(e).__name__, end="")'`,
      )
    expect(hostSays(v6.hostIp, tcpPort)).toBe('tcp:hello')
    expect(hostSays('::1', tcpPort)).toBe('ConnectionRefusedError')
    expect(clientSays(f, 'tcp', tcpPort, { inNamespace: f.otherGuestNs, from: v6.otherGuestIp, to: v6.hostIp })).toBe(
      'tcp:hello',
    )
  })

  it('keeps IPv6 forwards working through a network restart, via the installed hook', async () => {
    await withHook()
    await withForwards()
    expect(client6('tcp', tcpPort)).toBe('tcp:hello')
    onHostHere(`virsh -q net-destroy ${f.network} >/dev/null && virsh -q net-start ${f.network} >/dev/null`)
    plugGuest(f)
    expect(
      await waitFor(() =>
        onHostHere('tail -n 20 /run/libvirt/virtnet/forwards.log').includes(`network started ${f.network}`),
      ),
    ).toBe(true)
    expect(onHostHere(view.firstOfLibvirt6).trim()).toBe(view.ourFirst6)
    // The guest's neighbour entry is learnt again after the restart: the first packets may go unanswered.
    expect(await waitFor(() => client6('tcp', tcpPort) === 'tcp:hello')).toBe(true)
    expect(client6('udp', udpPort)).toBe('udp:hello')
    expect(driftCount(await drift())).toBe(0)
  })

  it('refuses an IPv6 forward to a guest on a network without IPv6: a field error, an audit record, nothing changed', async () => {
    const port = tcpPort + 5
    // No rule of any family for that port, before or after (the whole ruleset changes as other tests run).
    const rulesOfPort = () => onHostHere(`{ ${view.everything}; } | grep -c -E 'dport ${port}( |$)' || true`).trim()
    expect(rulesOfPort()).toBe('0')
    const forwards = await db.portForward.count({ where: { hostId: host.row.id } })
    const uuid = onHostHere(`virsh domuuid ${view.labGuest}`).trim()
    const operator = `vnv6-op-${which}-${process.pid}`
    await signIn(await createTestUser(operator, 'operator'))
    const { state } = await callAction(addForwardAction, {
      hostId: host.row.id,
      guest: `${uuid}/default`,
      family: 'ipv6',
      protocol: 'tcp',
      hostPort: String(port),
      guestPort: '80',
    })
    expect(state).toMatchObject({
      status: 'error',
      errors: { family: [expect.stringContaining('Network default has no IPv6 address')] },
    })
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: 'forward.add', actorName: operator },
      orderBy: { id: 'desc' },
    })
    expect(audit).toMatchObject({ result: 'refused', error: expect.stringContaining('has no IPv6 address') })
    expect(rulesOfPort()).toBe('0')
    expect(await db.portForward.count({ where: { hostId: host.row.id } })).toBe(forwards)
  })

  it('stops forwarding once removed and leaves no IPv6 rule, chain or jump behind', async () => {
    await withForwards()
    const rows = await db.portForward.findMany({ where: { hostId: host.row.id } })
    expect(client6('tcp', tcpPort)).toBe('tcp:hello')
    for (const row of rows) await removeForward(host.row, host.target, row.id)
    expect(client6('tcp', tcpPort)).toBe('')
    expect(client6('udp', udpPort)).toBe('')
    const everything = onHostHere(view.everything)
    for (const row of rows) expect(everything).not.toContain(`vn:${row.id}`)
    expect(onHostHere(view.residue6).trim()).toBe('0')
    expect(driftCount(await drift())).toBe(0)
  })
})
