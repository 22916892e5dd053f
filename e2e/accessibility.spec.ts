import { execFileSync } from 'node:child_process'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { test, expect, lab, openLabHost, signIn } from './fixtures'
import { e2eUsers } from './users'
import { e2eDatabase } from '../playwright.config'

/*
 * Accessibility on the production build: axe (WCAG 2.x A and AA rules) on every page a user reaches, in the light and
 * the dark colour scheme (the dashboard follows the system's), with no serious or critical violation; the sidebar
 * collapsing behind a Menu button on a narrow screen; and one whole task with the keyboard alone: adding a forward.
 * `VIRTNET_A11Y_SHOTS=1` also saves screenshots of the fleet, a host tab and the narrow layout in both schemes
 * (test-results/a11y-*.png) for a person to look at.
 */

const suffix = `${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`
const selfUser = { username: `vnui-self-${suffix}`, password: 'vnui-self-password-1' }
const usersScript = (args: string[], input?: string) =>
  execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/users.ts', ...args], {
    input,
    env: { ...process.env, DATABASE_URL: `file:${e2eDatabase}` },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'inherit'],
  })

/** What axe finds serious or critical on the page as it is now, one line per rule with the first few elements. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => {
      const where = violation.nodes.slice(0, 4).map((node) => node.target.join(' '))
      return `${new URL(page.url()).pathname} ${violation.id} (${violation.impact}): ${violation.help} — ${where.join(' | ')}`
    })
}

/** Opens each path and collects axe's findings; every page must have rendered its heading first. */
async function walk(page: Page, paths: string[]): Promise<string[]> {
  const found: string[] = []
  for (const path of paths) {
    const response = await page.goto(path)
    expect(response?.status(), path).toBeLessThan(400)
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible()
    found.push(...(await seriousViolations(page)))
  }
  return found
}

const shot = async (page: Page, name: string) => {
  if (process.env.VIRTNET_A11Y_SHOTS) await page.screenshot({ path: `test-results/a11y-${name}.png`, fullPage: true })
}

