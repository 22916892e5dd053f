import path from 'node:path'

// Every on-disk default lives under one data folder so a fresh clone runs with no configuration.
// (turbopackIgnore: these are run-time paths, not files the build should trace into the server bundle.)
export const dataDir = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_DATA_DIR ?? path.join(process.cwd(), 'data'),
)
export const sshKeyPath = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_SSH_KEY ?? path.join(dataDir, 'ssh', 'id_ed25519'),
)
export const auditKeyPath = path.resolve(
  /*turbopackIgnore: true*/ process.env.VIRTNET_AUDIT_KEY_FILE ?? path.join(dataDir, 'audit', 'seal.key'),
)

/**
 * `text` without this machine's own file paths, each said in words instead: error text from SSH or libvirt goes to
 * the browser and the audit log, and where the dashboard keeps its key or data is nobody's business there.
 */
export function hideLocalPaths(text: string): string {
  const named: Array<[string, string]> = [
    [`${sshKeyPath}.pub`, "the dashboard's public SSH key (shown on the Hosts page)"],
    [sshKeyPath, "the dashboard's SSH key"],
    [auditKeyPath, 'the audit seal key'],
    [dataDir, "the dashboard's data folder"],
    [process.cwd(), "the dashboard's installation"],
  ]
  return named
    .sort(([a], [b]) => b.length - a.length)
    .reduce((result, [local, words]) => (local.length > 1 ? result.split(local).join(words) : result), text)
}
