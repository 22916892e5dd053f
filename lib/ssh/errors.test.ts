import { describe, expect, it } from 'vitest'
import { connectError } from './connect'
import { SshError } from './errors'
import { dataDir, sshKeyPath } from '@/lib/config/paths'

/* Error text from SSH reaches the browser and the audit log: in words, without this machine's own paths. */
describe("SSH errors say where the dashboard's files are in words, not as paths of its machine", () => {
  const target = { address: '192.0.2.10', port: 22, username: 'root' }

  it('a refused key points to the Hosts page, not to the key file', () => {
    const refused = Object.assign(new Error('All configured authentication methods failed'), {
      level: 'client-authentication',
    })
    const message = connectError(target, refused).message
    expect(message).toContain('refused the dashboard\'s SSH key for user "root"')
    expect(message).toContain('shown on the Hosts page')
    expect(message).not.toContain(dataDir)
    expect(message).not.toContain('/ssh/id_')
  })

  it('a message carrying a local path (a file error of the key) names the file in words', () => {
    const error = new SshError(
      `The dashboard's SSH key cannot be loaded: EACCES: permission denied, open '${sshKeyPath}'`,
    )
    expect(error.message).toBe(
      "The dashboard's SSH key cannot be loaded: EACCES: permission denied, open 'the dashboard's SSH key'",
    )
    expect(new SshError(`cannot write ${dataDir}/lab/x`).message).toBe("cannot write the dashboard's data folder/lab/x")
    expect(new SshError(`cannot run ${process.cwd()}/node_modules/x`).message).toBe(
      "cannot run the dashboard's installation/node_modules/x",
    )
  })
})
