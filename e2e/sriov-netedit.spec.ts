import { execFileSync } from 'node:child_process'
import { test, expect, lab, openLabHost, signIn, xmlEditor } from './fixtures'
import { e2eUsers } from './users'
import type { Page } from '@playwright/test'

const suffix = Date.now().toString(36).slice(-5)
const pool = `e2e-pool-${suffix}`
const network = `e2e-ne-${suffix}`
const bridge = `vnee${suffix}`
const guest = `e2e-ne-${suffix}-g`

const networkXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='${bridge}' stp='on' delay='0'/>
<ip address='10.203.7.1' netmask='255.255.255.0'><dhcp><range start='10.203.7.2' end='10.203.7.254'/></dhcp></ip></network>`
const guestXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='network'/></os><features><acpi/></features>
<devices><interface type='network'><source network='${network}'/><mac address='52:54:00:7e:cb:01'/><model type='virtio'/></interface>
<graphics type='vnc' autoport='yes' listen='127.0.0.1'/></devices></domain>`
const onB = (script: string) => lab('exec-b', '--', 'sh', '-c', script)
/** Host B's own view, bypassing the dashboard. */
const readB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' })

test.beforeAll(() => {
  // A private network with a running tiny guest on host B: restarting it never touches the shared default network.
  onB(
    `printf '%s' "${networkXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && virsh -q net-start ${network} && printf '%s' "${guestXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml && virsh -q start ${guest}; rm -f /tmp/${network}.xml /tmp/${guest}.xml`,
  )
})

test.afterAll(() => {
  onB(
    `virsh -q destroy ${guest}; virsh -q undefine ${guest}; for n in ${network} ${pool}; do virsh -q net-destroy $n; virsh -q net-undefine $n; done; true`,
  )
})

const addHostB = (page: Page) => openLabHost(page, 'lab-b', `e2e-sriov-${suffix}`)

test('create an SR-IOV pool from a PF and see why it cannot start; edit a network and watch the re-attach job finish', async ({
  adminPage: page,
}) => {
  const hostId = await addHostB(page)

  await page.getByRole('link', { name: 'SR-IOV' }).click()
  await expect(page.getByTestId('sriov-pfs')).toContainText('No network device on this host reports SR-IOV')
  await page.getByLabel('Pool name').fill(pool)
  await page.getByLabel('Physical function (PF)').fill('vnlab-b0')
  await page.getByRole('button', { name: 'Create pool' }).click()
  const row = page.getByTestId('sriov-pools').getByRole('row', { name: new RegExp(pool) })
  await expect(row).toContainText('inactive')
  await row.getByRole('button', { name: 'Start', exact: true }).click()
  await expect(page.getByRole('alert').filter({ hasText: pool })).toContainText(
    `Pool ${pool} cannot start: the physical function vnlab-b0 has no usable virtual functions`,
  )

  await page.goto(`/hosts/${hostId}/networks/${network}`)
  await page.getByRole('link', { name: 'Edit XML' }).click()
  await expect(page.getByRole('heading', { name: `Edit ${network}` })).toBeVisible()
  const editor = await xmlEditor(page, 'Network XML')
  await editor.fill((await editor.text()).replace('</network>', "  <mtu size='1400'/>\n</network>"))
  await page.getByRole('button', { name: 'Show changes' }).click()
  await expect(page.getByTestId('edit-mode')).toContainText('Needs a restart of the network (<mtu> changed)')
  await expect(page.getByTestId('edit-mode')).toContainText(guest)
  await expect(page.getByTestId('edit-diff')).toContainText("+ <mtu size='1400'/>")

  // The bridge as it is before the edit: a restart re-creates it (a new interface index) with the new MTU.
  const bridgeBefore = readB(`cat /sys/class/net/${bridge}/ifindex /sys/class/net/${bridge}/mtu`).trim().split('\n')
  expect(bridgeBefore[1]).toBe('1500')
  await page.getByRole('button', { name: 'Apply' }).click()
  const job = page.getByTestId('job-progress')
  await expect(job.getByTestId('job-status')).toHaveText('succeeded', { timeout: 60_000 })
  await expect(job).toContainText(`Re-attach ${guest}`)
  await expect(job).toContainText('taps off the bridge: 0')
  // The host's own view: the network restarted (a new bridge, MTU 1400, live and in the definition), and the
  // guest's tap is a port of that new bridge.
  const bridgeAfter = readB(`cat /sys/class/net/${bridge}/ifindex /sys/class/net/${bridge}/mtu`).trim().split('\n')
  expect(bridgeAfter[0]).not.toBe(bridgeBefore[0])
  expect(bridgeAfter[1]).toBe('1400')
  for (const flag of ['', '--inactive'])
    expect(readB(`virsh net-dumpxml ${network} ${flag}`)).toContain("<mtu size='1400'/>")
  const masters = readB(
    `for t in $(virsh -q domiflist ${guest} | awk '{print $1}'); do basename "$(readlink /sys/class/net/$t/master)"; done`,
  )
  expect(masters.trim()).toBe(bridge)
})

