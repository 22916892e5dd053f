import 'server-only'
import { z } from 'zod'
import {
  AddForwardSchema,
  ForwardItemSchema,
  SelfServiceAddSchema,
  SelfServiceForwardItemSchema,
} from '@/lib/forwards/schemas'
import { CreateNatNetworkSchema } from '@/lib/networks/schemas'
import { ImportSchema, MappingKeySchema, SaveMappingSchema, TableSchema } from '@/lib/dhcp/schemas'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { AddHostSchema, RemoveHostSchema } from '@/lib/hosts/schemas'
import { AttachSchema, ChangeNetworkSchema, InterfaceSettingsSchema } from '@/lib/guests/schemas'
import { AssignSchema, CreatePoolSchema } from '@/lib/sriov/schemas'

/*
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the forms and the API validate with (zod 4's
 * JSON Schema output, as the input a request sends). Fields the path supplies (hostId, network, name) are left out
 * of the bodies.
 */

const bodyOf = (schema: z.ZodType, pathFields: string[] = []) => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as {
    properties?: Record<string, unknown>
    required?: string[]
  }
  const rest: Record<string, unknown> = { ...json }
  delete rest.$schema
  for (const field of pathFields) delete json.properties?.[field]
  return { ...rest, required: json.required?.filter((field) => !pathFields.includes(field)) }
}

