import type { Page } from '@playwright/test'
import { test, expect, lab, openLabHost, xmlEditor } from './fixtures'

/*
 * A text over a field's cap but under the server-action request limit (next.config.ts: 8 MB) ends as a field error
 * with the text still in the field, not as Next's error page; and the refusal is audited.
 */
const suffix = Date.now().toString(36).slice(-5)
const network = `e2ebig-${suffix}`
const bridge = `vbbg${suffix}`

const hostB = (...script: string[]) => lab('exec-b', '--', 'sh', '-c', script.join(' ; '))

test.beforeAll(() => {
  const xml = `<network><name>${network}</name><bridge name='${bridge}'/><forward mode='nat'/><ip address='10.236.11.1' netmask='255.255.255.0'/></network>`
  hostB(
    `printf '%s' "${xml}" > /tmp/${network}.xml`,
    `virsh -q net-define /tmp/${network}.xml >/dev/null`,
    `rm -f /tmp/${network}.xml`,
  )
})

test.afterAll(() => {
  hostB(`virsh net-undefine ${network} 2>/dev/null`, 'true')
})

async function openNetwork(page: Page) {
  await openLabHost(page, 'lab-b', 'e2e-big-b')
  await page.getByRole('link', { name: 'Networks', exact: true }).click()
  await page.getByRole('link', { name: network, exact: true }).click()
}

test('a 5 MB XML in the editor is refused on its field, the text kept', async ({ adminPage: page }) => {
  await openNetwork(page)
  await page.getByRole('link', { name: 'Edit XML' }).click()
  const editor = await xmlEditor(page, 'Network XML')
  const padding = '<!-- padding -->'.repeat((5 * 1024 * 1024) / 16)
  const big = (await editor.text()).replace('</network>', `${padding}</network>`)
  await editor.fill(big)
  await page.getByRole('button', { name: 'Show changes' }).click()
  await expect(page.locator('#xml-error')).toHaveText('The XML is 5.0 MB; the editor takes at most 1 MB.')
  expect((await editor.text()).length).toBe(big.length)

  await page.goto('/audit')
  await expect(
    page
      .getByTestId('audit-table')
      .getByRole('row', { name: /network\.edit.*refused/ })
      .first(),
  ).toBeVisible()
})

test('a 1.5 MB CSV paste is refused on its field, the text kept', async ({ adminPage: page }) => {
  await openNetwork(page)
  await page.getByRole('link', { name: 'Static DHCP hosts and leases' }).click()
  const form = page.locator('form').filter({ has: page.getByLabel(/CSV lines/) })
  const csv = form.getByLabel(/CSV lines/)
  const line = '52:54:00:e2:b1:01,10.236.11.50,big\n'
  const big = line.repeat(Math.ceil((1.5 * 1024 * 1024) / line.length)).slice(0, 1.5 * 1024 * 1024)
  // As a paste does (fill() types 45,000 lines, which takes Chromium minutes): set the value with the element's own
  // setter and send the input event, so the form's state sees it as it sees a paste.
  await csv.evaluate((element, value) => {
    const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!
    setValue.call(element, value)
    element.dispatchEvent(new Event('input', { bubbles: true }))
  }, big)
  await form.getByRole('button', { name: 'Preview' }).click()
  await expect(page.locator('#csv-error')).toHaveText('The CSV is 1.5 MB; the import takes at most 1 MB.')
  expect((await csv.inputValue()).length).toBe(big.length)
})
