// `npm run bench`: speed figures against the lab, each printed as `name: value unit`; ratios compare two ways of
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

async function main() {
  const root = process.cwd()
  execFileSync('bash', ['scripts/lab/lab.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) execFileSync('npx', ['next', 'build'], { stdio: 'inherit' })
  const hostA = await registeredLabHost('lab-a')
  const hostB = await registeredLabHost('lab-b')
  await benchSsh(hostA.target)
  await benchNetworksPage(hostB.row, hostB.target)
  await benchNetedit(hostB.row, hostB.target)
  await benchForwards(hostB.row, hostB.target)
  await benchDhcp(hostB.row, hostB.target)
  await closeAllSessions()
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
