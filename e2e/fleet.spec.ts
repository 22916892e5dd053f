import { execFileSync } from 'node:child_process'
import type { Page } from '@playwright/test'
import { test, expect, openLabHost } from './fixtures'

/*
 * The fleet pages on the lab: the overview with hosts A and B read from their snapshots, a search (Ctrl-K) that finds
 * a lab guest's lease by its address and by its MAC, and host A's topology. What the pages show is compared with the
 * hosts' own answers (virsh on host A, which is this machine's libvirtd, and inside host B's namespace).
 */

const onA = (script: string) =>
  execFileSync('bash', ['-c', `LIBVIRT_DEFAULT_URI=qemu:///system ${script}`], { encoding: 'utf8' }).trim()
const onB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' }).trim()
const guestCount = (out: string) => out.split('\n').filter(Boolean).length
// `VIRTNET_SCREENSHOTS=1` also saves the fleet overview and the topology as the README's pictures.
const screenshot = async (page: Page, file: string) => {
  if (!process.env.VIRTNET_SCREENSHOTS) return
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.screenshot({ path: `docs/${file}`, fullPage: true })
}

test('the fleet overview, a search by IP and by MAC, and the topology of host A', async ({ adminPage: page }) => {
  // Host pages read the lab over SSH, and the machine is shared: more than the default two minutes.
  test.setTimeout(300_000)
  const hostA = await openLabHost(page, 'lab-a', 'vnfl-lab-a')
  const hostB = await openLabHost(page, 'lab-b', 'e2e-lab-b')

  // The fleet page: both hosts, each read into its snapshot (pressing Refresh reads it now).
  await page.goto('/')
  await expect(page.getByRole('heading', { name: 'Fleet' })).toBeVisible()
  for (const id of [hostA, hostB]) {
    const row = page.getByTestId('fleet-host').filter({ has: page.locator(`a[href="/hosts/${id}"]`) })
    await row.getByRole('button', { name: 'Refresh' }).click()
    await expect(row.getByTestId('snapshot-age')).toBeVisible({ timeout: 45_000 })
  }
  const rowOf = (id: string) => page.getByTestId('fleet-host').filter({ has: page.locator(`a[href="/hosts/${id}"]`) })
  const guestsA = guestCount(onA('virsh list --all --name'))
  const guestsB = guestCount(onB('virsh list --all --name'))
  const networksA = guestCount(onA('virsh net-list --all --name'))
  await expect(rowOf(hostA).getByTestId('fleet-guests')).toContainText(`${guestsA} (`)
  await expect(rowOf(hostB).getByTestId('fleet-guests')).toContainText(`${guestsB} (`)
  await expect(rowOf(hostA).getByTestId('fleet-networks')).toHaveText(String(networksA))
  const versionA = onA("virsh version | sed -n 's/^Using library: libvirt //p'")
  await expect(rowOf(hostA)).toContainText(versionA)
  // Named after the host's registration, which another spec may have made under its own name (openLabHost reuses it).
  await expect(rowOf(hostA).getByRole('img', { name: /^SSH round trip of / })).toBeVisible()
  // Refresh only asked: the background loop reads both hosts and the page picks the snapshots up by itself.
  await expect(page.getByTestId('snapshot-reading')).toHaveCount(0, { timeout: 90_000 })
  await expect(page.getByText('its inventory follows in a few seconds')).toHaveCount(0)
  await screenshot(page, 'screenshot-fleet.png')

  // Search: a lab guest's lease, by its address and by its MAC, as the host's libvirt reports them. The lab's guests
  // do not all renew their leases: the first lab guest whose lease is current now is the one searched for.
  const leaseOf = (on: (script: string) => string, hostId: string, guest: string) => {
    const mac = on(`virsh domiflist ${guest} | awk '/default/ {print $5}'`)
    const ip = on(`virsh net-dhcp-leases default --mac ${mac} | awk '/ipv4/ {print $5}'`).split('/')[0]!
    return { hostId, guest, mac, ip }
  }
  const lease = [leaseOf(onA, hostA, 'vnlab-a1'), leaseOf(onB, hostB, 'vnlab-b1')].find((l) => l.ip)!
  expect(lease?.ip).toMatch(/^192\.168\.122\.\d+$/)
  // Read that host again now, so its snapshot has the lease whatever the background refresh last saw.
  await rowOf(lease.hostId).getByRole('button', { name: 'Refresh' }).click()
  await expect
    .poll(async () => (await page.request.get(`/api/search?q=${lease.ip}`)).text(), { timeout: 90_000 })
    .toContain(`lease ${lease.ip}`)
  const { ip, mac, guest } = lease
  const palette = page.getByRole('dialog', { name: 'Search the fleet' })
  for (const query of [ip, mac.toUpperCase()]) {
    await page.keyboard.press('Control+k')
    await expect(palette).toBeVisible()
    const box = palette.getByRole('combobox')
    await expect(box).toBeFocused()
    await box.fill(query)
    const found = palette.getByRole('option').filter({ hasText: `lease ${ip} ↔ ${mac} (${guest}) on default on ` })
    await expect(found).toBeVisible()
    await page.keyboard.press('Escape')
    await expect(palette).toBeHidden()
  }
  // Arrow keys and Enter open the answer: the DHCP page of the network the lease is on.
  await page.keyboard.press('Control+k')
  await palette.getByRole('combobox').fill(mac)
  const options = palette.getByRole('option')
  await expect(options.filter({ hasText: `lease ${ip}` })).toBeVisible()
  const leaseIndex = (await options.allTextContents()).findIndex((text) => text.includes(`lease ${ip}`))
  for (let i = 0; i < leaseIndex; i++) await page.keyboard.press('ArrowDown')
  // The lease stays the chosen answer when a later answer to the same search lands.
  await expect(options.filter({ hasText: `lease ${ip}` })).toHaveAttribute('aria-selected', 'true')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/hosts/${lease.hostId}/networks/default/dhcp$`))

  // Host A's topology: its bridge, its network and its guests, each linking to its page.
  await page.goto(`/hosts/${hostA}/topology`)
  const topology = page.getByTestId('topology')
  await expect(topology.getByRole('link', { name: 'network default' })).toHaveAttribute(
    'href',
    `/hosts/${hostA}/networks/default`,
  )
  await expect(topology.getByRole('link', { name: 'bridge virbr0' })).toBeVisible()
  await screenshot(page, 'screenshot-topology.png')
  for (const guest of onA('virsh list --all --name').split('\n').filter(Boolean))
    await expect(topology.getByRole('link', { name: `guest ${guest}` })).toBeVisible()
  await topology.getByRole('link', { name: 'guest vnlab-a1' }).click()
  await expect(page).toHaveURL(new RegExp(`/hosts/${hostA}/guests#guest-vnlab-a1$`))
  await expect(page.getByTestId('guest-vnlab-a1')).toBeVisible()
})
