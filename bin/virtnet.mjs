#!/usr/bin/env node
// virtnet: the command line of Virtnet's API (/api/v1). Plain Node ESM, no build step. Exit codes, for scripts:
//   0 done · 1 refused or failed (the problem is printed) · 2 usage error · 3 not logged in or the token is refused
//   · 4 the dashboard cannot be reached · 5 a job it waited for failed
import { Command, Option } from 'commander'
import cliProgress from 'cli-progress'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const exitCodes = { ok: 0, refused: 1, usage: 2, auth: 3, unreachable: 4, jobFailed: 5 }

class CliError extends Error {
  constructor(message, code) {
    super(message)
    this.code = code
  }
}

// ---- configuration: $VIRTNET_CONFIG_DIR, else $XDG_CONFIG_HOME/virtnet, else ~/.config/virtnet ----

export function configPath() {
  const dir =
    process.env.VIRTNET_CONFIG_DIR ??
    path.join(process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'virtnet')
  return path.join(dir, 'config.json')
}

function readConfig() {
  const url = process.env.VIRTNET_URL
  const token = process.env.VIRTNET_TOKEN
  if (url && token) return { url, token }
  try {
    return JSON.parse(fs.readFileSync(configPath(), 'utf8'))
  } catch {
    throw new CliError(
      'Not logged in: run `virtnet login --url URL` first (or set VIRTNET_URL and VIRTNET_TOKEN).',
      exitCodes.auth,
    )
  }
}

function writeConfig(config) {
  const file = configPath()
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  // Written to a new file with mode 0600 and renamed over the old one: the token is never readable by others.
  const temporary = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  fs.chmodSync(temporary, 0o600)
  fs.renameSync(temporary, file)
}

// ---- HTTP ----