// What the reads answer, as zod schemas too: the contract test (lib/api/api.itest.ts) holds real answers to them.
const time = z.string().describe('ISO 8601 time')
const HostOut = z.looseObject({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  username: z.string(),
  keyConfirmed: z.boolean(),
  healthCheckedAt: time.nullable(),
})
const ForwardOut = z.looseObject({
  id: z.string(),
  hostId: z.string(),
  guestName: z.string(),
  guestUuid: z.string(),
  network: z.string(),
  guestIp: z.string(),
  family: z.enum(['ipv4', 'ipv6']),
  protocol: z.enum(['tcp', 'udp']),
  hostPortStart: z.number().int(),
  hostPortEnd: z.number().int(),
  guestPortStart: z.number().int(),
  guestPortEnd: z.number().int(),
  hostAddress: z.string().nullable(),
  sourceCidrs: z.string(),
  description: z.string(),
  ownerName: z.string(),
  createdAt: time,
})
const NetworkOut = z.looseObject({
  name: z.string(),
  active: z.boolean(),
  autostart: z.boolean(),
  persistent: z.boolean(),
  forwardMode: z.string(),
  bridge: z.string().nullable(),
  ipv4: z.object({ gateway: z.string(), subnet: z.string() }).nullable(),
  guests: z.array(z.string()),
})
const JobOut = z.looseObject({
  id: z.string(),
  title: z.string(),
  status: z.enum(['running', 'succeeded', 'failed', 'interrupted']),
  createdAt: time,
  finishedAt: time.nullable(),
  steps: z
    .array(
      z.object({ position: z.number().int(), label: z.string(), status: z.string(), command: z.string().nullable() }),
    )
    .optional(),
})
const DhcpEntryOut = z.looseObject({
  family: z.enum(['ipv4', 'ipv6']),
  ip: z.string(),
  mac: z.string().optional(),
  id: z.string().optional().describe('DHCPv6 DUID'),
  name: z.string().optional(),
  key: z.string().describe('what DELETE and the drift actions name the entry by'),
  owner: z.string().nullable().describe('the guest with this MAC, if any'),
})
const DhcpTableOut = z.object({
  mappings: z.array(
    DhcpEntryOut.extend({
      missing: z.array(z.string()).describe('where the host lacks the entry (live, persistent), empty when it has it'),
    }),
  ),
  drift: z.array(DhcpEntryOut).describe('entries on the host Virtnet does not keep'),
})
const LeaseOut = z.looseObject({
  expiryTime: z.string().describe('as virsh prints it, in the host’s time zone'),
  mac: z.string(),
  protocol: z.enum(['ipv4', 'ipv6']),
  ip: z.string(),
  prefix: z.number().int(),
  hostname: z.string().nullable(),
  clientId: z.string().nullable(),
  owner: z.string().nullable(),
  pinned: z.boolean().describe('a static mapping pins the MAC'),
})
const bandwidth = z.looseObject({
  average: z.number().optional(),
  peak: z.number().optional(),
  burst: z.number().optional(),
})
const GuestOut = z.looseObject({
  name: z.string(),
  state: z.string(),
  persistent: z.boolean(),
  interfaces: z.array(
    z.looseObject({
      type: z.string(),
      source: z.string().nullable(),
      mac: z.string().nullable(),
      model: z.string().nullable(),
      tap: z.string().nullable(),
      addresses: z.array(z.string()),
      settings: z
        .looseObject({
          link: z.enum(['up', 'down']),
          model: z.string().nullable(),
          portgroup: z.string().nullable(),
          filter: z
            .object({ name: z.string(), parameters: z.array(z.object({ name: z.string(), value: z.string() })) })
            .nullable(),
          inbound: bandwidth,
          outbound: bandwidth,
        })
        .nullable(),
    }),
  ),
})
const NetworkDetailOut = z.object({
  network: NetworkOut.extend({
    uuid: z.string().nullable(),
    dhcpRange: z.object({ start: z.string(), end: z.string() }).nullable(),
  }),
  xml: z.string().describe('the definition an edit starts from'),
  version: z.string().describe('send it back as `base` with an edit'),
})
const MeOut = z.object({
  username: z.string(),
  role: z.string(),
  token: z.object({ name: z.string(), scope: z.enum(['read', 'write']) }),
})
const MyForwardsOut = z.object({
  limits: z
    .looseObject({ portMin: z.number().int(), portMax: z.number().int(), maxForwards: z.number().int() })
    .nullable(),
  guests: z.array(z.object({ name: z.string(), uuid: z.string(), host: z.string() })),
  forwards: z.array(ForwardOut),
})
const ClaimOut = z.looseObject({
  guest: z.string(),
  how: z.enum(['interface-hostdev', 'hostdev', 'pool']),
  mac: z.string().nullable(),
  pci: z.string().optional(),
  network: z.string().optional(),
})
const SriovOut = z.object({
  pfs: z.array(
    z.looseObject({
      name: z.string(),
      pci: z.string(),
      totalVfs: z.number().int(),
      numVfs: z.number().int(),
      pools: z.array(z.string()),
      vfs: z.array(
        z.looseObject({
          index: z.number().int(),
          pci: z.string(),
          netdev: z.string().nullable(),
          mac: z.string().nullable(),
          vlan: z.number().int().nullable(),
          heldBy: ClaimOut.nullable(),
        }),
      ),
    }),
  ),
  pools: z.array(
    z.looseObject({
      name: z.string(),
      pf: z.string().nullable(),
      active: z.boolean(),
      autostart: z.boolean(),
      connections: z.number().int().nullable(),
      vfAddresses: z.array(z.string()),
      guests: z.array(z.string()),
    }),
  ),
  claims: z.array(ClaimOut),
  guests: z.array(z.string()),
})
const BridgesOut = z.looseObject({
  inventory: z.looseObject({
    bridges: z.array(
      z.looseObject({
        name: z.string(),
        members: z.array(z.string()),
        managedBy: z.string().nullable().describe('the libvirt network that made the bridge'),
        natOnly: z.boolean(),
        networks: z.array(z.string()),
        guests: z.array(z.string()),
        addresses: z.array(z.string()),
      }),
    ),
    nics: z.array(
      z.looseObject({
        name: z.string(),
        physical: z.boolean(),
        wireless: z.boolean(),
        master: z.string().nullable(),
        addresses: z.array(z.string()),
        kind: z.string().nullable(),
      }),
    ),
    links: z.array(z.looseObject({ name: z.string() })),
    guests: z.array(z.string()),
    networks: z.array(NetworkOut),
  }),
  stack: z.enum(['ifupdown', 'networkmanager', 'netplan', 'networkd', 'other']),
})
const AuditPageOut = z.object({
  events: z.array(
    z.looseObject({
      id: z.number().int(),
      at: time,
      actorName: z.string(),
      hostName: z.string().nullable(),
      action: z.string(),
      target: z.string().nullable(),
      params: z.unknown(),
      commands: z.array(z.looseObject({ command: z.string() })),
      result: z.enum(['success', 'failure', 'refused']),
      error: z.string().nullable(),
      hash: z.string(),
    }),
  ),
  total: z.number().int(),
  pages: z.number().int(),
})
const outOf = (schema: z.ZodType) => {
  const json: Record<string, unknown> = { ...z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12' }) }
  delete json.$schema
  return json
}

const problemRef = { $ref: '#/components/schemas/Problem' }
const problems = Object.fromEntries(
  ['400', '401', '403', '404', '409', '422', '429', '500', '502'].map((status) => [
    status,
    { description: 'A problem', content: { 'application/problem+json': { schema: problemRef } } },
  ]),
)
const anyJson = { description: 'OK', content: { 'application/json': { schema: {} } } }
const changeAnswers = {
  '200': {
    description: 'Done, or the plan of a dry run',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangeAnswer' } } },
  },
  '202': {
    description: 'Started as a job: its URL',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangeAnswer' } } },
  },
  ...problems,
}
const dryRun = { name: 'dryRun', in: 'query', required: false, schema: { type: 'string', enum: ['1', 'true'] } }
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } })
const read = (summary: string, params: string[] = [], answer?: z.ZodType) => ({
  summary,
  parameters: params.map(pathParam),
  responses: {
    '200': answer ? { description: 'OK', content: { 'application/json': { schema: outOf(answer) } } } : anyJson,
    ...problems,
  },
})
const change = (summary: string, params: string[], schema?: z.ZodType, pathFields: string[] = []) => ({
  summary,
  parameters: [...params.map(pathParam), dryRun],
  ...(schema
    ? { requestBody: { required: true, content: { 'application/json': { schema: bodyOf(schema, pathFields) } } } }
    : {}),
  responses: changeAnswers,
})

