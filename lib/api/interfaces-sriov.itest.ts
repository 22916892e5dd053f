import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NextRequest } from 'next/server'
import { db } from '@/lib/db/client'
import { createApiToken } from '@/lib/auth/api-tokens'
import { createTestUser } from '@/lib/test/server-actions'
import { libvirtLabHosts, registeredLabHost } from '@/lib/test/lab'
import { contractProblem } from '@/lib/test/api-contract'
import { startApiServer } from '@/lib/test/api-server'
import * as interfacesRoute from '@/app/api/v1/hosts/[host]/guests/[guest]/interfaces/route'
import * as interfaceRoute from '@/app/api/v1/hosts/[host]/guests/[guest]/interfaces/[mac]/route'
import * as poolsRoute from '@/app/api/v1/hosts/[host]/sriov/pools/route'
import * as poolRoute from '@/app/api/v1/hosts/[host]/sriov/pools/[pool]/route'
import * as assignmentsRoute from '@/app/api/v1/hosts/[host]/sriov/assignments/route'
import * as assignmentRoute from '@/app/api/v1/hosts/[host]/sriov/assignments/[guest]/[mac]/route'

vi.mock('next/headers', async () => (await import('@/lib/test/next-request')).nextHeadersModule)
vi.mock('next/cache', async () => (await import('@/lib/test/next-request')).nextCacheModule)
vi.mock('next/navigation', async () => (await import('@/lib/test/next-request')).nextNavigationModule)

/*
 * The write routes of guests' interfaces and SR-IOV, through the route handlers (every answer held to the OpenAPI
 * document) and through the command line, on lab hosts B (libvirt 9) and C (libvirt 11): a network, a stopped guest
 * on it and a hostdev pool over a veth standing in for a physical function (the lab has no VF-capable hardware), all
 * named vnapi-….
 */
const tag = (process.pid % 150) + 40
const hex = tag.toString(16).padStart(2, '0')
const prefix = `vnapi-if${tag}`
const net = `vnapi-ifnet${tag}`
const guest = `vnapi-ifg${tag}`
const pf = `vnapipf${tag}`
const pool = `vnapi-pool${tag}`
const guestMac = `52:54:00:ea:${hex}:01`
const cli = path.resolve(import.meta.dirname, '../../bin/virtnet.mjs')
let token: string
let server: Awaited<ReturnType<typeof startApiServer>>

type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>

