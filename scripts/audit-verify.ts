// `npm run audit:verify [-- export.json]`: checks the audit log with the seal key (VIRTNET_AUDIT_KEY_FILE or
// data/audit/seal.key). Without a file it verifies the whole database chain, from the first record to the tip checkpoint
// beside the key (records cut off the end are reported); with a JSON export (any filter) it
// checks every exported record's hash and seal. Exits 1 when anything does not check out.
import fs from 'node:fs'
import { verifyAuditChain } from '@/lib/audit/verify'
import { verifyExport, type ExportedRecord } from '@/lib/audit/verify-export'
import { currentSealKey } from '@/lib/audit/seal'
import { auditKeyPath } from '@/lib/config/paths'

async function main(): Promise<boolean> {
  const key = currentSealKey()
  const file = process.argv[2]
  if (!file) {
    const status = await verifyAuditChain()
    if (status.broken)
      console.log(
        `BROKEN at record #${status.broken.id}: ${status.broken.reason} (${status.checked} records before it check out)`,
      )
    if (status.missing) console.log(`MISSING: ${status.missing}`)
    if (status.ok)
      console.log(
        `OK: ${status.checked} records chained, ${status.sealed} sealed${key ? ` (key ${key.fingerprint})` : `; no key at ${auditKeyPath}, seals not checked`}` +
          (status.tip
            ? `; the last record matches the tip checkpoint (#${status.tip.id})`
            : key
              ? '; no tip checkpoint yet'
              : ''),
      )
    return status.ok && Boolean(key)
  }
  if (!key) throw new Error(`No seal key at ${auditKeyPath}; set VIRTNET_AUDIT_KEY_FILE to the key the dashboard uses.`)
  const result = verifyExport(JSON.parse(fs.readFileSync(file, 'utf8')) as ExportedRecord[], key.key)
  for (const problem of result.problems) console.log(`record #${problem.id}: ${problem.reason}`)
  console.log(
    `${result.problems.length ? 'PROBLEMS' : 'OK'}: ${result.checked} records, ${result.sealed} with a valid seal (key ${key.fingerprint})`,
  )
  return result.problems.length === 0
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: Error) => {
    console.error(error.message)
    process.exit(1)
  },
)