test.beforeAll(() => usersScript(['create', selfUser.username, 'selfservice'], selfUser.password))
test.afterAll(() => usersScript(['delete', selfUser.username]))

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every page passes axe with no serious or critical violation (${colorScheme})`, async ({ browser }) => {
    // About twenty pages, several read over SSH from a shared lab: more than the default budget.
    test.setTimeout(600_000)
    const context = await browser.newContext({ colorScheme })
    const page = await context.newPage()

    // Signed out: the sign-in page.
    const found = await walk(page, ['/login'])

    await signIn(page, e2eUsers.admin)
    const hostA = await openLabHost(page, 'lab-a', 'vnui-lab-a')
    const host = `/hosts/${hostA}`
    found.push(
      ...(await walk(page, [
        '/',
        '/hosts',
        host,
        `${host}/networks`,
        `${host}/networks/default`,
        `${host}/networks/default/dhcp`,
        `${host}/guests`,
        `${host}/forwards`,
        `${host}/sriov`,
        `${host}/bridges`,
        `${host}/topology`,
        `${host}/plots`,
        `${host}/filters`,
        '/jobs',
        '/audit',
        '/users',
        '/account',
        '/api-reference',
      ])),
    )
    await page.goto('/')
    await shot(page, `fleet-${colorScheme}`)
    await page.goto(`${host}/networks`)
    await shot(page, `networks-${colorScheme}`)

    // The command palette, open. Ctrl-K pressed before the page has hydrated reaches no listener yet (the page was
    // just loaded), so it is pressed again until the dialog shows.
    const palette = page.getByRole('dialog', { name: 'Search the fleet' })
    await expect(async () => {
      if (!(await palette.isVisible())) await page.keyboard.press('Control+k')
      await expect(palette).toBeVisible({ timeout: 1_000 })
    }).toPass({ timeout: 20_000 })
    found.push(...(await seriousViolations(page)))
    await page.keyboard.press('Escape')

    // A self-service user's own page.
    const self = await (await browser.newContext({ colorScheme })).newPage()
    await self.goto('/login')
    await self.getByLabel('User name').fill(selfUser.username)
    await self.getByLabel('Password').fill(selfUser.password)
    await self.getByRole('button', { name: 'Sign in' }).click()
    await expect(self).toHaveURL(/\/my$/)
    found.push(...(await walk(self, ['/my', '/account'])))

    expect(found).toEqual([])
  })
}

test('on a narrow screen the sidebar collapses behind a Menu button that says whether it is open', async ({
  browser,
}) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ colorScheme })
    const page = await context.newPage()
    await signIn(page, e2eUsers.admin)
    await page.setViewportSize({ width: 390, height: 844 })
    await page.goto('/jobs')
    const nav = page.getByRole('navigation', { name: 'Main' })
    const menu = page.getByRole('button', { name: 'Menu' })
    await expect(nav).toBeHidden()
    await expect(menu).toHaveAttribute('aria-expanded', 'false')
    await shot(page, `narrow-${colorScheme}`)
    await menu.click()
    const close = page.getByRole('button', { name: 'Close menu' })
    await expect(close).toHaveAttribute('aria-expanded', 'true')
    await expect(nav).toBeVisible()
    await shot(page, `narrow-open-${colorScheme}`)
    expect(await seriousViolations(page)).toEqual([])
    // Escape closes it; following a link closes it too.
    await page.keyboard.press('Escape')
    await expect(nav).toBeHidden()
    await menu.click()
    await nav.getByRole('link', { name: 'Audit log' }).click()
    await expect(page).toHaveURL(/\/audit$/)
    await expect(nav).toBeHidden()
    await expect(menu).toHaveAttribute('aria-expanded', 'false')
    await context.close()
  }
})

test('adding a forward with the keyboard alone (Tab, typing, Enter; no clicks)', async ({ adminPage: page }) => {
  test.setTimeout(300_000)
  // A guest of this test's own on host B (defined, never started), pinned by a static DHCP mapping on a network of
  // its own, so the forward needs nothing of the lab's shared guests.
  const n = 100 + (process.pid % 100)
  const network = `vnui${suffix}`
  const guest = `vnui-kb-${suffix}`
  const mac = `52:54:00:ab:${n.toString(16).padStart(2, '0')}:01`
  const ip = `10.237.${n}.10`
  const hostPort = String(31_500 + (process.pid % 400))
  const netXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vnui${n}' stp='off'/><ip address='10.237.${n}.1' prefix='24'><dhcp><range start='10.237.${n}.100' end='10.237.${n}.200'/><host mac='${mac}' ip='${ip}'/></dhcp></ip></network>`
  const domXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><interface type='network'><source network='${network}'/><mac address='${mac}'/><model type='e1000'/><rom enabled='no'/></interface></devices></domain>`
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `echo "${netXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && virsh -q net-start ${network}; rm -f /tmp/${network}.xml; echo "${domXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml; rm -f /tmp/${guest}.xml`,
  )
  try {
    const hostB = await openLabHost(page, 'lab-b', 'e2e-lab-b')
    await page.goto(`/hosts/${hostB}/forwards`)
    await expect(page.getByRole('heading', { name: 'Add a forward' })).toBeVisible()

    /** Presses Tab until the focused element is the one given (at most `limit` presses). */
    const tabTo = async (target: ReturnType<Page['getByLabel']>, limit = 80) => {
      for (let i = 0; i < limit; i++) {
        if (await target.evaluate((element) => element === document.activeElement)) return
        await page.keyboard.press('Tab')
      }
      throw new Error(`Tab did not reach ${target}`)
    }
    const guestSelect = page.getByLabel('Guest', { exact: true })
    await tabTo(guestSelect)
    await expect(guestSelect).toBeFocused()
    // The guest is chosen by typing its name into the focused list, as a keyboard user does.
    await page.keyboard.type(guest)
    await expect(guestSelect).toHaveValue(new RegExp(`/${network}$`))
    await tabTo(page.getByLabel('Host port or range'))
    await page.keyboard.type(hostPort)
    await page.keyboard.press('Tab')
    await expect(page.getByLabel('Guest port or range')).toBeFocused()
    await page.keyboard.type('80')
    await tabTo(page.getByLabel('Description'))
    await page.keyboard.type('typed, not clicked')
    const add = page.getByRole('button', { name: 'Add forward' })
    await tabTo(add)
    await page.keyboard.press('Enter')

    const row = page.getByRole('row').filter({ hasText: guest })
    await expect(row).toContainText(hostPort)
    await expect(row).toContainText(ip)
    await expect(row).toContainText('typed, not clicked')
    // The host has it too, in Virtnet's forward table on B as the lab reads it.
    expect(forwardTableOfB()).toMatch(new RegExp(`\\b${hostPort}\\b.*${ip.replace(/\./g, '\\.')}`))

    await row.getByRole('button', { name: 'Remove' }).click()
    await page.getByRole('alertdialog').getByRole('button', { name: 'Remove forward' }).click()
    await expect(row).toHaveCount(0)
  } finally {
    lab(
      'exec-b',
      '--',
      'sh',
      '-c',
      `virsh -q undefine ${guest} 2>/dev/null; virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`,
    )
  }
})

/** Virtnet's forward table on host B, read inside B's namespace (the lab's own view, not the dashboard's). */
function forwardTableOfB(): string {
  return execFileSync(
    'bash',
    ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', 'cat /var/lib/libvirt/virtnet/forwards.rules'],
    { encoding: 'utf8' },
  )
}
