import { execFileSync } from 'node:child_process'
import { test, expect, lab, openLabHost, xmlEditor } from './fixtures'
import type { Page } from '@playwright/test'

/*
 * The XML editor of networks and network filters on host B: CodeMirror with XML highlighting, libvirt's refusals
 * marked on the lines they are about, libvirt's XML beside the edit, a valid edit applied, and a way out with the
 * keyboard. The network stays stopped, so an edit only redefines it.
 */

const suffix = Date.now().toString(36).slice(-5)
const network = `vned-xe-${suffix}`
const filter = `vned-xf-${suffix}`
const networkXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vned${suffix}' stp='on' delay='0'/><ip address='10.203.9.1' netmask='255.255.255.0'><dhcp><range start='10.203.9.2' end='10.203.9.254'/></dhcp></ip></network>`
const filterXml = `<filter name='${filter}' chain='ipv4'><rule action='accept' direction='out' priority='500'><tcp dstportstart='22'/></rule><rule action='drop' direction='in' priority='500'><icmp/></rule></filter>`
const onB = (script: string) => lab('exec-b', '--', 'sh', '-c', script)
const readB = (script: string) =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'sh', '-c', script], { encoding: 'utf8' })

test.beforeAll(() => {
  onB(
    `printf '%s' "${networkXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml && printf '%s' "${filterXml}" > /tmp/${filter}.xml && virsh -q nwfilter-define /tmp/${filter}.xml; rm -f /tmp/${network}.xml /tmp/${filter}.xml`,
  )
})

test.afterAll(() => {
  onB(`virsh -q net-undefine ${network}; virsh -q nwfilter-undefine ${filter}; true`)
})

/** The editor line that carries a lint mark, and the gutter's markers. */
const markedLine = (page: Page) => page.locator('.cm-line', { has: page.locator('.cm-lintRange-error') })
const gutterMarks = (page: Page) => page.locator('.cm-gutter-lint .cm-lint-marker-error')

test('network XML: a parse error and a libvirt refusal marked on their lines, the comparison, a valid edit applied', async ({
  adminPage: page,
}) => {
  const hostId = await openLabHost(page, 'lab-b', `vned-e2e-${suffix}`)
  await page.goto(`/hosts/${hostId}/networks/${network}/edit`)
  const xml = await xmlEditor(page, 'Network XML')
  await expect(page.getByTestId('xml-editor').locator('.cm-content')).toHaveAttribute('aria-labelledby', 'xml-label')
  const original = await xml.text()
  const lines = original.split('\n')
  expect(lines[0]).toBe('<network>')
  // XML highlighting: tag names are styled tokens
  await expect(page.getByTestId('xml-editor').locator('.cm-line').first().locator('span').first()).toBeVisible()

  // Not well-formed: the parser's line is marked (an unclosed <bogus> ends where </network> is met)
  const unclosed = original.replace('</network>', '  <bogus>\n</network>')
  await xml.fill(unclosed)
  await page.getByRole('button', { name: 'Show changes' }).click()
  await expect(page.locator('#xml-error')).toContainText('The XML does not parse')
  await expect(markedLine(page)).toHaveText('</network>')
  await expect(gutterMarks(page)).toHaveCount(1)
  await expect(xml.editor).toHaveAttribute('aria-invalid', 'true')

  // Well-formed, refused by libvirt's schema: libvirt's message on the element it names
  const bogusLine = lines.findIndex((line) => line.includes('<forward')) + 2
  const refused = original.replace(/(<forward[^\n]*\n)/, "$1  <bogus mode='x'/>\n")
  await xml.fill(refused)
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page.locator('#xml-error')).toContainText('libvirt refused the definition')
  await expect(markedLine(page)).toHaveText("  <bogus mode='x'/>")
  await expect(page.locator('.cm-line').nth(bogusLine - 1)).toHaveText("  <bogus mode='x'/>")
  await expect(gutterMarks(page)).toHaveCount(1)
  expect(readB(`virsh net-dumpxml --inactive ${network}`)).not.toContain('bogus')

  // A valid edit: libvirt's XML beside it shows the changed line, then it applies
  const edited = original.replace('</network>', "  <mtu size='1400'/>\n</network>")
  await xml.fill(edited)
  await page.getByRole('button', { name: "Compare with libvirt's XML" }).click()
  const diff = page.getByTestId('xml-compare-diff')
  await expect(diff.locator('.cm-merge-b .cm-changedLine')).toHaveText("  <mtu size='1400'/>")
  await expect(diff.locator('.cm-merge-a .cm-content')).not.toContainText('mtu')
  // CodeMirror measures the lines it shows: in view before the whole page is taken
  await diff.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/xml-editor-network.png', fullPage: true })
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page.getByRole('status').filter({ hasText: network })).toHaveText(
    `Saved the new definition of ${network}; it applies when the network starts.`,
  )
  expect(readB(`virsh net-dumpxml --inactive ${network}`)).toContain("<mtu size='1400'/>")
  await expect(gutterMarks(page)).toHaveCount(0)
})

test('network filter XML: libvirt refuses a value on its line; a valid edit applies; Escape then Tab leaves the editor', async ({
  adminPage: page,
}) => {
  const hostId = await openLabHost(page, 'lab-b', `vned-e2e-${suffix}`)
  await page.goto(`/hosts/${hostId}/filters/${filter}`)
  const xml = await xmlEditor(page, 'Filter XML')
  const original = await xml.text()
  const before = readB(`virsh nwfilter-dumpxml ${filter}`)

  await xml.fill(original.replace("action='drop'", "action='explode'"))
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page.locator('#xml-error')).toContainText('libvirt refused the filter')
  await expect(markedLine(page)).toContainText("action='explode'")
  await expect(gutterMarks(page)).toHaveCount(1)
  expect(readB(`virsh nwfilter-dumpxml ${filter}`)).toBe(before)

  await xml.fill(original.replace("action='drop'", "action='reject'"))
  await page.getByRole('button', { name: "Compare with libvirt's XML" }).click()
  const diff = page.getByTestId('xml-compare-diff')
  await expect(diff.locator('.cm-merge-b .cm-changedLine')).toContainText("action='reject'")
  await diff.scrollIntoViewIfNeeded()
  await page.screenshot({ path: 'test-results/xml-editor-filter.png', fullPage: true })
  await page.getByRole('button', { name: 'Apply', exact: true }).click()
  await expect(page.getByRole('status').filter({ hasText: filter })).toContainText(`Redefined network filter ${filter}`)
  expect(readB(`virsh nwfilter-dumpxml ${filter}`)).toContain("action='reject'")

  // Tab indents inside the editor; Escape then Tab moves on to the next control
  await xml.editor.click()
  await page.keyboard.press('Tab')
  await expect(xml.editor).toBeFocused()
  await page.keyboard.press('Escape')
  await page.keyboard.press('Tab')
  await expect(page.getByRole('button', { name: 'Hide the comparison' })).toBeFocused()
})