test('an operator cannot plant dnsmasq options (a root dhcp-script) through the network editor, and is told why', async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage()
  await signIn(admin, e2eUsers.admin)
  const hostId = await addHostB(admin)
  const before = readB(`virsh net-dumpxml --inactive ${network}`)

  const page = await (await browser.newContext()).newPage()
  await signIn(page, e2eUsers.operator)
  await page.goto(`/hosts/${hostId}/networks/${network}/edit`)
  await expect(page.getByTestId('dnsmasq-options-note')).toContainText('Only administrators may add, change or remove')
  const editor = await xmlEditor(page, 'Network XML')
  await editor.fill(
    (await editor.text())
      .replace(/^<network/, "<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'")
      .replace(
        '</network>',
        "  <dnsmasq:options>\n    <dnsmasq:option value='dhcp-script=/tmp/vnt-e2e-lease'/>\n  </dnsmasq:options>\n</network>",
      ),
  )
  for (const button of ['Show changes', 'Apply']) {
    await page.getByRole('button', { name: button }).click()
    await expect(page.locator('#xml-error')).toContainText(
      'Only administrators may add, change or remove dnsmasq: options (<dnsmasq:options>): dnsmasq runs them as root',
    )
  }
  expect(readB(`virsh net-dumpxml --inactive ${network}`)).toBe(before)

  // An administrator's editor has no such note.
  await admin.goto(`/hosts/${hostId}/networks/${network}/edit`)
  await expect(admin.getByLabel('Network XML')).toBeVisible()
  await expect(admin.getByTestId('dnsmasq-options-note')).toHaveCount(0)
})

test('preview attaching an interface: the generated MAC is filled in, and the attach that follows uses it', async ({
  adminPage: page,
}) => {
  const hostId = await addHostB(page)
  await page.goto(`/hosts/${hostId}/guests`)
  const form = page.getByRole('form', { name: `Attach an interface to ${guest}` })
  await form.getByLabel('Source').selectOption(network)
  await form.getByRole('button', { name: 'Preview' }).click()
  const steps = form.getByRole('list', { name: 'Planned steps' })
  await expect(steps).toContainText('attach-interface')
  const mac = form.getByLabel('MAC (optional)')
  await expect(mac).toHaveValue(/^52:54:00(:[0-9a-f]{2}){3}$/)
  const chosen = await mac.inputValue()
  await expect(steps).toContainText(chosen)
  expect(readB(`virsh -q domiflist ${guest} --inactive`)).not.toContain(chosen)

  // The preview kept the chosen source as well as filling in the MAC.
  await expect(form.getByLabel('Source')).toHaveValue(network)
  await form.getByRole('button', { name: 'Attach interface' }).click()
  await expect(form.getByRole('status')).toContainText(`Attached ${chosen}`)
  expect(readB(`virsh -q domiflist ${guest} --inactive`)).toContain(chosen)
})
