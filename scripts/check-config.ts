// The service's first ExecStartPre (deploy/systemd/virtnet.service): checks the environment file before anything
// runs, and refuses the start with every problem said in words (journalctl -u virtnet shows them).
import { InvalidEnvironmentError, validateEnv } from '@/lib/config/env'

try {
  validateEnv({ service: true })
  console.log('Configuration checked: the environment file is complete.')
} catch (error) {
  if (!(error instanceof InvalidEnvironmentError)) throw error
  console.error(`Virtnet will not start; fix its environment file (EnvironmentFile= of the unit):`)
  for (const problem of error.problems) console.error(`- ${problem}`)
  // EX_CONFIG: the unit does not restart on it (RestartPreventExitStatus), since the same file would fail again.
  process.exit(78)
}