async function api(method, url, { body, dryRun, idempotencyKey, config = readConfig() } = {}) {
  const target = new URL(url, config.url)
  if (dryRun) target.searchParams.set('dryRun', '1')
  const headers = { authorization: `Bearer ${config.token}`, accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey
  let response
  try {
    response = await fetch(target, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    throw new CliError(`Cannot reach ${config.url}: ${error.cause?.message ?? error.message}`, exitCodes.unreachable)
  }
  const text = await response.text()
  const data = text ? safeJson(text) : null
  if (!response.ok) {
    const detail = data?.detail ?? text
    const fields = Object.entries(data?.errors ?? {}).map(([field, messages]) => `  ${field}: ${messages.join(' ')}`)
    throw new CliError([detail, ...fields].join('\n'), response.status === 401 ? exitCodes.auth : exitCodes.refused)
  }
  return { status: response.status, data }
}

function safeJson(text) {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

// ---- output ----

/** Rows as an aligned table: one header line, columns padded to their widest cell. */
export function table(rows, columns) {
  const cells = rows.map((row) => columns.map(([, pick]) => String(pick(row) ?? '')))
  const heads = columns.map(([head]) => head)
  const widths = heads.map((head, i) => Math.max(head.length, ...cells.map((row) => row[i].length)))
  const line = (row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(heads), ...cells.map(line)].join('\n')
}

function print(options, data, human) {
  if (options.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
  else process.stdout.write(`${human(data)}\n`)
}

function planText(answer) {
  const steps = answer.plan ?? []
  return [
    answer.message,
    ...steps.flatMap((step, i) => [
      `${i + 1}. ${step.label}`,
      `   $ ${step.command}`,
      ...(step.input ? [`   stdin: ${step.input.split('\n').length} line(s)`] : []),
      ...(step.undo ? [`   undo: ${step.undo}`] : []),
    ]),
  ].join('\n')
}

/**
 * A change's answer: its plan for --dry-run, the job followed to its end when it started one, else the message. A
 * declarative change's `report` says in words what it changes (added, changed, removed), before the plan or the job.
 */
async function changed(options, answer, report) {
  const said = report && answer.detail && !options.json ? report(answer.detail) : ''
  if (said) process.stdout.write(`${said}\n`)
  if (answer.preview) return print(options, answer, planText)
  if (answer.jobId && options.wait !== false) return watchJob(answer.jobId, options)
  print(options, answer, (a) => a.message)
}

const forwardText = (f) =>
  `${f.protocol} ${range(f.hostPortStart, f.hostPortEnd)} → ${f.network}:${range(f.guestPortStart, f.guestPortEnd)}`

/** A guest's forward list set: one line per forward added or removed, and how many stay. */
function forwardsReport(detail) {
  return [
    ...detail.added.map((f) => `+ ${forwardText(f)}`),
    ...detail.removed.map((f) => `- ${forwardText(f)}`),
    `${detail.added.length} added, ${detail.removed.length} removed, ${detail.unchanged.length} unchanged`,
  ].join('\n')
}

/** A DHCP table set: the first entries added, changed and removed, and the counts. */
function dhcpReport(detail) {
  const who = (e) => `${e.mac ?? e.id ?? e.name} ${e.ip}${e.name ? ` ${e.name}` : ''}`
  return [
    ...detail.add.map((e) => `+ ${who(e)}`),
    ...detail.change.map((c) => `~ ${who(c.from)} → ${c.to.ip}${c.to.name ? ` ${c.to.name}` : ''}`),
    ...[...detail.remove, ...detail.removeUnmanaged].map((e) => `- ${who(e)}`),
    `${detail.added} added, ${detail.changed} changed, ${detail.removed + detail.removedUnmanaged} removed (${detail.removedUnmanaged} not kept by Virtnet), ${detail.unchanged} unchanged`,
  ].join('\n')
}

function readJsonFile(file) {
  const text = fs.readFileSync(file === '-' ? 0 : file, 'utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CliError(`${file === '-' ? 'Standard input' : file} is not JSON: ${error.message}`, exitCodes.usage)
  }
}

const range = (start, end) => (start === end ? String(start) : `${start}-${end}`)

// ---- jobs ----

/** Follows a job's Server-Sent Events to its end, with a progress bar of its steps (not with --json). */
async function watchJob(jobId, options) {
  const config = readConfig()
  const url = new URL(`/api/v1/jobs/${encodeURIComponent(jobId)}/events`, config.url)
  let response
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${config.token}`, accept: 'text/event-stream' } })
  } catch (error) {
    throw new CliError(`Cannot reach ${config.url}: ${error.cause?.message ?? error.message}`, exitCodes.unreachable)
  }
  if (!response.ok) {
    const data = safeJson(await response.text())
    throw new CliError(
      data?.detail ?? `HTTP ${response.status}`,
      response.status === 401 ? exitCodes.auth : exitCodes.refused,
    )
  }
  const bar =
    options.json || !process.stderr.isTTY
      ? null
      : new cliProgress.SingleBar(
          { format: '{bar} {value}/{total} steps  {step}', stream: process.stderr },
          cliProgress.Presets.shades_classic,
        )
  let job = null
  let buffer = ''
  const decoder = new TextDecoder()
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const message = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = /^event: (.*)$/m.exec(message)?.[1]
      const data = /^data: (.*)$/m.exec(message)?.[1]
      if (event !== 'job' || !data) continue
      job = JSON.parse(data)
      const done = job.steps.filter((s) => !['pending', 'running'].includes(s.status)).length
      const current = job.steps.find((s) => s.status === 'running')?.label ?? ''
      if (bar) {
        if (!bar.isActive) bar.start(job.steps.length, done, { step: current })
        bar.setTotal(job.steps.length)
        bar.update(done, { step: current })
      } else if (!options.json) process.stderr.write(`${done}/${job.steps.length} ${current}\n`)
    }
  }
  bar?.stop()
  if (!job) throw new CliError(`There is no job ${jobId}.`, exitCodes.refused)
  print(options, job, (j) => `${j.title}: ${j.status}${j.error ? ` (${j.error})` : ''}`)
  if (job.status !== 'succeeded') throw new CliError(`The job ${job.status}.`, exitCodes.jobFailed)
}

// ---- the commands ----

export function program() {
  const cli = new Command('virtnet')
    .description(
      "Virtnet's API from the command line. Exit codes: 0 done, 1 refused or failed, 2 usage, 3 not logged in or token refused, 4 unreachable, 5 job failed.",
    )
    .option('--json', 'print JSON for machines instead of tables')
    .exitOverride()
  const global = () => cli.opts()
  const host = () => new Option('--host <host>', 'host name or id').makeOptionMandatory()
  const dryRun = () => new Option('--dry-run', 'print the plan; change nothing')

  cli
    .command('login')
    .description('store the dashboard URL and a personal access token (Account page) in your config directory')
    .requiredOption('--url <url>', 'the dashboard, e.g. https://virtnet.example')
    .option('--token <token>', 'the token (default: read from standard input)')
    .action(async (options) => {
      const token = (options.token ?? fs.readFileSync(0, 'utf8')).trim()
      if (!token.startsWith('vn_')) throw new CliError('A token starts with vn_.', exitCodes.usage)
      const config = { url: options.url.replace(/\/+$/, ''), token }
      const { data: me } = await api('GET', '/api/v1/me', { config })
      writeConfig(config)
      print(
        global(),
        { url: config.url, config: configPath(), ...me },
        (c) => `Logged in to ${c.url} as ${c.username} (${c.token.scope} token); saved in ${c.config}.`,
      )
    })

  const networks = cli.command('networks').description('virtual networks')
  networks
    .command('ls')
    .addOption(host())
    .action(async (options) => {
      const { data } = await api('GET', `/api/v1/hosts/${encodeURIComponent(options.host)}/networks`)
      print(global(), data, (rows) =>
        table(rows, [
          ['NAME', (n) => n.name],
          ['ACTIVE', (n) => (n.active ? 'yes' : 'no')],
          ['AUTOSTART', (n) => (n.autostart ? 'yes' : 'no')],
          ['BRIDGE', (n) => n.bridge],
          ['FORWARD', (n) => n.forwardMode],
          ['IPV4', (n) => n.ipv4?.subnet ?? ''],
        ]),
      )
    })
  for (const operation of ['start', 'stop']) {
    networks
      .command(operation)
      .argument('<network>')
      .addOption(host())
      .addOption(dryRun())
      .action(async (network, options) => {
        const url = `/api/v1/hosts/${encodeURIComponent(options.host)}/networks/${encodeURIComponent(network)}/${operation}`
        const { data } = await api('POST', url, { body: {}, dryRun: options.dryRun })
        await changed({ ...global(), ...options }, data)
      })
  }

  const forwards = cli.command('forwards').description('port forwards')
  const forwardsUrl = (options) =>
    options.host ? `/api/v1/hosts/${encodeURIComponent(options.host)}/forwards` : '/api/v1/me/forwards'
  forwards
    .command('ls')
    .option('--host <host>', 'host name or id (default: your own forwards, for self-service users)')
    .action(async (options) => {
      const { data } = await api('GET', forwardsUrl(options))
      const rows = Array.isArray(data) ? data : data.forwards
      print(global(), rows, (list) =>
        table(list, [
          ['ID', (f) => f.id],
          ['PROTO', (f) => f.protocol],
          ['FAMILY', (f) => f.family ?? 'ipv4'],
          ['HOST PORT', (f) => range(f.hostPortStart, f.hostPortEnd)],
          ['GUEST', (f) => f.guestName],
          ['GUEST PORT', (f) => `${f.guestIp}:${range(f.guestPortStart, f.guestPortEnd)}`],
          ['DESCRIPTION', (f) => f.description],
        ]),
      )
    })
  forwards
    .command('add')
    .description('e.g. virtnet forwards add --host kvm-01 --guest web1 tcp 8080:80')
    .argument('<protocol>', 'tcp or udp')
    .argument('<ports>', 'HOSTPORT:GUESTPORT, each a port or a range (8000-8010:8000-8010)')
    .option('--host <host>', 'host name or id (leave out as a self-service user)')
    .requiredOption('--guest <guest>', 'guest name (or name/network)')
    .option('--source <cidrs>', 'allowed source networks, comma-separated')
    .option('--ipv6', "forward to the guest's IPv6 (DHCPv6) address, on the host's IPv6 addresses")
    .option('--description <text>', 'a note', '')
    .option('--idempotency-key <key>', 'a retry with the same key adds nothing twice')
    .addOption(dryRun())
    .action(async (protocol, ports, options) => {
      const [hostPort, guestPort] = ports.split(':')
      if (!hostPort || !guestPort)
        throw new CliError('Give the ports as HOSTPORT:GUESTPORT, e.g. 8080:80.', exitCodes.usage)
      const body = {
        guest: options.guest,
        family: options.ipv6 ? 'ipv6' : 'ipv4',
        protocol,
        hostPort,
        guestPort,
        sourceCidrs: options.source ?? '',
        description: options.description,
      }
      const { data } = await api('POST', forwardsUrl(options), {
        body,
        dryRun: options.dryRun,
        idempotencyKey: options.idempotencyKey,
      })
      await changed({ ...global(), ...options }, data)
    })
  forwards
    .command('apply')
    .description(
      "makes a guest's forwards exactly the JSON file's list (declarative: removes what it does not have), e.g. virtnet forwards apply --host kvm-01 --guest web1 forwards.json",
    )
    .argument('<file>', 'a JSON list [{"protocol": "tcp", "hostPort": 8080, "guestPort": 80, …}], - for standard input')
    .option('--host <host>', 'host name or id (leave out as a self-service user)')
    .requiredOption('--guest <guest>', 'guest name or UUID')
    .addOption(dryRun())
    .action(async (file, options) => {
      const list = readJsonFile(file)
      const forwards = Array.isArray(list) ? list : list?.forwards
      if (!Array.isArray(forwards))
        throw new CliError('The file must hold a JSON list of forwards (or {"forwards": [...]}).', exitCodes.usage)
      const guest = encodeURIComponent(options.guest)
      const url = options.host
        ? `/api/v1/hosts/${encodeURIComponent(options.host)}/guests/${guest}/forwards`
        : `/api/v1/me/guests/${guest}/forwards`
      const { data } = await api('PUT', url, { body: { forwards }, dryRun: options.dryRun })
      await changed({ ...global(), ...options }, data, forwardsReport)
    })
  forwards
    .command('rm')
    .argument('<id>', 'the forward (virtnet forwards ls shows it)')
    .option('--host <host>', 'host name or id (leave out as a self-service user)')
    .addOption(dryRun())
    .action(async (id, options) => {
      const { data } = await api('DELETE', `${forwardsUrl(options)}/${encodeURIComponent(id)}`, {
        dryRun: options.dryRun,
      })
      await changed({ ...global(), ...options }, data)
    })

  const dhcp = cli.command('dhcp').description('static DHCP mappings')
  dhcp
    .command('ls')
    .addOption(host())
    .requiredOption('--network <network>')
    .action(async (options) => {
      const { data } = await api(
        'GET',
        `/api/v1/hosts/${encodeURIComponent(options.host)}/networks/${encodeURIComponent(options.network)}/dhcp`,
      )
      print(global(), data.mappings, (rows) =>
        table(rows, [
          ['MAC/ID', (m) => m.mac ?? m.id],
          ['IP', (m) => m.ip],
          ['NAME', (m) => m.name],
          ['ON HOST', (m) => (m.missing?.length ? `missing: ${m.missing.join(', ')}` : 'yes')],
        ]),
      )
    })
  dhcp
    .command('import')
    .description('adds and changes mappings from a CSV file (mac,ip,name …) in one job, with a progress bar')
    .argument('<file>', 'the CSV file, - for standard input')
    .addOption(host())
    .requiredOption('--network <network>')
    .addOption(dryRun())
    .option('--no-wait', 'print the job and do not follow it')
    .action(async (file, options) => {
      const csv = fs.readFileSync(file === '-' ? 0 : file, 'utf8')
      const url = `/api/v1/hosts/${encodeURIComponent(options.host)}/networks/${encodeURIComponent(options.network)}/dhcp`
      const { data } = await api('PATCH', url, { body: { csv }, dryRun: options.dryRun })
      await changed({ ...global(), ...options }, data)
    })

  dhcp
    .command('apply')
    .description(
      "makes the network's static table exactly the CSV file (declarative: removes what the file does not name, on the host too), in one job",
    )
    .argument('<file>', 'the CSV file (mac,ip,name …), - for standard input')
    .addOption(host())
    .requiredOption('--network <network>')
    .addOption(dryRun())
    .option('--no-wait', 'print the job and do not follow it')
    .action(async (file, options) => {
      const csv = fs.readFileSync(file === '-' ? 0 : file, 'utf8')
      const url = `/api/v1/hosts/${encodeURIComponent(options.host)}/networks/${encodeURIComponent(options.network)}/dhcp`
      const { data } = await api('PUT', url, { body: { csv }, dryRun: options.dryRun })
      await changed({ ...global(), ...options }, data, dhcpReport)
    })

  const hostUrl = (options, rest) => `/api/v1/hosts/${encodeURIComponent(options.host)}/${rest}`
  /** Posts a change and prints its answer (its plan with --dry-run). */
  const send = async (method, url, body, options) => {
    const { data } = await api(method, url, { body, dryRun: options.dryRun })
    await changed({ ...global(), ...options }, data)
  }

  const nic = cli.command('guests').description("guests' interfaces").command('nic').description('a guest interface')
  nic
    .command('attach')
    .argument('<guest>')
    .addOption(host())
    .option('--network <network>', 'attach to this virtual network')
    .option('--bridge <bridge>', 'attach to this host bridge')
    .option('--model <model>', 'virtio, e1000 or rtl8139')
    .option('--mac <mac>', 'a MAC address (default: one libvirt picks)')
    .addOption(dryRun())
    .action(async (guest, options) => {
      if (Boolean(options.network) === Boolean(options.bridge))
        throw new CliError('Give either --network or --bridge.', exitCodes.usage)
      const body = {
        type: options.network ? 'network' : 'bridge',
        source: options.network ?? options.bridge,
        ...(options.model && { model: options.model }),
        ...(options.mac && { mac: options.mac }),
      }
      await send('POST', hostUrl(options, `guests/${encodeURIComponent(guest)}/interfaces`), body, options)
    })
  nic
    .command('set')
    .description(
      'changes only the settings given: e.g. virtnet guests nic set web1 52:54:00:… --host kvm-01 --link down',
    )
    .argument('<guest>')
    .argument('<mac>')
    .addOption(host())
    .addOption(new Option('--link <state>', 'the link state').choices(['up', 'down']))
    .option('--model <model>', 'the device model')
    .option('--portgroup <name>', 'the network portgroup ("" for none)')
    .option('--network <network>', 'move it to another network (alone: no other setting with it)')
    .addOption(dryRun())
    .action(async (guest, mac, options) => {
      const settings = Object.fromEntries(
        ['link', 'model', 'portgroup'].filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
      )
      if (options.network && Object.keys(settings).length)
        throw new CliError('--network moves the interface; change its settings in another call.', exitCodes.usage)
      const body = options.network ? { network: options.network } : settings
      if (!Object.keys(body).length)
        throw new CliError('Give a setting to change (--link, --model, …).', exitCodes.usage)
      const url = hostUrl(options, `guests/${encodeURIComponent(guest)}/interfaces/${encodeURIComponent(mac)}`)
      await send('PATCH', url, body, options)
    })
  nic
    .command('detach')
    .argument('<guest>')
    .argument('<mac>')
    .addOption(host())
    .addOption(dryRun())
    .action(async (guest, mac, options) => {
      const url = hostUrl(options, `guests/${encodeURIComponent(guest)}/interfaces/${encodeURIComponent(mac)}`)
      await send('DELETE', url, undefined, options)
    })

  const sriov = cli.command('sriov').description('SR-IOV hostdev pools and VF assignments')
  const pool = sriov.command('pool').description('hostdev pools')
  pool
    .command('create')
    .argument('<name>')
    .addOption(host())
    .requiredOption('--pf <interface>', 'the physical function')
    .option('--autostart', 'start the pool with libvirtd')
    .addOption(dryRun())
    .action(async (name, options) => {
      await send(
        'POST',
        hostUrl(options, 'sriov/pools'),
        { name, pf: options.pf, autostart: Boolean(options.autostart) },
        options,
      )
    })
  pool
    .command('rm')
    .argument('<name>')
    .addOption(host())
    .addOption(dryRun())
    .action(async (name, options) => {
      await send('DELETE', hostUrl(options, `sriov/pools/${encodeURIComponent(name)}`), undefined, options)
    })
  sriov
    .command('assign')
    .argument('<guest>')
    .addOption(host())
    .requiredOption('--target <target>', 'pool:NAME or vf:PCI-ADDRESS')
    .option('--mac <mac>')
    .option('--vlan <id>')
    .addOption(dryRun())
    .action(async (guest, options) => {
      const body = { guest, target: options.target, mac: options.mac, vlan: options.vlan }
      await send('POST', hostUrl(options, 'sriov/assignments'), body, options)
    })
  sriov
    .command('release')
    .argument('<guest>')
    .argument('<mac>')
    .addOption(host())
    .addOption(dryRun())
    .action(async (guest, mac, options) => {
      const url = hostUrl(options, `sriov/assignments/${encodeURIComponent(guest)}/${encodeURIComponent(mac)}`)
      await send('DELETE', url, undefined, options)
    })

  const jobs = cli.command('jobs').description('background jobs')
  jobs
    .command('watch')
    .argument('<id>')
    .action(async (id) => watchJob(id, global()))
  jobs.command('ls').action(async () => {
    const { data } = await api('GET', '/api/v1/jobs')
    print(global(), data, (rows) =>
      table(rows, [
        ['ID', (j) => j.id],
        ['STATUS', (j) => j.status],
        ['HOST', (j) => j.host?.name],
        ['TITLE', (j) => j.title],
      ]),
    )
  })
  return cli
}

export async function main(argv = process.argv) {
  try {
    await program().parseAsync(argv)
    return exitCodes.ok
  } catch (error) {
    if (error?.code === 'commander.helpDisplayed' || error?.code === 'commander.version') return exitCodes.ok
    if (typeof error?.code === 'string' && error.code.startsWith('commander.')) return exitCodes.usage
    process.stderr.write(`virtnet: ${error.message}\n`)
    return typeof error.code === 'number' ? error.code : exitCodes.refused
  }
}

if (import.meta.url === `file://${fs.realpathSync(process.argv[1] ?? '')}`) process.exitCode = await main()
