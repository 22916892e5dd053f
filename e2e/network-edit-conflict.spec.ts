import { execFileSync } from 'node:child_process'
import { test, expect, lab, openLabHost, xmlEditor } from './fixtures'
import type { Page } from '@playwright/test'

// Two editors open on one network (lab host B, a private network): the first Apply wins, the second, made on the
// definition as it was, is refused in words instead of undoing the first; after a reload it applies on top.

const suffix = Date.now().toString(36).slice(-5)
const network = `vng-e2e-ed-${suffix}`
const networkXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vnged${suffix}' stp='on' delay='0'/>
<ip address='10.204.7.1' netmask='255.255.255.0'><dhcp><range start='10.204.7.2' end='10.204.7.254'/></dhcp></ip></network>`
const onB = (script: string) => lab('exec-b', '--', 'sh', '-c', script)
/** Host B's own view, bypassing the dashboard. */
const readB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' })
const dhcpHost = (i: number) => `<host mac='52:54:00:7e:cc:0${i}' name='e2e${i}' ip='10.204.7.${10 + i}'/>`
const savedHosts = () =>
  [...readB(`virsh net-dumpxml --inactive ${network}`).matchAll(/name='e2e(\d)'/g)].map((m) => Number(m[1])).sort()

test.beforeAll(() => {
  onB(
    `printf '%s' "${networkXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && virsh -q net-start ${network}; rm -f /tmp/${network}.xml`,
  )
})

test.afterAll(() => {
  onB(`virsh -q net-destroy ${network}; virsh -q net-undefine ${network}; true`)
})

async function addHostAndApply(page: Page, i: number) {
  const editor = await xmlEditor(page, 'Network XML')
  await editor.fill((await editor.text()).replace('</dhcp>', `  ${dhcpHost(i)}\n    </dhcp>`))
  await page.getByRole('button', { name: 'Apply' }).click()
}

test('of two editors open on one network, the second Apply is refused instead of undoing the first', async ({
  adminPage: first,
}) => {
  const hostId = await openLabHost(first, 'lab-b', `e2e-edit-${suffix}`)
  const editUrl = `/hosts/${hostId}/networks/${network}/edit`
  const second = await first.context().newPage()
  await first.goto(editUrl)
  await second.goto(editUrl)

  await addHostAndApply(first, 1)
  await expect(first.getByRole('status').filter({ hasText: network })).toHaveText(
    `Updated ${network} in place with 1 net-update command; guests stayed connected.`,
  )
  await expect.poll(savedHosts).toEqual([1])

  await addHostAndApply(second, 2)
  await expect(second.locator('#xml-error')).toHaveText(
    `${network} changed since you opened the editor (another edit was applied); reload the page to edit its current definition. Nothing was changed.`,
  )
  expect(savedHosts()).toEqual([1])

  // The first editor moved on with the definition it applied: its next edit applies on top.
  await addHostAndApply(first, 3)
  await expect(first.getByRole('status').filter({ hasText: network })).toHaveText(
    `Updated ${network} in place with 1 net-update command; guests stayed connected.`,
  )
  await expect.poll(savedHosts).toEqual([1, 3])

  // After a reload the second editor starts from the current definition, and its edit applies.
  await second.reload()
  await addHostAndApply(second, 2)
  await expect(second.getByRole('status').filter({ hasText: network })).toHaveText(
    `Updated ${network} in place with 1 net-update command; guests stayed connected.`,
  )
  await expect.poll(savedHosts).toEqual([1, 2, 3])
})
