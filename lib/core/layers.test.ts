import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/*
 * Imports only go down. Each folder of lib/ may import the folders listed before it and no folder after it, so the
 * ground floor never depends on what is built on top of it and no two folders form a cycle. app/ sits above all of
 * lib/; lib/test (the test support: lab access, fixtures, testbeds) sits above every other lib/ folder and only test
 * files import it. docs/architecture.md describes these layers; this list is the rule.
 */
export const layers = [
  // ground floor: errors and shared types, configuration, pure value handling
  'core',
  'config',
  'addresses',
  'xml',
  'libvirt-xml',
  'host-output',
  // infrastructure: the database, the host session, libvirt access
  'db',
  // metrics and structured logs: below the host session, whose one choke point counts and logs every command
  'telemetry',
  'ssh',
  'libvirt',
  // machinery every capability uses
  'plan',
  'auth',
  'audit',
  'jobs',
  // capabilities, each above the ones it builds on
  'hosts',
  'networks',
  'guests',
  'dhcp',
  'forwards',
  'network-edit',
  'nwfilters',
  'sriov',
  'bridges',
  'users',
  // the fleet inventory: reads every capability's view of a host into one snapshot
  'inventory',
  // the doors: the one action path, process start-up
  'actions',
  'api',
  'boot',
  // test support
  'test',
] as const

const root = path.resolve(import.meta.dirname, '../..')

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'fixtures' ? [] : sourceFiles(relative)
    return /\.(ts|tsx|mts)$/.test(entry.name) ? [relative] : []
  })
}

/** The lib/ folder each import of a file names: '@/lib/x/…' and relative paths that leave the folder. */
export function importedLibFolders(file: string, source: string): string[] {
  const specifiers = [
    ...source.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm,
    ),
  ].map((match) => match[1] ?? match[2] ?? match[3]!)
  return specifiers.flatMap((specifier) => {
    let target: string | null = null
    if (specifier.startsWith('@/')) target = specifier.slice(2)
    else if (specifier.startsWith('.')) target = path.join(path.dirname(file), specifier)
    const match = target?.match(/^lib\/([^/]+)/)
    return match ? [match[1]!] : []
  })
}

/** Tests (unit, integration, conformance), and the benches that measure against the lab, may use the test support. */
const mayUseTestSupport = (file: string) =>
  /\.(test|itest|conformance)\.tsx?$/.test(file) || file.startsWith('e2e/') || file.startsWith('scripts/bench/')

/** Every import in `files` that goes up (or sideways out of the order): "file → lib/folder". */
export function upwardImports(files: Array<{ file: string; source: string }>): string[] {
  const rank = new Map<string, number>(layers.map((name, index) => [name, index]))
  const found: string[] = []
  for (const { file, source } of files) {
    const own = file.match(/^lib\/([^/]+)\//)?.[1]
    const ownRank = own === undefined ? layers.length : rank.get(own)
    for (const folder of importedLibFolders(file, source)) {
      if (folder === own) continue
      const targetRank = rank.get(folder)
      if (targetRank === undefined) found.push(`${file} → lib/${folder} (a folder the layer list does not name)`)
      else if (folder === 'test' && !mayUseTestSupport(file) && own !== 'test')
        found.push(`${file} → lib/test (only tests use the test support)`)
      else if (folder !== 'test' && ownRank !== undefined && targetRank >= ownRank)
        found.push(`${file} → lib/${folder}`)
    }
  }
  return found
}

describe('imports only go down the layers', () => {
  const self = path.relative(root, import.meta.filename)
  const files = [...sourceFiles('lib'), ...sourceFiles('app'), ...sourceFiles('scripts'), ...sourceFiles('e2e')]
    .filter((file) => file !== self)
    .map((file) => ({
      file,
      source: fs.readFileSync(path.join(root, file), 'utf8'),
    }))

  it('names every folder of lib/ in the layer list', () => {
    const folders = fs
      .readdirSync(path.join(root, 'lib'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
    expect(folders.filter((folder) => !(layers as readonly string[]).includes(folder))).toEqual([])
  })

  it('finds the imports it checks', () => {
    expect(files.length).toBeGreaterThan(200)
    expect(files.flatMap(({ file, source }) => importedLibFolders(file, source)).length).toBeGreaterThan(500)
  })

  it('has no import of a layer above (or beside) its own', () => {
    expect(upwardImports(files)).toEqual([])
  })

  it('catches an upward import, a relative one, and test support used outside tests', () => {
    expect(
      upwardImports([
        { file: 'lib/plan/execute.ts', source: "import type { JobReporter } from '@/lib/jobs/jobs'\n" },
        { file: 'lib/core/errors.ts', source: "export { x } from '../ssh/errors'\n" },
        { file: 'lib/dhcp/plans.ts', source: "import { inHostB } from '@/lib/test/lab'\n" },
        { file: 'lib/dhcp/dhcp.itest.ts', source: "import { inHostB } from '@/lib/test/lab'\n" },
        { file: 'lib/ssh/run.ts', source: "const lazy = await import('@/lib/audit/record')\n" },
        { file: 'lib/forwards/rules.ts', source: "import { addresses } from '@/lib/addresses/ip-address'\n" },
      ]),
    ).toEqual([
      'lib/plan/execute.ts → lib/jobs',
      'lib/core/errors.ts → lib/ssh',
      'lib/dhcp/plans.ts → lib/test (only tests use the test support)',
      'lib/ssh/run.ts → lib/audit',
    ])
  })
})
