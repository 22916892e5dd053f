import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

/*
 * The rule "authorization is checked inside every server action and data function, never only in middleware",
 * checked on the source: every exported async function of an actions file must go through runAction or authorize,
 * and every async function a page, layout or route imports from lib/ must authorize itself. The login action is the
 * one place that runs before anyone is signed in; the health and readiness probes are the routes a load balancer asks
 * signed out, and they answer "ok", "ready" or "not ready" and nothing else.
 */

const root = path.resolve(import.meta.dirname, '../..')
const signedOut = new Set(['app/login/actions.ts'])
// The two legs of single sign-on run before anyone is signed in; they sign a user in (lib/users/sso.ts).
const signedOutRoutes = new Set([
  'app/api/health/route.ts',
  'app/api/ready/route.ts',
  'app/api/auth/oidc/start/route.ts',
  'app/api/auth/oidc/callback/route.ts',
])
// The forced second-factor set-up serves only a session whose role requires a factor it lacks, which authorize()
// refuses: its one reader (requiredEnrolmentView) checks that stage itself, checked below.
const halfSignedInPages = new Set(['app/login/enrol/page.tsx'])
// Prometheus has no session: /metrics authorizes the scrape by its bearer token (authorizeScrape), checked below.
const tokenRoutes = new Set(['app/metrics/route.ts'])

function filesUnder(dir: string, match: (name: string) => boolean): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name)
    if (entry.isDirectory()) return filesUnder(relative, match)
    return match(entry.name) ? [relative] : []
  })
}

/** Each exported async function (or generator) with its body: up to the first closing brace at column 0. */
function exportedAsyncFunctions(source: string): Map<string, string> {
  const found = new Map<string, string>()
  for (const match of source.matchAll(/^export async function\*? (\w+)/gm)) {
    const end = source.indexOf('\n}', match.index)
    found.set(match[1]!, source.slice(match.index, end < 0 ? source.length : end))
  }
  return found
}

function libImports(source: string): Array<{ names: string[]; module: string }> {
  return [...source.matchAll(/import \{([^}]+)\} from '@\/(lib\/[\w/-]+)'/g)].map((match) => ({
    names: match[1]!
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name && !name.startsWith('type ')),
    module: `${match[2]}.ts`,
  }))
}

describe('authorization inside every action and data function', () => {
  const actionFiles = filesUnder('app', (name) => name === 'actions.ts').filter((file) => !signedOut.has(file))

  it('finds the action files', () => {
    expect(actionFiles.length).toBeGreaterThan(8)
  })

  it.each(actionFiles)('%s: every exported action authorizes (runAction or authorize)', (file) => {
    const functions = exportedAsyncFunctions(fs.readFileSync(path.join(root, file), 'utf8'))
    expect(functions.size).toBeGreaterThan(0)
    const unguarded = [...functions].filter(([, body]) => !/\b(runAction|authorize)\(/.test(body)).map(([name]) => name)
    expect(unguarded).toEqual([])
  })

  // readHostTab is the host tabs' shared preamble; it authorizes itself (checked here), so its callers do too. The API
  // posts its changes to the server actions (lib/api/submit.ts: submitAction), each of which authorizes (checked above).
  const authorizes = /\b(authorize|authorizePage|readHostTab|submitAction)\(/

  it('the API posts its changes to a server action', () => {
    expect(
      exportedAsyncFunctions(fs.readFileSync(path.join(root, 'lib/api/submit.ts'), 'utf8')).get('submitAction'),
    ).toMatch(/return action\(initialFormState, formDataOf\(fields, dryRun\)\)/)
  })

  it('readHostTab authorizes', () => {
    expect(
      exportedAsyncFunctions(fs.readFileSync(path.join(root, 'lib/hosts/host-tab.ts'), 'utf8')).get('readHostTab'),
    ).toMatch(/\bauthorize\('viewHosts'\)/)
  })

  const readers = filesUnder('app', (name) => /^(page|layout|route|host-page)\.tsx?$/.test(name)).filter(
    (file) => !signedOutRoutes.has(file) && !tokenRoutes.has(file) && !halfSignedInPages.has(file),
  )

  it('the forced set-up page reads only for a session in that stage', () => {
    const body = exportedAsyncFunctions(fs.readFileSync(path.join(root, 'lib/users/second-factor.ts'), 'utf8')).get(
      'requiredEnrolmentView',
    )
    expect(body).toMatch(/if \(state\.stage !== 'enrol'\) return null/)
  })

  it.each([...tokenRoutes])('%s: checks the scrape token before it reads anything', (file) => {
    const body = exportedAsyncFunctions(fs.readFileSync(path.join(root, file), 'utf8')).get('GET') ?? ''
    const check = body.indexOf('authorizeScrape(request)')
    expect(check).toBeGreaterThan(0)
    expect(body.indexOf('await', 0)).toBeGreaterThan(check)
  })

  it.each(readers)('%s: every async lib function it calls authorizes itself', (file) => {
    const unguarded: string[] = []
    for (const { names, module } of libImports(fs.readFileSync(path.join(root, file), 'utf8'))) {
      const modulePath = path.join(root, module)
      if (!fs.existsSync(modulePath)) continue
      const functions = exportedAsyncFunctions(fs.readFileSync(modulePath, 'utf8'))
      for (const name of names) {
        const body = functions.get(name)
        if (body !== undefined && !authorizes.test(body)) unguarded.push(`${name} (${module})`)
      }
    }
    expect(unguarded).toEqual([])
  })
})
