import { execFileSync } from 'node:child_process'
import { test, expect, lab, openLabHost } from './fixtures'

// Issue 20 end to end on lab host B: an isolated IPv6 network with a DHCPv6 range created through the form (a range
// on a /56 refused first, in words), and a running guest's link set down and up on the Guests tab; host B is read
// directly each time.

const suffix = Date.now().toString(36).slice(-5)
const network = `vnk-e6-${suffix}`
const bridge = `vnke6${suffix}`
const prefix = `fd00:e2e:${parseInt(suffix.slice(-3), 36).toString(16)}`
const guest = `vnk-e2e-${suffix}-g`
const mac = `52:54:00:6b:e2:${parseInt(suffix.slice(-2), 36).toString(16).padStart(2, '0').slice(-2)}`
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><devices>
<interface type='network'><mac address='${mac}'/><source network='default'/><model type='virtio'/></interface>
</devices></domain>`
const onB = (script: string) => lab('exec-b', '--', 'sh', '-c', script)
const readB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' })

test.beforeAll(() => {
  onB(
    `printf '%s' "${guestXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml && virsh -q start ${guest}; rm -f /tmp/${guest}.xml`,
  )
})

test.afterAll(() => {
  onB(
    `virsh -q destroy ${guest}; virsh -q undefine ${guest}; virsh -q net-destroy ${network}; virsh -q net-undefine ${network}; true`,
  )
})

test('create an isolated IPv6 network with a DHCPv6 range through the form', async ({ adminPage: page }) => {
  const hostId = await openLabHost(page, 'lab-b', `e2e-kinds-${suffix}`)
  await page.goto(`/hosts/${hostId}/networks`)
  await page.getByLabel('Name', { exact: true }).fill(network)
  await page.getByLabel('Kind').selectOption('isolated')
  await page.getByLabel('Bridge').fill(bridge)
  await page.getByLabel('IPv6 prefix (optional)').fill(`${prefix}::/56`)
  await page.getByLabel(/^DHCPv6 start/).fill(`${prefix}::100`)
  await page.getByLabel('DHCPv6 end').fill(`${prefix}::1ff`)
  await page.getByLabel('Start now').check()
  await page.getByRole('button', { name: 'Create network' }).click()
  await expect(page.locator('#ipv6Cidr-error')).toContainText('A DHCPv6 range needs a prefix of /64 or longer')
  expect(readB(`virsh -q net-list --all --name`)).not.toContain(network)

  await page.getByLabel('IPv6 prefix (optional)').fill(`${prefix}::/64`)
  await page.getByRole('button', { name: 'Preview' }).click()
  const steps = page.getByRole('list', { name: 'Planned steps' })
  await expect(steps).toContainText(`<ip family='ipv6' address='${prefix}::1' prefix='64'>`)
  await expect(steps).toContainText(`<range start='${prefix}::100' end='${prefix}::1ff'/>`)
  expect(readB(`virsh -q net-list --all --name`)).not.toContain(network)

  await page.getByRole('button', { name: 'Create network' }).click()
  await expect(page.getByRole('status').filter({ hasText: network })).toHaveText(
    `Created isolated network ${network} on ${bridge} (${prefix}::1/64, DHCP ${prefix}::100–${prefix}::1ff), running.`,
  )
  const xml = readB(`virsh net-dumpxml ${network}`)
  expect(xml).not.toContain('<forward')
  expect(readB(`virsh net-info ${network}`)).toMatch(/Active:\s+yes/)
  expect(readB(`cat /var/lib/libvirt/dnsmasq/${network}.conf`)).toContain(`dhcp-range=${prefix}::100,${prefix}::1ff,64`)
  await expect(page.getByRole('row', { name: new RegExp(network) })).toContainText('isolated')
})

test("set a running guest's link down and up on the Guests tab", async ({ adminPage: page }) => {
  const hostId = await openLabHost(page, 'lab-b', `e2e-kinds-${suffix}`)
  await page.goto(`/hosts/${hostId}/guests`)
  const section = page.getByTestId(`guest-${guest}`)
  await section.getByText(`Settings of ${mac}`).click()
  const form = section.getByRole('form', { name: `Settings of ${mac}` })
  for (const state of ['down', 'up']) {
    await form.getByLabel('Link').selectOption(state)
    await form.getByRole('button', { name: 'Apply settings' }).click()
    await expect(form.getByRole('status')).toHaveText(`Set the link state of ${mac} on ${guest}.`)
    // the same words after each change: the host, polled, tells them apart
    await expect.poll(() => readB(`virsh domif-getlink ${guest} ${mac}`)).toContain(state)
    expect(readB(`virsh dumpxml ${guest} --inactive`)).toContain(`<link state='${state}'/>`)
  }
})