const host = ['host']
const net = ['host', 'network']

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Virtnet API',
      version: '1',
      description:
        'The dashboard’s equal: the same validation, authorization, plans and audit. Authenticate with a personal access token (Authorization: Bearer vn_…). Every change takes ?dryRun=1 and answers its plan; POST takes an Idempotency-Key.',
    },
    servers: [{ url: '/' }],
    security: [{ token: [] }],
    paths: {
      '/api/v1/hosts': {
        get: read('Registered hosts', [], z.array(HostOut)),
        post: change('Add a host (administrators)', [], AddHostSchema),
      },
      '/api/v1/hosts/{host}': {
        delete: change('Remove a host (administrators): confirmName repeats its name', host, RemoveHostSchema, [
          'hostId',
        ]),
      },
      '/api/v1/hosts/{host}/networks': {
        get: read('The host’s virtual networks', host, z.array(NetworkOut)),
        post: change('Create a NAT network', host, CreateNatNetworkSchema, ['hostId']),
      },
      '/api/v1/hosts/{host}/networks/{network}': {
        get: read('A network, its definition and its version', net, NetworkDetailOut),
        put: change('Edit the definition (base: the version it was made on)', net, NetworkEditSchema, [
          'hostId',
          'name',
        ]),
      },
      '/api/v1/hosts/{host}/networks/{network}/{operation}': {
        post: change('start, stop, or autostart ({"enabled": "true"|"false"})', [...net, 'operation']),
      },
      '/api/v1/hosts/{host}/networks/{network}/dhcp': {
        get: read('Static DHCP mappings and the host’s entries Virtnet does not keep', net, DhcpTableOut),
        post: change('Add or change one mapping', net, SaveMappingSchema, ['hostId', 'network']),
        patch: change('Import CSV (the bulk path, a job)', net, ImportSchema, ['hostId', 'network']),
        delete: change('Remove one mapping', net, MappingKeySchema, ['hostId', 'network']),
        put: change(
          'Set the whole table (declarative: what the CSV does not name is removed, from the host too; a job; detail reports added, changed, removed, unchanged)',
          net,
          TableSchema,
          ['hostId', 'network'],
        ),
      },
      '/api/v1/hosts/{host}/networks/{network}/leases': { get: read('DHCP leases', net, z.array(LeaseOut)) },
      '/api/v1/hosts/{host}/guests': { get: read('Guests and their interfaces', host, z.array(GuestOut)) },
      '/api/v1/hosts/{host}/forwards': {
        get: read('The host’s port forwards', host, z.array(ForwardOut)),
        post: change('Add a port forward (guest: its name or "UUID/network")', host, AddForwardSchema, ['hostId']),
      },
      '/api/v1/hosts/{host}/guests/{guest}/forwards': {
        put: change(
          'Set a guest’s whole forward list (declarative; guest: its name or UUID; detail reports added, removed, unchanged)',
          [...host, 'guest'],
          z.object({ forwards: z.array(ForwardItemSchema) }),
        ),
      },
      '/api/v1/hosts/{host}/forwards/{forwardId}': {
        delete: change('Remove a port forward', [...host, 'forwardId']),
      },
      '/api/v1/hosts/{host}/guests/{guest}/interfaces': {
        post: change('Attach an interface (a network or a bridge)', [...host, 'guest'], AttachSchema, [
          'hostId',
          'guest',
        ]),
      },
      '/api/v1/hosts/{host}/guests/{guest}/interfaces/{mac}': {
        patch: {
          ...change(
            'Change the interface’s settings (link state, model, portgroup, filter, bandwidth) or, with {"network"} alone, its network',
            [...host, 'guest', 'mac'],
          ),
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  anyOf: [
                    bodyOf(InterfaceSettingsSchema, ['hostId', 'guest', 'mac']),
                    bodyOf(ChangeNetworkSchema, ['hostId', 'guest', 'mac']),
                  ],
                },
              },
            },
          },
        },
        delete: change('Detach the interface', [...host, 'guest', 'mac']),
      },
      '/api/v1/hosts/{host}/sriov/pools': {
        post: change('Define a hostdev pool over a physical function', host, CreatePoolSchema, ['hostId']),
      },
      '/api/v1/hosts/{host}/sriov/pools/{pool}': { delete: change('Delete a hostdev pool', [...host, 'pool']) },
      '/api/v1/hosts/{host}/sriov/assignments': {
        post: change('Give a guest a VF from a pool or a pinned VF', host, AssignSchema, ['hostId']),
      },
      '/api/v1/hosts/{host}/sriov/assignments/{guest}/{mac}': {
        delete: change('Release the guest’s VF interface', [...host, 'guest', 'mac']),
      },
      '/api/v1/hosts/{host}/sriov': { get: read('SR-IOV functions, pools and assignments', host, SriovOut) },
      '/api/v1/hosts/{host}/bridges': { get: read('Bridges, NICs and their networks', host, BridgesOut) },
      '/api/v1/me': { get: read('Who the token acts as, and the token', [], MeOut) },
      '/api/v1/me/forwards': {
        get: read('A self-service user’s guests, limits and forwards', [], MyForwardsOut),
        post: change('Add a forward to one of your guests', [], SelfServiceAddSchema),
      },
      '/api/v1/me/guests/{guest}/forwards': {
        put: change(
          'Set your whole forward list of one of your guests (declarative, within your limits)',
          ['guest'],
          z.object({ forwards: z.array(SelfServiceForwardItemSchema) }),
        ),
      },
      '/api/v1/me/forwards/{forwardId}': { delete: change('Remove one of your forwards', ['forwardId']) },
      '/api/v1/jobs': { get: read('Recent jobs', [], z.array(JobOut)) },
      '/api/v1/jobs/{jobId}': { get: read('A job and its steps', ['jobId'], JobOut) },
      '/api/v1/jobs/{jobId}/events': {
        get: {
          summary: 'The job’s progress as Server-Sent Events (job …, then end)',
          parameters: [pathParam('jobId')],
          responses: { '200': { description: 'An event stream', content: { 'text/event-stream': {} } }, ...problems },
        },
      },
      '/api/v1/audit': {
        get: read('One page of the audit log (actor, host, action, result, from, to, page)', [], AuditPageOut),
      },
      '/api/v1/audit/export': { get: read('The audit log as CSV or JSON (format=json)') },
    },
    components: {
      securitySchemes: { token: { type: 'http', scheme: 'bearer', description: 'A personal access token, vn_…' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
            lines: {
              type: 'object',
              description: 'where in a multi-line field (submitted XML) each problem is: 1-based line, column',
              additionalProperties: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['line', 'message'],
                  properties: { line: { type: 'integer' }, column: { type: 'integer' }, message: { type: 'string' } },
                },
              },
            },
          },
        },
        ChangeAnswer: {
          type: 'object',
          required: ['message'],
          properties: {
            message: { type: ['string', 'null'] },
            preview: { type: 'boolean' },
            plan: {
              type: 'array',
              items: {
                type: 'object',
                required: ['label', 'command', 'undo'],
                properties: {
                  label: { type: 'string' },
                  command: { type: 'string' },
                  undo: { type: ['string', 'null'] },
                  input: { type: 'string' },
                },
              },
            },
            jobId: { type: 'string' },
            jobUrl: { type: 'string' },
            forward: outOf(ForwardOut),
            detail: {
              description:
                'What a preview shows besides its steps; for a declarative PUT, what it adds, changes, removes and leaves',
              type: ['object', 'null'],
              required: ['kind'],
              properties: { kind: { type: 'string' } },
            },
          },
        },
      },
    },
  }
}
