import { z } from 'zod'
import { roles } from '@/lib/auth/roles'
import { guestName, portNumber, wholeNumber } from '@/lib/addresses/value-rules'

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
    portMin: portNumber,
    portMax: portNumber,
    maxForwards: wholeNumber({ min: 0, max: 1000 }),
  })
  .refine((d) => d.portMin <= d.portMax, {
    path: ['portMax'],
    message: 'The highest port must not be below the lowest.',
  })

export const AssignGuestSchema = z.object({
  userId: z.string().min(1).max(64),
  hostId: z.string().min(1, 'Choose a host.').max(64),
  guestName,
})

export const GrantRefSchema = z.object({ grantId: z.string().min(1).max(64) })

export const StartEnrolmentSchema = z.object({})

/** A code from the authenticator app (6 digits) or, at sign-in, a recovery code; `token` keeps it out of the audit. */
export const SecondFactorCodeSchema = z.object({
  token: z.string().trim().min(1, 'Type the code from your authenticator app.').max(40, 'That is not a code.'),
})

export const SecondFactorPolicySchema = z.object({
  role: z.enum(roles, 'Choose a role.'),
  required: z.enum(['yes', 'no']),
})

export const UserRefSchema = z.object({ userId: z.string().min(1).max(64) })

export const UserRoleSchema = UserRefSchema.extend({ role: z.enum(roles, 'Choose a role.') })

export const UserDisabledSchema = UserRefSchema.extend({
  disabled: z.enum(['true', 'false'], 'Say whether to disable or enable.').transform((value) => value === 'true'),
})
