import 'server-only'
import { z } from 'zod'
import { AddForwardSchema, SelfServiceAddSchema } from '@/lib/forwards/schemas'
import { CreateNatNetworkSchema } from '@/lib/networks/schemas'
import { ImportSchema, MappingKeySchema, SaveMappingSchema } from '@/lib/dhcp/schemas'
import { NetworkEditSchema } from '@/lib/network-edit/schemas'
import { AddHostSchema, RemoveHostSchema } from '@/lib/hosts/schemas'

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
        get: read('A network, its definition and its version', net),
        put: change('Edit the definition (base: the version it was made on)', net, NetworkEditSchema, [
          'hostId',
          'name',
        ]),
      },
      '/api/v1/hosts/{host}/networks/{network}/{operation}': {
        post: change('start, stop, or autostart ({"enabled": "true"|"false"})', [...net, 'operation']),
      },
      '/api/v1/hosts/{host}/networks/{network}/dhcp': {
        get: read('Static DHCP mappings and the host’s entries Virtnet does not keep', net),
        post: change('Add or change one mapping', net, SaveMappingSchema, ['hostId', 'network']),
        patch: change('Import CSV (the bulk path, a job)', net, ImportSchema, ['hostId', 'network']),
        delete: change('Remove one mapping', net, MappingKeySchema, ['hostId', 'network']),
      },
      '/api/v1/hosts/{host}/networks/{network}/leases': { get: read('DHCP leases', net) },
      '/api/v1/hosts/{host}/guests': { get: read('Guests and their interfaces', host) },
      '/api/v1/hosts/{host}/forwards': {
        get: read('The host’s port forwards', host, z.array(ForwardOut)),
        post: change('Add a port forward (guest: its name or "UUID/network")', host, AddForwardSchema, ['hostId']),
      },
      '/api/v1/hosts/{host}/forwards/{forwardId}': {
        delete: change('Remove a port forward', [...host, 'forwardId']),
      },
      '/api/v1/hosts/{host}/sriov': { get: read('SR-IOV functions, pools and assignments', host) },
      '/api/v1/hosts/{host}/bridges': { get: read('Bridges, NICs and their networks', host) },
      '/api/v1/me': { get: read('Who the token acts as, and the token') },
      '/api/v1/me/forwards': {
        get: read('A self-service user’s guests, limits and forwards'),
        post: change('Add a forward to one of your guests', [], SelfServiceAddSchema),
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
      '/api/v1/audit': { get: read('One page of the audit log (actor, host, action, result, from, to, page)') },
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
          },
        },
      },
    },
  }
}
