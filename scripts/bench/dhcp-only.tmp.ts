import { closeAllSessions } from '@/lib/ssh'
import { registeredLabHost } from '@/lib/test/lab'
import { benchDhcp } from './dhcp'
const hostB = await registeredLabHost('lab-b')
await benchDhcp(hostB.row, hostB.target)
await closeAllSessions()
