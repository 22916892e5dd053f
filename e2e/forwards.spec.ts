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

test.beforeAll(() => {
  const netXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vnfe${n}' stp='off'/><ip address='10.236.${n}.1' prefix='24'><dhcp><range start='10.236.${n}.100' end='10.236.${n}.200'/><host mac='${mac}' ip='10.236.${n}.10'/></dhcp></ip></network>`
  const domXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><interface type='network'><source network='${network}'/><mac address='${mac}'/><model type='e1000'/><rom enabled='no'/></interface></devices></domain>`
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `echo "${netXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && virsh -q net-start ${network} && echo "${domXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml; rm -f /tmp/${network}.xml /tmp/${guest}.xml`,
  )
})

test.afterAll(() => {
  // The forward lives only in the state file on B (the guest never runs, so no rule is live): remove it with the rest.
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `grep -q 'vn:' /var/lib/libvirt/virtnet/forwards.rules 2>/dev/null && rm -f /var/lib/libvirt/virtnet/forwards.rules; virsh -q undefine ${guest} 2>/dev/null; virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`,
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
  await admin.getByLabel('Role').selectOption('selfservice')
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

  await page.getByLabel('Host port or range').fill('21005')
  await page.getByLabel('Guest port or range').fill('80')
  await page.getByLabel('Description').fill('web')
  await page.getByRole('button', { name: 'Add forward' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Forwarding' })).toContainText('21005/tcp')
  await expect(page.getByTestId('my-forwards')).toContainText('21005')

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
  await expect(page.getByTestId('my-forwards')).toContainText('You have no port forwards.')
})
