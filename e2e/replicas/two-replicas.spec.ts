import { execFileSync } from 'node:child_process'
import pg from 'pg'
import { test, expect, lab, openLabHost, signIn } from '../fixtures'
import { e2eUsers } from '../users'
import { postgresServer, replicasDatabaseUrl, replicasSchema, replicaUrls } from './replicas'

/*
 * Two replicas of one build on one PostgreSQL database (docs/scaling.md): what one writes the other lists, and twenty
 * forwards added through both at once each end up once, in the database and in host B's live firewall rules, with an
 * audit chain that verifies. The NAT network and its running guest on host B are this spec's own (prefix vnpg-).
 */

const tag = 20 + (Date.now() % 200)
const network = `vnpg-rep${tag}`
const guest = `vnpg-rep-g${tag}`
const mac = `52:54:00:9e:${tag.toString(16).padStart(2, '0')}:01`
const subnet = `10.229.${tag}`
const firstPort = 26500 + (tag % 40) * 25
const browserPort = firstPort
const apiPorts = Array.from({ length: 20 }, (_, i) => firstPort + 1 + i)

/** Host B's live DNAT rules, read inside its namespace: the independent view of what the replicas applied. */
const liveDnatRules = () =>
  execFileSync('bash', ['scripts/lab/lab.sh', 'exec-b', '--', 'iptables', '-w', '5', '-t', 'nat', '-S'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((line) => line.includes('-j DNAT'))

/** The forward rows the replicas' database holds for these host ports (both replicas' one truth). */
async function storedForwards(ports: number[]): Promise<Array<{ id: string; hostPortStart: number }>> {
  const client = new pg.Client({ connectionString: postgresServer, options: `-c search_path=${replicasSchema}` })
  await client.connect()
  try {
    const { rows } = await client.query<{ id: string; hostPortStart: number }>(
      'SELECT "id", "hostPortStart" FROM "PortForward" WHERE "hostPortStart" = ANY($1::int[]) ORDER BY "hostPortStart"',
      [ports],
    )
    return rows
  } finally {
    await client.end()
  }
}

async function successfulAdds(ports: number[]): Promise<number> {
  const client = new pg.Client({ connectionString: postgresServer, options: `-c search_path=${replicasSchema}` })
  await client.connect()
  try {
    const { rows } = await client.query<{ count: string }>(
      `SELECT count(*) FROM "AuditEvent" WHERE "action" = 'forward.add' AND "result" = 'success' AND "target" = ANY($1)`,
      [ports.map((port) => `${port}/tcp`)],
    )
    return Number(rows[0]!.count)
  } finally {
    await client.end()
  }
}

test.beforeAll(() => {
  const netXml = `<network><name>${network}</name><forward mode='nat'/><bridge name='vnpgr${tag}' stp='off'/><ip address='${subnet}.1' prefix='24'><dhcp><range start='${subnet}.100' end='${subnet}.200'/><host mac='${mac}' ip='${subnet}.10'/></dhcp></ip></network>`
  // A running guest (its link down, so it never answers): a forward's rules go live only for a running guest.
  const domXml = `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os><devices><interface type='network'><source network='${network}'/><mac address='${mac}'/><model type='e1000'/><rom enabled='no'/><link state='down'/></interface></devices></domain>`
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `set -e; echo "${netXml}" > /tmp/${network}.xml && virsh -q net-define /tmp/${network}.xml >/dev/null && virsh -q net-start ${network} >/dev/null; echo "${domXml}" > /tmp/${guest}.xml && virsh -q define /tmp/${guest}.xml >/dev/null && virsh -q start ${guest} >/dev/null; rm -f /tmp/${network}.xml /tmp/${guest}.xml`,
  )
})

test.afterAll(() => {
  lab(
    'exec-b',
    '--',
    'sh',
    '-c',
    `virsh -q destroy ${guest} 2>/dev/null; virsh -q undefine ${guest} 2>/dev/null; virsh -q net-destroy ${network} 2>/dev/null; virsh -q net-undefine ${network} 2>/dev/null; true`,
  )
})

test('a forward added through replica 1 in the browser is listed by replica 2, and removed there', async ({
  browser,
}) => {
  const one = await (await browser.newContext({ baseURL: replicaUrls[0] })).newPage()
  await signIn(one, e2eUsers.admin)
  const hostId = await openLabHost(one, 'lab-b', 'vnpg-rep-b')
  await one.goto(`/hosts/${hostId}/forwards`)
  const guestField = one.getByLabel('Guest', { exact: true })
  const option = guestField.locator('option', { hasText: guest })
  await guestField.selectOption((await option.getAttribute('value'))!)
  await one.getByLabel('Host port or range').fill(String(browserPort))
  await one.getByLabel('Guest port or range').fill('80')
  await one.getByLabel('Description').fill('through replica 1')
  await one.getByRole('button', { name: 'Add forward' }).click()
  await expect(one.getByRole('status').filter({ hasText: 'Forwarding' })).toContainText(`${browserPort}/tcp`)
  const [stored] = await storedForwards([browserPort])
  expect(liveDnatRules().filter((line) => line.includes(`vn:${stored!.id}`))).toHaveLength(1)

  const two = await (await browser.newContext({ baseURL: replicaUrls[1] })).newPage()
  await signIn(two, e2eUsers.operator)
  await two.goto(`/hosts/${hostId}/forwards`)
  const row = two.getByTestId('forwards-table').getByRole('row').filter({ hasText: 'through replica 1' })
  await expect(row).toContainText(String(browserPort))
  await expect(row).toContainText(guest)

  await row.getByRole('button', { name: 'Remove' }).click()
  await two.getByRole('alertdialog').getByRole('button', { name: 'Remove forward' }).click()
  await expect(row).toHaveCount(0)
  await one.reload()
  await expect(one.getByTestId('forwards-table')).not.toContainText('through replica 1')
  expect(await storedForwards([browserPort])).toEqual([])
  expect(liveDnatRules().filter((line) => line.includes(`vn:${stored!.id}`))).toEqual([])
})

test('twenty forwards added at once through both replicas end up once each, with a verified audit chain', async ({
  browser,
}) => {
  const admin = await (await browser.newContext({ baseURL: replicaUrls[0] })).newPage()
  await signIn(admin, e2eUsers.admin)
  const hostId = await openLabHost(admin, 'lab-b', 'vnpg-rep-b')
  await admin.goto('/account')
  const tokens = admin.getByRole('region', { name: 'API tokens' })
  await tokens.getByLabel('Name').fill(`vnpg-replicas-${tag}`)
  await tokens.getByLabel('Scope').selectOption('write')
  await tokens.getByLabel('Expires after (days)').fill('1')
  await tokens.getByRole('button', { name: 'Create token' }).click()
  const secret = (await admin.getByTestId('new-token').textContent())!.trim()
  const api = async (replica: number, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${replicaUrls[replica]}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json().catch(() => null)) as unknown }
  }

  try {
    // Ten through each replica, all sent at once.
    const answers = await Promise.all(
      apiPorts.map((port, i) =>
        api(i % 2, 'POST', `/hosts/${hostId}/forwards`, {
          guest,
          protocol: 'tcp',
          hostPort: String(port),
          guestPort: '80',
          description: `replica ${(i % 2) + 1}`,
        }),
      ),
    )
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300)

    // Exactly once each in the database ...
    const stored = await storedForwards(apiPorts)
    expect(stored.map((row) => row.hostPortStart)).toEqual(apiPorts)
    // ... and on the host: one DNAT rule per forward, for its port, and none for any port twice.
    const rules = liveDnatRules()
    for (const row of stored) {
      const ruleOf = rules.filter((line) => line.includes(`vn:${row.id}`))
      expect(ruleOf, `forward ${row.id}`).toHaveLength(1)
      expect(ruleOf[0]).toContain(`--dport ${row.hostPortStart} `)
    }
    for (const port of apiPorts) expect(rules.filter((line) => line.includes(`--dport ${port} `))).toHaveLength(1)

    // The audit: one successful add per forward, in one chain that verifies (hashes, seals, tip checkpoint).
    expect(await successfulAdds(apiPorts)).toBe(apiPorts.length)
    const verified = execFileSync('npx', ['tsx', '--conditions=react-server', 'scripts/audit-verify.ts'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: replicasDatabaseUrl },
    })
    expect(verified).toMatch(/^OK: \d+ records chained, \d+ sealed/)
  } finally {
    // Removed through both replicas too, one after another.
    for (const [i, row] of (await storedForwards(apiPorts)).entries())
      expect((await api(i % 2, 'DELETE', `/hosts/${hostId}/forwards/${row.id}`)).status).toBeLessThan(300)
  }
  expect(await storedForwards(apiPorts)).toEqual([])
  const rules = liveDnatRules()
  for (const port of apiPorts) expect(rules.filter((line) => line.includes(`--dport ${port} `))).toEqual([])
})
