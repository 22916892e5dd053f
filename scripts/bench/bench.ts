// `npm run bench [-- name…]`: speed figures against the lab, each printed as `name: value unit`; ratios compare two ways of
// doing the same thing measured in this same run. Uses its own database under data/bench/.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { closeAllSessions } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { benchSsh } from './ssh'
import { benchNetworksPage } from './networks-page'
import { benchHostTabs } from './host-tabs'
import { benchDhcp } from './dhcp'
import { benchNetedit } from './netedit'
import { benchForwards } from './forwards'
import { benchNftForwards } from './forwards-nft'
import { benchGuests } from './guests'
import { benchAuditPage } from './audit'
import { benchLogin } from './login'
import { benchApi } from './api'

import { benchHealth } from './health'
import { benchFailover, benchSessionMemory } from './replicas'
import { benchFleet } from './fleet'

type LabHost = Awaited<ReturnType<typeof registeredLabHost>>

async function main() {
  const root = process.cwd()
  // The lab is brought up only for the benches that use it (the audit bench needs none).
  let labHosts: Promise<{ hostA: LabHost; hostB: LabHost }> | undefined
  const lab = () =>
    (labHosts ??= (async () => {
      // VIRTNET_BENCH_LAB_UP=0 uses the lab as it runs (a lab shared with others is not brought up again);
      // VIRTNET_LAB_UP=up-c brings up only host C (see lib/test/integration-setup.ts).
      const labUp = process.env.VIRTNET_LAB_UP === 'up-c' ? 'up-c' : 'up'
      if (process.env.VIRTNET_BENCH_LAB_UP !== '0')
        execFileSync('bash', ['scripts/lab/lab.sh', labUp], { stdio: ['ignore', 'ignore', 'inherit'] })
      return { hostA: await registeredLabHost('lab-a'), hostB: await registeredLabHost('lab-b') }
    })())
  const benches: Record<string, () => Promise<void>> = {
    ssh: async () => lab().then(({ hostA, hostB }) => benchSsh(hostA.target, hostB.target)),
    // The session figures alone (no black-holed host B, no killed connections): safe beside others on a shared lab.
    'ssh-session': async () => lab().then(({ hostA }) => benchSsh(hostA.target)),
    'networks-page': async () => lab().then(({ hostB }) => benchNetworksPage(hostB.row, hostB.target)),
    'host-tabs': async () => lab().then(({ hostB }) => benchHostTabs(hostB.row, hostB.target)),
    netedit: async () => lab().then(({ hostB }) => benchNetedit(hostB.row, hostB.target)),
    forwards: async () => lab().then(({ hostB }) => benchForwards(hostB.row, hostB.target)),
    'forwards-nft': async () =>
      lab().then(async () => {
        const hostC = await registeredLabHost('lab-c')
        await benchNftForwards(hostC.row, hostC.target)
      }),
    dhcp: async () => lab().then(({ hostB }) => benchDhcp(hostB.row, hostB.target)),
    guests: async () => lab().then(({ hostB }) => benchGuests(hostB.target)),
    audit: () => benchAuditPage(),
    login: benchLogin,
    health: async () => lab().then(({ hostB }) => benchHealth(hostB.target)),
    api: async () => lab().then(({ hostB }) => benchApi(hostB.row, hostB.target)),
    replicas: async () =>
      lab().then(async ({ hostA, hostB }) => {
        await benchSessionMemory([hostA.target, hostB.target])
        await benchFailover()
      }),
    // ssh.session_kib_per_host alone (no failover): the memory one host's kept session costs a replica.
    'session-memory': async () => lab().then(({ hostA, hostB }) => benchSessionMemory([hostA.target, hostB.target])),
    fleet: async () => lab().then(({ hostA, hostB }) => benchFleet(hostA, hostB)),
  }
  // `npm run bench -- dhcp forwards` runs just those; no names runs them all.
  const chosen = process.argv.slice(2)
  const unknown = chosen.filter((name) => !(name in benches))
  if (unknown.length)
    throw new Error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`)
  // Only the page benches serve the production build.
  const needsBuild =
    !chosen.length ||
    chosen.includes('networks-page') ||
    chosen.includes('audit') ||
    chosen.includes('api') ||
    chosen.includes('host-tabs') ||
    chosen.includes('fleet')
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
