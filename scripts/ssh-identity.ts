// Prints the dashboard's SSH public key (creating the key pair on first use); the lab installs it in authorized_keys.
import { dashboardIdentity } from '@/lib/ssh/identity'

console.log(dashboardIdentity().publicKey)
