import 'server-only'
import { FieldErrors } from '@/lib/core/errors'
import type { PlanFailedError } from '@/lib/plan/execute'
import { libvirtRefusalLines } from '@/lib/host-output/libvirt-refusal-lines'

/**
 * A one-step define plan that libvirt refused, as field errors on the XML editor: libvirt's words, and the lines of
 * the operator's text they are about (found in the failed step's output, libvirt's own message).
 */
export function refusedOnLines(error: PlanFailedError, what: string, editedXml: string, previousXml: string) {
  const output = error.outcomes.find((outcome) => outcome.status === 'failed')?.output ?? ''
  return new FieldErrors(
    { xml: [error.message.replace(/^Step 1 of 1 \("[^"]*"\) failed: /, `libvirt refused ${what}: `)] },
    undefined,
    { xml: libvirtRefusalLines(output, editedXml, previousXml) },
  )
}
