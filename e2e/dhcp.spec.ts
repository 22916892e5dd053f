import type { Page } from '@playwright/test'
import { test, expect, lab, openLabHost } from './fixtures'

const suffix = Date.now().toString(36).slice(-5)
const network = `e2edhcp-${suffix}`
const bridge = `vbed${suffix}`
const mac = '52:54:00:e2:d1:01'

const hostB = (...script: string[]) => lab('exec-b', '--', 'sh', '-c', script.join(' ; '))

test.beforeAll(() => {
  const xml = `<network><name>${network}</name><bridge name='${bridge}'/><forward mode='nat'/><ip address='10.236.7.1' netmask='255.255.255.0'><dhcp><range start='10.236.7.100' end='10.236.7.200'/></dhcp></ip></network>`
  hostB(
    `printf '%s' "${xml}" > /tmp/${network}.xml`,
    `virsh -q net-define /tmp/${network}.xml >/dev/null`,
    `virsh -q net-start ${network} >/dev/null`,
    `rm -f /tmp/${network}.xml`,
  )
})

test.afterAll(() => {
  hostB(`virsh net-destroy ${network} 2>/dev/null`, `virsh net-undefine ${network} 2>/dev/null`, 'true')
})

async function openDhcpPage(page: Page) {
  await openLabHost(page, 'lab-b', 'e2e-dhcp-b')
  await page.getByRole('link', { name: 'Networks', exact: true }).click()
  await page.getByRole('link', { name: network, exact: true }).click()
  await page.getByRole('link', { name: 'Static DHCP hosts and leases' }).click()
  await expect(page.getByRole('heading', { name: `Static DHCP hosts of ${network}` })).toBeVisible()
}

test('pin a MAC to an address through the UI; bad MAC and out-of-subnet address are refused field by field', async ({
  adminPage: page,
}) => {
  await openDhcpPage(page)
  const table = page.getByTestId('dhcp-mappings')

  await page.getByLabel('MAC address').fill('01:00:5e:00:00:01')
  await page.getByLabel('IP address').fill('10.236.7.50')
  await page.getByRole('button', { name: 'Add mapping' }).click()
  await expect(page.locator('#mac-error')).toContainText('multicast')
  await expect(page.getByLabel('MAC address')).toHaveAttribute('aria-invalid', 'true')

  await page.getByLabel('MAC address').fill(mac)
  await page.getByLabel('IP address').fill('10.236.8.50')
  await page.getByRole('button', { name: 'Add mapping' }).click()
  await expect(page.locator('#ip-error')).toContainText("outside the network's subnet 10.236.7.0/24")
  await expect(table).toContainText('No static hosts yet.')

  await page.getByLabel('IP address').fill('10.236.7.50')
  await page.getByLabel('Host name (optional)').fill('e2e-pinned')
  await page.getByRole('button', { name: 'Add mapping' }).click()
  await expect(page.getByRole('status').filter({ hasText: `Pinned ${mac} to 10.236.7.50` })).toBeVisible()
  const row = table.getByRole('row', { name: new RegExp(mac) })
  await expect(row).toContainText('10.236.7.50')
  await expect(row).toContainText('e2e-pinned')
  await expect(row).toContainText('applied')

  await page.goto('/audit')
  const audit = page.getByTestId('audit-table')
  await expect(audit.getByRole('row', { name: new RegExp(`dhcp.mapping.save.*${network}.*success`) })).toBeVisible()
  await expect(audit.getByRole('row', { name: /dhcp.mapping.save.*refused/ }).first()).toBeVisible()
})

test('import pasted CSV: a bad line refuses the whole paste, a good paste is previewed, then applied as a live job', async ({
  adminPage: page,
}) => {
  await openDhcpPage(page)
  const form = page.locator('form').filter({ has: page.getByLabel(/CSV lines/) })
  const csv = form.getByLabel(/CSV lines/)
  await csv.fill('52:54:00:e2:d2:01,10.236.7.61,ok\n52:54:00:e2:d2:02,10.236.9.62,outside')
  await form.getByRole('button', { name: 'Preview' }).click()
  await expect(page.locator('#csv-error')).toContainText("Line 2: 10.236.9.62 is outside the network's subnet")
  await expect(form.getByRole('button', { name: 'Import' })).toBeDisabled()

  const lines = Array.from(
    { length: 12 },
    (_, i) => `52:54:00:e2:d3:${(i + 16).toString(16)},10.236.7.${i + 70},imp${i}`,
  )
  await csv.fill(lines.join('\n'))
  await form.getByRole('button', { name: 'Preview' }).click()
  await expect(form.getByTestId('import-preview')).toContainText('12 to add, 0 to change')
  await form.getByRole('button', { name: 'Import' }).click()
  await expect(form.getByTestId('job-status')).toHaveText('succeeded', { timeout: 60_000 })
  await page.reload()
  const table = page.getByTestId('dhcp-mappings')
  for (const line of [lines[0]!, lines[11]!])
    await expect(table.getByRole('row', { name: new RegExp(line.split(',')[0]!) })).toContainText('applied')
})
