import { execFileSync } from 'node:child_process'
import { test, expect, lab, openLabHost } from './fixtures'

// Bridges end to end on lab host B: a host bridge the operator already has (made here through the lab, as br0 would
// be), a bridge-mode network over it created in the page, and a running guest attached to that network through the
// page; the host is then read directly.

const suffix = Date.now().toString(36).slice(-5)
const bridge = `vngb${suffix}`
const network = `vng-e2e-br-${suffix}`
const guest = `vng-e2e-br-${suffix}-g`
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><features><acpi/></features>
<devices><graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`
const onB = (script: string) => lab('exec-b', '--', 'sh', '-c', script)
/** Host B's own view, bypassing the dashboard. */
const readB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' })

test.beforeAll(() => {
  onB(
    `ip link add ${bridge} type bridge && ip link set ${bridge} up && printf '%s' "${guestXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml && virsh -q start ${guest}; rm -f /tmp/${guest}.xml`,
  )
})

test.afterAll(() => {
  onB(
    `virsh -q destroy ${guest}; virsh -q undefine ${guest}; virsh -q net-destroy ${network}; virsh -q net-undefine ${network}; ip link del ${bridge}; true`,
  )
})

test('create a bridge-mode network over a host bridge and attach a running guest to it', async ({
  adminPage: page,
}) => {
  const hostId = await openLabHost(page, 'lab-b', `e2e-bridges-${suffix}`)
  await page.goto(`/hosts/${hostId}/bridges`)
  const bridgeRow = page.getByTestId('bridges-table').getByRole('row', { name: new RegExp(bridge) })
  await expect(bridgeRow.getByRole('cell').nth(1)).toHaveText('host bridge')

  await page.getByLabel('Network name').fill(network)
  await page.getByLabel('Host bridge', { exact: true }).selectOption(bridge)
  await page.getByLabel('Start now').check()
  await page.getByRole('button', { name: 'Create bridge network' }).click()
  await expect(page.getByRole('status').filter({ hasText: network })).toHaveText(
    `Defined network ${network} (forward mode bridge on ${bridge}), running.`,
  )
  expect(readB(`virsh net-dumpxml ${network}`)).toContain(`<bridge name='${bridge}'/>`)
  expect(readB(`virsh net-info ${network}`)).toMatch(/Active:\s+yes/)
  await expect(bridgeRow.getByRole('cell').nth(4)).toHaveText(network)

  await page.getByLabel('Guest', { exact: true }).selectOption(guest)
  await page.getByLabel('Network or bridge').selectOption(`network:${network}`)
  await page.getByRole('button', { name: 'Attach guest' }).click()
  await expect(page.getByRole('status').filter({ hasText: guest })).toHaveText(
    `Attached ${guest} to network ${network}.`,
  )
  await expect(bridgeRow.getByRole('cell').nth(5)).toHaveText(guest)

  // the host's own view: the running guest has an interface from the network, its tap a port of the host bridge
  const taps = readB(`virsh -q domiflist ${guest}`)
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
  expect(taps.map(([, , source]) => source)).toEqual([network])
  expect(readB(`basename "$(readlink /sys/class/net/${taps[0]![0]}/master)"`).trim()).toBe(bridge)
  expect(readB(`virsh -q domiflist ${guest} --inactive`)).toMatch(new RegExp(`-\\s+network\\s+${network}\\s`))
})
