// `npm run bench [-- name…]`: speed figures against the lab, each printed as `name: value unit`; ratios compare two ways of
// doing the same thing measured in this same run. Uses its own database under data/bench/.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { closeAllSessions } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { benchSsh } from './ssh'
import { benchNetworksPage } from './networks-page'
import { benchDhcp } from './dhcp'
import { benchNetedit } from './netedit'
import { benchForwards } from './forwards'
import { benchGuests } from './guests'
import { benchAuditPage } from './audit'
import { benchLogin } from './login'

import { benchHealth } from './health'
import { benchFleet } from './fleet'

type LabHost = Awaited<ReturnType<typeof registeredLabHost>>

async function main() {
  const root = process.cwd()
  // The lab is brought up only for the benches that use it (the audit bench needs none).
  let labHosts: Promise<{ hostA: LabHost; hostB: LabHost }> | undefined
  const lab = () =>
    (labHosts ??= (async () => {
      execFileSync('bash', ['scripts/lab/lab.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] })
      return { hostA: await registeredLabHost('lab-a'), hostB: await registeredLabHost('lab-b') }
    })())
  const benches: Record<string, () => Promise<void>> = {
    ssh: async () => lab().then(({ hostA, hostB }) => benchSsh(hostA.target, hostB.target)),
    'networks-page': async () => lab().then(({ hostB }) => benchNetworksPage(hostB.row, hostB.target)),
    netedit: async () => lab().then(({ hostB }) => benchNetedit(hostB.row, hostB.target)),
    forwards: async () => lab().then(({ hostB }) => benchForwards(hostB.row, hostB.target)),
    dhcp: async () => lab().then(({ hostB }) => benchDhcp(hostB.row, hostB.target)),
    guests: async () => lab().then(({ hostB }) => benchGuests(hostB.target)),
    audit: () => benchAuditPage(),
    login: benchLogin,
    health: async () => lab().then(({ hostB }) => benchHealth(hostB.target)),
    fleet: async () => lab().then(({ hostA, hostB }) => benchFleet(hostA, hostB)),
  }
  // `npm run bench -- dhcp forwards` runs just those; no names runs them all.
  const chosen = process.argv.slice(2)
  const unknown = chosen.filter((name) => !(name in benches))
  if (unknown.length)
    throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`)
  // Only the page benches serve the production build.
  const needsBuild =
    !chosen.length || chosen.includes('networks-page') || chosen.includes('audit') || chosen.includes('fleet')
  if (needsBuild && !fs.existsSync(path.join(root, '.next', 'BUILD_ID')))
    execFileSync('npx', ['next', 'build'], { stdio: 'inherit' })
  for (const [name, bench] of Object.entries(benches)) if (!chosen.length || chosen.includes(name)) await bench()
  await closeAllSessions()
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
