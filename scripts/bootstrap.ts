// First start on a machine: create the first admin (printed once) and register the lab's host A with its key
// fingerprint read from the key file on this machine, which is the out-of-band check an admin would make.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { db } from '@/lib/db/client'
import { dataDir } from '@/lib/config/paths'
import { ensureFirstAdmin } from '@/lib/users/first-admin'
import { recordAudit } from '@/lib/audit/record'
import { refreshHealth } from '@/lib/hosts/changes'

type LabHost = { name: string; address: string; port: number; username: string; hostKeyFile: string }

async function registerLabHost() {
  const hostsFile = path.join(dataDir, 'lab', 'hosts.json')
  if (!fs.existsSync(hostsFile)) return console.log('No lab found (data/lab/hosts.json); add hosts on the Hosts page.')
  const labA = (JSON.parse(fs.readFileSync(hostsFile, 'utf8')) as LabHost[]).find((host) => host.name === 'lab-a')
  if (!labA) return
  if (await db.host.findFirst({ where: { address: labA.address, port: labA.port } }))
    return console.log(`Lab host ${labA.name} is registered.`)
  const [, fingerprint, , keyTypeInParens] = execFileSync('ssh-keygen', ['-lf', labA.hostKeyFile], { encoding: 'utf8' })
    .trim()
    .split(' ')
  const host = await db.host.create({
    data: {
      name: labA.name,
      address: labA.address,
      port: labA.port,
      username: labA.username,
      pinnedFingerprint: fingerprint,
      hostKeyType: keyTypeInParens?.replace(/[()]/g, '').toLowerCase(),
    },
  })
  await recordAudit({
    actor: { id: null, username: '(setup)' },
    host,
    action: 'host.add',
    target: `${host.name} (${host.address}:${host.port})`,
    params: { ...labA, fingerprint, source: 'lab key file' },
    result: 'success',
  })
  await refreshHealth(host)
  console.log(`Registered lab host ${host.name} (${host.address}:${host.port}), key ${fingerprint}.`)
}

async function main() {
  const admin = await ensureFirstAdmin()
  if (!admin) {
    const saved = path.join(dataDir, 'first-admin.txt')
    console.log(
      fs.existsSync(saved)
        ? `Users exist. The first admin's login is in ${saved} (removed once that admin changes the password).`
        : 'Users exist.',
    )
  }
  await registerLabHost()
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(error)
    process.exit(1)
  })