async function call(
  hostName: string,
  handler: unknown,
  method: string,
  url: string,
  params: Record<string, string>,
  body?: unknown,
) {
  const request = new NextRequest(`http://127.0.0.1${url}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const response = await (handler as Handler)(request, { params: Promise.resolve({ host: hostName, ...params }) })
  const text = await response.text()
  const parsed = text ? JSON.parse(text) : null
  const documented = contractProblem(
    method,
    new URL(request.url).pathname,
    response.status,
    response.headers.get('content-type'),
    parsed,
  )
  expect(documented, text.slice(0, 500)).toBeNull()
  return { status: response.status, body: parsed, text }
}

async function virtnet(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], {
      env: { ...process.env, VIRTNET_URL: server.url, VIRTNET_TOKEN: token },
      timeout: 120_000,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

beforeAll(async () => {
  const operator = await createTestUser(`${prefix}-operator`, 'operator')
  token = (await createApiToken(operator, { name: `${prefix}-w`, scope: 'write', expiresInDays: 1 })).secret
  server = await startApiServer()
}, 60_000)

afterAll(async () => {
  await server?.close()
  await db.user.deleteMany({ where: { username: { startsWith: prefix } } })
}, 60_000)

describe.each(libvirtLabHosts)('on $name (libvirt $libvirt)', (lab) => {
  const inactiveXml = () => lab.exec(`virsh dumpxml --inactive ${guest}`)
  /** The <interface> element of the guest's saved configuration that has this MAC. */
  const interfaceXml = (mac: string) =>
    inactiveXml()
      .split('<interface ')
      .slice(1)
      .find((part) => part.includes(`<mac address='${mac}'/>`)) ?? null
  const networks = () => lab.exec('virsh net-list --all --name')

  function removeHostParts() {
    lab.exec(`{ virsh -q undefine ${guest}
for n in ${net} ${pool} ${pool}c; do virsh -q net-destroy $n; virsh -q net-undefine $n; done
ip link del ${pf}; } >/dev/null 2>&1; true`)
  }

  beforeAll(async () => {
    removeHostParts()
    const define = (command: string, xml: string) => `f=$(mktemp); cat > "$f" <<'VN_XML'
${xml}
VN_XML
virsh -q ${command} "$f" >/dev/null; rm -f "$f"`
    lab.exec(`set -e
ip link add ${pf} type veth peer name ${pf}p; ip link set ${pf} up
${define('net-define', `<network><name>${net}</name><forward mode='nat'/><bridge name='vnapiifb${tag}' stp='off'/><ip address='10.237.${tag}.1' prefix='24'/></network>`)}
virsh -q net-start ${net} >/dev/null
${define('define', `<domain type='qemu'><name>${guest}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><interface type='network'><source network='${net}'/><mac address='${guestMac}'/><model type='virtio'/></interface></devices></domain>`)}`)
    await registeredLabHost(lab.name)
  }, 60_000)

  afterAll(() => {
    removeHostParts()
  }, 60_000)

  describe('guest interfaces through the API', () => {
    const at = { guest }
    const url = `/api/v1/hosts/${lab.name}/guests/${guest}/interfaces`
    const added = `52:54:00:ea:${hex}:02`

    it('attaches (after a preview that changes nothing), changes only the settings sent, refuses a bad one, detaches', async () => {
      const body = { type: 'network', source: net, model: 'e1000', mac: added }
      const preview = await call(lab.name, interfacesRoute.POST, 'POST', `${url}?dryRun=1`, at, body)
      expect(preview.status, preview.text).toBe(200)
      expect(preview.body.preview).toBe(true)
      expect(interfaceXml(added)).toBeNull()

      const attached = await call(lab.name, interfacesRoute.POST, 'POST', url, at, body)
      expect(attached.status, attached.text).toBe(200)
      expect(interfaceXml(added)).toContain(`<source network='${net}'/>`)

      const nic = { ...at, mac: added }
      const down = await call(lab.name, interfaceRoute.PATCH, 'PATCH', `${url}/${added}`, nic, { link: 'down' })
      expect(down.status, down.text).toBe(200)
      expect(interfaceXml(added)).toContain(`<link state='down'/>`)
      // the model was not sent: it stays
      expect(interfaceXml(added)).toContain(`<model type='e1000'/>`)

      const bad = await call(lab.name, interfaceRoute.PATCH, 'PATCH', `${url}/${added}`, nic, { link: 'sideways' })
      expect(bad.status).toBe(422)
      expect(bad.body.errors.link).toEqual(['Choose up or down.'])

      const detached = await call(lab.name, interfaceRoute.DELETE, 'DELETE', `${url}/${added}`, nic)
      expect(detached.status, detached.text).toBe(200)
      expect(interfaceXml(added)).toBeNull()
      const audit = await db.auditEvent.findFirst({
        where: { action: 'guest.interface.detach' },
        orderBy: { id: 'desc' },
      })
      expect(JSON.parse(audit!.params).apiToken).toMatch(new RegExp(`^${prefix}-w \\(`))
    })

    it('does the same from the command line', async () => {
      const cliMac = `52:54:00:ea:${hex}:03`
      const attach = await virtnet([
        'guests',
        'nic',
        'attach',
        guest,
        '--host',
        lab.name,
        '--network',
        net,
        '--mac',
        cliMac,
      ])
      expect(attach.code, attach.stderr).toBe(0)
      expect(interfaceXml(cliMac)).not.toBeNull()
      const set = await virtnet(['guests', 'nic', 'set', guest, cliMac, '--host', lab.name, '--link', 'down'])
      expect(set.code, set.stderr).toBe(0)
      expect(interfaceXml(cliMac)).toContain(`<link state='down'/>`)
      const usage = await virtnet(['guests', 'nic', 'set', guest, cliMac, '--host', lab.name])
      expect(usage.code).toBe(2)
      const detach = await virtnet(['guests', 'nic', 'detach', guest, cliMac, '--host', lab.name])
      expect(detach.code, detach.stderr).toBe(0)
      expect(interfaceXml(cliMac)).toBeNull()
    })
  })

  describe('SR-IOV through the API', () => {
    it('creates and deletes a hostdev pool; assigns a guest an interface from it and releases it', async () => {
      const preview = await call(
        lab.name,
        poolsRoute.POST,
        'POST',
        `/api/v1/hosts/${lab.name}/sriov/pools?dryRun=1`,
        {},
        { name: pool, pf },
      )
      expect(preview.status, preview.text).toBe(200)
      expect(networks()).not.toContain(pool)
      const created = await call(
        lab.name,
        poolsRoute.POST,
        'POST',
        `/api/v1/hosts/${lab.name}/sriov/pools`,
        {},
        { name: pool, pf },
      )
      expect(created.status, created.text).toBe(200)
      expect(networks()).toContain(pool)

      const poolMac = `52:54:00:ea:${hex}:04`
      const assigned = await call(
        lab.name,
        assignmentsRoute.POST,
        'POST',
        `/api/v1/hosts/${lab.name}/sriov/assignments`,
        {},
        { guest, target: `pool:${pool}`, mac: poolMac, vlan: '42' },
      )
      expect(assigned.status, assigned.text).toBe(200)
      expect(interfaceXml(poolMac)).toContain(`<source network='${pool}'/>`)
      const released = await call(
        lab.name,
        assignmentRoute.DELETE,
        'DELETE',
        `/api/v1/hosts/${lab.name}/sriov/assignments/${guest}/${poolMac}`,
        { guest, mac: poolMac },
      )
      expect(released.status, released.text).toBe(200)
      expect(interfaceXml(poolMac)).toBeNull()

      const deleted = await call(
        lab.name,
        poolRoute.DELETE,
        'DELETE',
        `/api/v1/hosts/${lab.name}/sriov/pools/${pool}`,
        { pool },
      )
      expect(deleted.status, deleted.text).toBe(200)
      expect(networks()).not.toContain(pool)
      const gone = await call(lab.name, poolRoute.DELETE, 'DELETE', `/api/v1/hosts/${lab.name}/sriov/pools/${pool}`, {
        pool,
      })
      expect(gone.status).toBeGreaterThanOrEqual(400)
    })

    it('does the same from the command line', async () => {
      const name = `${pool}c`
      const created = await virtnet(['sriov', 'pool', 'create', name, '--host', lab.name, '--pf', pf])
      expect(created.code, created.stderr).toBe(0)
      expect(networks()).toContain(name)
      const cliMac = `52:54:00:ea:${hex}:05`
      const assign = (...extra: string[]) =>
        virtnet(['sriov', 'assign', guest, '--host', lab.name, '--target', `pool:${name}`, '--mac', cliMac, ...extra])
      const preview = await assign('--dry-run')
      expect(preview.code, preview.stderr).toBe(0)
      expect(preview.stdout).toMatch(/^Preview, nothing changed/)
      expect(interfaceXml(cliMac)).toBeNull()
      const assigned = await assign()
      expect(assigned.code, assigned.stderr).toBe(0)
      expect(interfaceXml(cliMac)).not.toBeNull()
      const released = await virtnet(['sriov', 'release', guest, cliMac, '--host', lab.name])
      expect(released.code, released.stderr).toBe(0)
      expect(interfaceXml(cliMac)).toBeNull()
      const removed = await virtnet(['sriov', 'pool', 'rm', name, '--host', lab.name])
      expect(removed.code, removed.stderr).toBe(0)
      expect(networks()).not.toContain(name)
    })
  })
})
