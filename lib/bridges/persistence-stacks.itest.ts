import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { run, sh } from '@/lib/ssh'
import { inHostC, registeredLabHost } from '@/lib/test/lab'
import { detectStackCommand, netplanPath, parseStack, persistSteps } from '@/lib/bridges/persistence'
import type { HostBridgeChange } from '@/lib/bridges/host-bridge-scripts'

/*
 * A host bridge persisted through netplan and systemd-networkd, in lab host C's own /etc (a Debian 13 root with
 * netplan.io and systemd installed; no systemd runs there, and `netplan generate` needs none). The test machine's /etc
 * is never touched: every command runs on host C, through the dashboard's SSH session or C's own namespaces.
 */
const n = process.pid % 100000
const bridge = `vnnft${n}br`
const nic = `vnnft${n}n`
const change: HostBridgeChange = {
  bridge,
  nic,
  mac: null,
  addresses: [{ family: 'ipv4', cidr: '192.0.2.10/24' }],
  routes: [{ dst: 'default', gateway: '192.0.2.1' }],
  moveAddresses: true,
}
// The host's own netplan configuration, as an Ubuntu server has one.
const baseYaml = `/etc/netplan/01-vnnft-${n}.yaml`
const networkdFilesOf = `/etc/systemd/network/50-virtnet-${bridge}.netdev /etc/systemd/network/50-virtnet-${nic}.network /etc/systemd/network/50-virtnet-${bridge}.network`
let host: Awaited<ReturnType<typeof registeredLabHost>>
const stack = async () => parseStack((await run(host.target, detectStackCommand)).stdout)
/** A later step fails, so the executor undoes the persistence steps: what an aborted bridge change does. */
const failing = { label: 'a later step fails', command: sh`false` }

describe('a host bridge persisted through netplan and systemd-networkd (lab host C, its own /etc)', () => {
  beforeAll(async () => {
    host = await registeredLabHost('lab-c')
    inHostC(`rm -f ${baseYaml} ${netplanPath(bridge)} ${networkdFilesOf}; netplan generate`)
  })
  afterAll(() => {
    inHostC(`rm -f ${baseYaml} ${netplanPath(bridge)} ${networkdFilesOf}; netplan generate; true`)
  })

  it('detects netplan from the host’s netplan files, then writes its own file that netplan generate turns into networkd units', async () => {
    inHostC(`rm -f ${baseYaml} ${netplanPath(bridge)} ${networkdFilesOf}; netplan generate`)
    expect(await stack()).toBe('other')
    inHostC(
      `printf 'network:\\n  version: 2\\n  ethernets:\\n    ${nic}:\\n      dhcp4: true\\n' > ${baseYaml} && chmod 600 ${baseYaml}`,
    )
    expect(await stack()).toBe('netplan')
    await executePlan(host.target, { title: 'persist (netplan)', steps: persistSteps('netplan', change) })
    expect(inHostC(`stat -c %a ${netplanPath(bridge)}`).trim()).toBe('600')
    // netplan's own view of the merged configuration: the NIC lost its DHCP to the bridge, which has its address.
    expect(inHostC(`netplan get bridges.${bridge}.addresses`)).toContain('192.0.2.10/24')
    expect(inHostC(`netplan get ethernets.${nic}.dhcp4`).trim()).toBe('false')
    const netdev = inHostC(`cat /run/systemd/network/10-netplan-${bridge}.netdev`)
    expect(netdev).toMatch(new RegExp(`Name=${bridge}\\nKind=bridge`))
    expect(inHostC(`cat /run/systemd/network/10-netplan-${nic}.network`)).toContain(`Bridge=${bridge}`)
  })

  it('refuses (and undoes) a netplan bridge whose NIC keeps static addresses in another netplan file', async () => {
    inHostC(
      `printf 'network:\\n  version: 2\\n  ethernets:\\n    ${nic}:\\n      addresses: [198.51.100.7/24]\\n' > ${baseYaml} && chmod 600 ${baseYaml}; rm -f ${netplanPath(bridge)}`,
    )
    await expect(
      executePlan(host.target, { title: 'persist (netplan)', steps: persistSteps('netplan', change) }),
    ).rejects.toThrow(/still has static addresses/)
    expect(inHostC(`test -e ${netplanPath(bridge)} && echo left || echo gone`).trim()).toBe('gone')
    expect(inHostC(`ls /run/systemd/network/ | grep -c ${bridge} || true`).trim()).toBe('0')
  })

  it('takes its netplan file out again when the change is undone', async () => {
    inHostC(`rm -f ${baseYaml} ${netplanPath(bridge)} ${networkdFilesOf}`)
    await expect(
      executePlan(host.target, { title: 'persist, then fail', steps: [...persistSteps('netplan', change), failing] }),
    ).rejects.toBeInstanceOf(PlanFailedError)
    expect(inHostC(`test -e ${netplanPath(bridge)} && echo left || echo gone`).trim()).toBe('gone')
    expect(inHostC(`ls /run/systemd/network/ | grep -c ${bridge} || true`).trim()).toBe('0')
  })

  it('writes its own systemd-networkd files, detected from networkd files, and removes them on undo', async () => {
    inHostC(`rm -f ${baseYaml} ${netplanPath(bridge)} ${networkdFilesOf}; netplan generate`)
    expect(await stack()).toBe('other')
    await executePlan(host.target, { title: 'persist (networkd)', steps: persistSteps('networkd', change) })
    expect(await stack()).toBe('networkd')
    expect(inHostC(`cat /etc/systemd/network/50-virtnet-${bridge}.network`)).toContain('Address=192.0.2.10/24')
    expect(inHostC(`cat /etc/systemd/network/50-virtnet-${nic}.network`)).toContain(`Bridge=${bridge}`)
    inHostC(`rm -f ${networkdFilesOf}`)
    await expect(
      executePlan(host.target, { title: 'persist, then fail', steps: [...persistSteps('networkd', change), failing] }),
    ).rejects.toBeInstanceOf(PlanFailedError)
    expect(inHostC(`ls /etc/systemd/network/ | grep -c virtnet-${bridge} || true`).trim()).toBe('0')
  })
})
