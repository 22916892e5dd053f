import { test, expect, lab, openLabHost, signIn } from './fixtures'
import { e2eUsers } from './users'

// A self-service user's whole path: an admin registers host B, creates the user, gives them a port range and one
// guest; the user sees only that guest, adds a forward inside the range, is refused one outside it; an operator
// finds both requests in the audit log. The guest and its NAT network (with a static DHCP mapping) are this test's own.
const suffix = Date.now().toString(36).slice(-5)
const n = 20 + (Date.now() % 200)
const network = `vnfe${suffix}`
const guest = `vnfe-guest-${suffix}`
const selfUser = { username: `e2e-self-${suffix}`, password: 'e2e-self-password-1' }
const mac = `52:54:00:fe:${n.toString(16).padStart(2, '0')}:01`
// Two more guests on the same network, one for each of two self-service users who must not see each other's rules.
const tenants = [1, 2].map((i) => ({
  username: `e2e-tenant${i}-${suffix}`,
  password: `e2e-tenant${i}-password-1`,
  guest: `vnfe-t${i}-${suffix}`,
  mac: `52:54:00:fe:${n.toString(16).padStart(2, '0')}:1${i}`,
  ip: `10.236.${n}.1${i}`,
}))

test.beforeAll(() => {
  const hosts = [{ mac, ip: `10.236.${n}.10` }, ...tenants].map((g) => `<host mac='${g.mac}' ip='${g.ip}'/>`).join('')
  const netXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vnfe${n}' stp='off'/><ip address='10.236.${n}.1' prefix='24'><dhcp><range start='10.236.${n}.100' end='10.236.${n}.200'/>${hosts}</dhcp></ip></network>`
  const domXml = (name: string, guestMac: string) =>
    `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><interface type='network'><source network='${network}'/><mac address='${guestMac}'/><model type='e1000'/><rom enabled='no'/></interface></devices></domain>`
  const define = (name: string, guestMac: string) =>
    `echo "${domXml(name, guestMac)}" > /tmp/${name}.xml && virsh -q define /tmp/${name}.xml; rm -f /tmp/${name}.xml`
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `echo "${netXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && virsh -q net-start ${network}; rm -f /tmp/${network}.xml; ${[{ guest, mac }, ...tenants].map((g) => define(g.guest, g.mac)).join('; ')}`,
  )
})

test.afterAll(() => {
  // The forward lives only in the state file on B (the guest never runs, so no rule is live): remove it with the rest.
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `grep -q 'vn:' /var/lib/libvirt/virtnet/forwards.rules 2>/dev/null && rm -f /var/lib/libvirt/virtnet/forwards.rules; for g in ${guest} ${tenants.map((t) => t.guest).join(' ')}; do virsh -q undefine $g 2>/dev/null; done; virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`,
  )
})

