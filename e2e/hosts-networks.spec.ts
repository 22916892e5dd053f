import { execFileSync } from 'node:child_process'
import { test, expect, labHost, labFingerprint, lab, addLabHost, removeLabHost } from './fixtures'

const suffix = Date.now().toString(36).slice(-5)
const networkName = `e2e-${suffix}`
const bridgeName = `vbe${suffix}`

/** Host B's own answer, bypassing the dashboard: whether libvirt has the network and whether it runs. */
const networkOnB = (name: string) =>
  execFileSync(
    'bash',
    ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', `virsh -q net-info ${name} 2>&1 | sed -n 's/^Active: *//p'`],
    { encoding: 'utf8' },
  ).trim()

test.afterAll(() => {
  // Leave host B as the test found it even when an assertion failed half-way.
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `virsh net-destroy ${networkName} 2>/dev/null; virsh net-undefine ${networkName} 2>/dev/null; true`,
  )
})

test('add host B by its fingerprint, create a NAT network, start and stop it, and find both in the audit log', async ({
  adminPage: page,
}) => {
  // Earlier specs may have registered host B: removing it through the UI first also proves removal.
  await removeLabHost(page, 'lab-b')
  await addLabHost(page, 'lab-b', 'e2e-lab-b')
  // Exactly healthy: a summary that lists warnings (IPv4 forwarding off, port 53 taken) is a different outcome.
  await expect(page.getByTestId('health-summary')).toHaveText('Healthy')

  await page.getByRole('link', { name: 'Networks' }).click()
  await expect(page.getByRole('row', { name: /default/ })).toBeVisible()

  // Bad input first: a subnet overlapping the default network is refused with a field error.
  await page.getByLabel('Name', { exact: true }).fill(networkName)
  await page.getByLabel('Bridge').fill(bridgeName)
  await page.getByLabel('IPv4 subnet').fill('192.168.122.0/25')
  await page.getByRole('button', { name: 'Create network' }).click()
  await expect(page.locator('#ipv4Cidr-error')).toContainText('overlaps')
  await expect(page.getByRole('row', { name: new RegExp(networkName) })).toHaveCount(0)
  expect(networkOnB(networkName)).toBe('')

  // A dry run shows the exact commands and the XML it would define, and creates nothing.
  await page.getByLabel('IPv4 subnet').fill('10.213.7.0/24')
  await page.getByRole('button', { name: 'Preview' }).click()
  const steps = page.getByRole('list', { name: 'Planned steps' })
  await expect(steps).toContainText('net-define')
  await expect(steps).toContainText(`<name>${networkName}</name>`)
  await expect(page.getByRole('status').filter({ hasText: 'Preview, nothing changed' })).toBeVisible()
  await expect(page.getByRole('row', { name: new RegExp(networkName) })).toHaveCount(0)
  await expect(page.getByLabel('IPv4 subnet')).toHaveValue('10.213.7.0/24')
  expect(networkOnB(networkName)).toBe('')

  await page.getByRole('button', { name: 'Create network' }).click()
  const row = page.getByRole('row', { name: new RegExp(networkName) })
  // The state cell says exactly one word ('active' is also part of 'inactive'); host B agrees.
  const state = row.getByRole('cell').nth(1)
  await expect(row).toBeVisible()
  await expect(state).toHaveText('inactive')
  await expect(row).toContainText('10.213.7.0/24')
  expect(networkOnB(networkName)).toBe('no')

  await row.getByRole('button', { name: 'Start', exact: true }).click()
  await expect(state).toHaveText('active')
  expect(networkOnB(networkName)).toBe('yes')
  await expect(row.getByRole('button', { name: 'Stop', exact: true })).toBeVisible()
  // Stopping asks first, naming what stops; cancelled, nothing changes on the host.
  await row.getByRole('button', { name: 'Stop', exact: true }).click()
  const confirmation = page.getByRole('alertdialog', { name: `Stop ${networkName}?` })
  await expect(confirmation).toContainText(`No guest uses ${networkName}`)
  await confirmation.getByRole('button', { name: 'Cancel' }).click()
  await expect(confirmation).toBeHidden()
  await expect(row.getByRole('button', { name: 'Stop', exact: true })).toBeFocused()
  await page.reload()
  await expect(state).toHaveText('active')
  expect(networkOnB(networkName)).toBe('yes')
  // Confirmed, it stops.
  await row.getByRole('button', { name: 'Stop', exact: true }).click()
  await confirmation.getByRole('button', { name: 'Stop network' }).click()
  await expect(row.getByRole('button', { name: 'Start', exact: true })).toBeVisible()
  await expect(state).toHaveText('inactive')
  expect(networkOnB(networkName)).toBe('no')

  await page.goto('/audit?host=e2e-lab-b')
  const audit = page.getByTestId('audit-table')
  await expect(audit.getByRole('row', { name: new RegExp(`network.start.*${networkName}.*success`) })).toBeVisible()
  await expect(audit.getByRole('row', { name: new RegExp(`network.stop.*${networkName}.*success`) })).toBeVisible()
  await expect(audit.getByRole('row', { name: /network.create.*refused/ })).toBeVisible()
})

test('a host whose key changed is refused with a clear message', async ({ adminPage: page }) => {
  const spare = labHost('lab-spare')
  await addLabHost(page, 'lab-spare', 'e2e-spare')

  lab('rekey-spare')
  await page.getByRole('button', { name: 'Test connection' }).click()
  await expect(page.getByRole('main').getByRole('alert').first()).toContainText('has changed')
  await page.reload()
  await expect(page.getByTestId('offered-fingerprint')).toHaveText(labFingerprint(spare))
})
