import 'server-only'
import fs from 'node:fs'
import path from 'node:path'
import ssh2 from 'ssh2'
import { sshKeyPath } from '@/lib/config/paths'

export type DashboardIdentity = { privateKey: string; publicKey: string; keyPath: string }

let cached: DashboardIdentity | undefined

/** The dashboard's own SSH key pair, created on first use (OpenSSH format, like ssh-keygen's). */
export function dashboardIdentity(): DashboardIdentity {
  if (cached) return cached
  if (!fs.existsSync(sshKeyPath)) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'virtnet-dashboard' })
    fs.mkdirSync(path.dirname(sshKeyPath), { recursive: true, mode: 0o700 })
    // 'wx' so two processes starting at once cannot overwrite each other's fresh key.
    try {
      fs.writeFileSync(sshKeyPath, pair.private, { mode: 0o600, flag: 'wx' })
      fs.writeFileSync(`${sshKeyPath}.pub`, `${pair.public}\n`, { mode: 0o644 })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
  }
  const privateKey = fs.readFileSync(sshKeyPath, 'utf8')
  const parsed = ssh2.utils.parseKey(privateKey)
  if (parsed instanceof Error)
    throw new Error(`The dashboard SSH key at ${sshKeyPath} cannot be read: ${parsed.message}`)
  const publicKey = `${parsed.type} ${parsed.getPublicSSH().toString('base64')} virtnet-dashboard`
  cached = { privateKey, publicKey, keyPath: sshKeyPath }
  return cached
}