test('a self-service user adds a forward within their range, is refused one outside it, and the operator sees both', async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage()
  await signIn(admin, e2eUsers.admin)
  await openLabHost(admin, 'lab-b', 'e2e-fwd-b')
  // Whichever spec registered host B first named it; read the name from its page.
  const hostName = (await admin.getByRole('heading', { level: 1 }).textContent())!.split(' ')[0]!.trim()

  await admin.goto('/users')
  await admin.getByLabel('User name').fill(selfUser.username)
  await admin.getByRole('region', { name: 'Create a user' }).getByLabel('Role').selectOption('selfservice')
  await admin.getByLabel('Initial password').fill(selfUser.password)
  await admin.getByRole('button', { name: 'Create user' }).click()
  const card = admin.getByTestId(`user-${selfUser.username}`)
  await expect(card).toBeVisible()
  await card.getByLabel('Lowest host port').fill('21000')
  await card.getByLabel('Highest host port').fill('21009')
  await card.getByLabel('Max forwards').fill('2')
  await card.getByRole('button', { name: 'Save limits' }).click()
  await expect(card.getByRole('status')).toContainText('21000–21009')
  await card.getByLabel('Guest name').fill(guest)
  await card.getByRole('button', { name: 'Assign guest' }).click()
  await expect(card).toContainText(`${guest} on ${hostName}`)

  const page = await (await browser.newContext()).newPage()
  await page.goto('/login')
  await page.getByLabel('User name').fill(selfUser.username)
  await page.getByLabel('Password').fill(selfUser.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/my$/)
  const nav = page.getByRole('navigation', { name: 'Main' })
  await expect(nav.getByRole('link', { name: 'My guests' })).toBeVisible()
  await expect(nav.getByRole('link', { name: 'Hosts' })).toHaveCount(0)
  await expect(nav.getByRole('link', { name: 'Audit log' })).toHaveCount(0)
  const guests = page.getByTestId('my-guests')
  await expect(guests.getByRole('row')).toHaveCount(2)
  await expect(guests).toContainText(guest)
  await expect(guests).not.toContainText('vnlab-b1')
  await expect(page.getByLabel('Guest', { exact: true }).locator('option')).toHaveCount(1)

  // A forward is of one address family, IPv4 unless chosen; the list says which.
  await expect(page.getByLabel('Address family')).toHaveValue('ipv4')
  await page.getByLabel('Host port or range').fill('21005')
  await page.getByLabel('Guest port or range').fill('80')
  await page.getByLabel('Description').fill('web')
  await page.getByRole('button', { name: 'Add forward' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Forwarding' })).toContainText('21005/tcp')
  await expect(page.getByTestId('my-forwards')).toContainText('21005')
  await expect(page.getByTestId('my-forwards').getByRole('row').nth(1)).toContainText('IPv4')

  await page.getByLabel('Host port or range').fill('22000')
  await page.getByLabel('Guest port or range').fill('80')
  await page.getByRole('button', { name: 'Add forward' }).click()
  await expect(page.locator('#hostPort-error')).toHaveText('Host port 22000 is outside your allowed range 21000–21009.')
  await expect(page.getByLabel('Host port or range')).toHaveAttribute('aria-invalid', 'true')
  await expect(page.getByTestId('my-forwards').getByRole('row')).toHaveCount(2)

  // The host pages are not theirs.
  const response = await page.goto('/hosts')
  expect(response?.status()).toBe(403)

  const operator = await (await browser.newContext()).newPage()
  await signIn(operator, e2eUsers.operator)
  await operator.goto(`/audit?actor=${selfUser.username}`)
  const audit = operator.getByTestId('audit-table')
  await expect(audit.getByRole('row', { name: /forward\.selfservice\.add.*success/ })).toBeVisible()
  await expect(audit.getByRole('row', { name: /forward\.selfservice\.add.*refused/ })).toBeVisible()
  await expect(audit).toContainText('outside your allowed range')

  // Cleanup through the UI too: the user removes their forward.
  await page.goto('/my')
  await page.getByTestId('my-forwards').getByRole('button', { name: 'Remove' }).click()
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove forward' }).click()
  await expect(page.getByTestId('my-forwards')).toContainText('You have no port forwards.')
})

test("two self-service users previewing and adding forwards on one host see only their own rules, never the other's", async ({
  browser,
}) => {
  const admin = await (await browser.newContext()).newPage()
  await signIn(admin, e2eUsers.admin)
  await openLabHost(admin, 'lab-b', 'e2e-fwd-b')
  await admin.goto('/users')
  for (const tenant of tenants) {
    await admin.getByLabel('User name').fill(tenant.username)
    await admin.getByRole('region', { name: 'Create a user' }).getByLabel('Role').selectOption('selfservice')
    await admin.getByLabel('Initial password').fill(tenant.password)
    await admin.getByRole('button', { name: 'Create user' }).click()
    const card = admin.getByTestId(`user-${tenant.username}`)
    await expect(card).toBeVisible()
    // The same range for both: they compete for ports, as tenants of one host do.
    await card.getByLabel('Lowest host port').fill('21010')
    await card.getByLabel('Highest host port').fill('21029')
    await card.getByLabel('Max forwards').fill('3')
    await card.getByRole('button', { name: 'Save limits' }).click()
    await expect(card.getByRole('status')).toContainText('21010–21029')
    await card.getByLabel('Guest name').fill(tenant.guest)
    await card.getByRole('button', { name: 'Assign guest' }).click()
    await expect(card).toContainText(tenant.guest)
  }

  const signInTenant = async (tenant: (typeof tenants)[number]) => {
    const page = await (await browser.newContext()).newPage()
    await page.goto('/login')
    await page.getByLabel('User name').fill(tenant.username)
    await page.getByLabel('Password').fill(tenant.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect(page).toHaveURL(/\/my$/)
    return page
  }
  const one = await signInTenant(tenants[0]!)
  const two = await signInTenant(tenants[1]!)
  const fill = async (page: typeof one, hostPort: string) => {
    await page.getByLabel('Host port or range').fill(hostPort)
    await page.getByLabel('Guest port or range').fill('80')
  }
  const plan = (page: typeof one) => page.getByRole('list', { name: 'Planned steps' })

  await fill(one, '21011')
  await one.getByRole('button', { name: 'Add forward' }).click()
  await expect(one.getByTestId('my-forwards')).toContainText('21011')

  // The second user's preview: their own rules, a count of the others, none of the first user's guest, address or port.
  await fill(two, '21021')
  await two.getByRole('button', { name: 'Preview' }).click()
  await expect(plan(two)).toContainText(`--to-destination ${tenants[1]!.ip}:80`)
  await expect(plan(two)).toContainText(/# \d+ other rules of other users are kept unchanged\./)
  await expect(plan(two)).toContainText("apply <the UUIDs of the host's running guests>")
  for (const secret of [tenants[0]!.ip, '21011', tenants[0]!.guest]) await expect(plan(two)).not.toContainText(secret)

  await two.getByRole('button', { name: 'Add forward' }).click()
  await expect(two.getByTestId('my-forwards')).toContainText('21021')
  // The first user's port is taken, and the refusal does not say by whose guest.
  await fill(two, '21011')
  await two.getByRole('button', { name: 'Add forward' }).click()
  await expect(two.locator('#hostPort-error')).toHaveText("Host port 21011/tcp is taken by another user's forward.")

  // And the other way round.
  await fill(one, '21012')
  await one.getByRole('button', { name: 'Preview' }).click()
  await expect(plan(one)).toContainText(`--to-destination ${tenants[0]!.ip}:80`)
  for (const secret of [tenants[1]!.ip, '21021', tenants[1]!.guest]) await expect(plan(one)).not.toContainText(secret)

  for (const page of [one, two]) {
    await page.goto('/my')
    await page.getByTestId('my-forwards').getByRole('button', { name: 'Remove' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove forward' }).click()
    await expect(page.getByTestId('my-forwards')).toContainText('You have no port forwards.')
  }
})
