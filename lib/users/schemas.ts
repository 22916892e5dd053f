import { z } from 'zod'
import { roles } from '@/lib/auth/roles'

const port = (label: string) =>
  z.coerce
    .number({ error: `Enter the ${label}.` })
    .int(`Enter a whole number.`)
    .min(1, 'Ports go from 1 to 65535.')
    .max(65535, 'Ports go from 1 to 65535.')

export const CreateUserSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'Use letters, digits, ".", "_" and "-" (at most 64).'),
  role: z.enum(roles, 'Choose a role.'),
  password: z.string().min(12, 'Passwords need at least 12 characters.').max(200),
})

export const LimitsSchema = z
  .object({
    userId: z.string().min(1).max(64),
    portMin: port('lowest port'),
    portMax: port('highest port'),
    maxForwards: z.coerce.number().int('Enter a whole number.').min(0, 'Zero or more.').max(1000, 'At most 1000.'),
  })
  .refine((d) => d.portMin <= d.portMax, {
    path: ['portMax'],
    message: 'The highest port must not be below the lowest.',
  })

export const AssignGuestSchema = z.object({
  userId: z.string().min(1).max(64),
  hostId: z.string().min(1, 'Choose a host.').max(64),
  guestName: z.string().trim().min(1, 'Enter the guest name.').max(200),
})

export const GrantRefSchema = z.object({ grantId: z.string().min(1).max(64) })
