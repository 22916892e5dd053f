import { test, expect, labHost, labFingerprint, lab, addLabHost, removeLabHost } from './fixtures'

const suffix = Date.now().toString(36).slice(-5)
const networkName = `e2e-${suffix}`
const bridgeName = `vbe${suffix}`

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
  await expect(page.getByTestId('health-summary')).toHaveText(/Healthy|forwarding|port 53/)

  await page.getByRole('link', { name: 'Networks' }).click()
  await expect(page.getByRole('row', { name: /default/ })).toBeVisible()

  // Bad input first: a subnet overlapping the default network is refused with a field error.
  await page.getByLabel('Name', { exact: true }).fill(networkName)
  await page.getByLabel('Bridge').fill(bridgeName)
  await page.getByLabel('IPv4 subnet').fill('192.168.122.0/25')
  await page.getByRole('button', { name: 'Create network' }).click()
  await expect(page.locator('#ipv4Cidr-error')).toContainText('overlaps')
  await expect(page.getByRole('row', { name: new RegExp(networkName) })).toHaveCount(0)

  // A dry run shows the exact commands and the XML it would define, and creates nothing.
  await page.getByLabel('IPv4 subnet').fill('10.213.7.0/24')
  await page.getByRole('button', { name: 'Preview' }).click()
  const steps = page.getByRole('list', { name: 'Planned steps' })
  await expect(steps).toContainText('net-define')
  await expect(steps).toContainText(`<name>${networkName}</name>`)
  await expect(page.getByRole('status').filter({ hasText: 'Preview, nothing changed' })).toBeVisible()
  await expect(page.getByRole('row', { name: new RegExp(networkName) })).toHaveCount(0)
  await expect(page.getByLabel('IPv4 subnet')).toHaveValue('10.213.7.0/24')

  await page.getByRole('button', { name: 'Create network' }).click()
  const row = page.getByRole('row', { name: new RegExp(networkName) })
  await expect(row).toBeVisible()
  await expect(row).toContainText('inactive')
  await expect(row).toContainText('10.213.7.0/24')

  await row.getByRole('button', { name: 'Start', exact: true }).click()
  await expect(row).toContainText('active')
  await expect(row.getByRole('button', { name: 'Stop', exact: true })).toBeVisible()
  await row.getByRole('button', { name: 'Stop', exact: true }).click()
  await expect(row.getByRole('button', { name: 'Start', exact: true })).toBeVisible()

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
