import 'server-only'
import type { HostTarget } from '@/lib/ssh'
import { FieldErrors, OperatorError, ParseError } from '@/lib/core/errors'
import { executePlan, PlanFailedError } from '@/lib/plan/execute'
import { nwfilterName } from '@/lib/libvirt-xml/nwfilter'
import { definitionVersion } from '@/lib/network-edit/version'
import { nwfilterXml } from '@/lib/nwfilters/read'
import { nwfilterDefinePlan } from '@/lib/nwfilters/plans'
import { refusedOnLines } from '@/lib/network-edit/refusal'
import { parseErrorLines } from '@/lib/host-output/libvirt-refusal-lines'

/**
 * Applies an edited filter: made on the definition the host still has (else refused, so a second edit never undoes
 * the first unseen), naming the same filter, and different from it; then one plan (nwfilter-define --validate, undo:
 * the previous definition). libvirt's refusal is shown on the XML field and nothing changes. The operator's text is
 * what libvirt gets: nothing in it is dropped or reordered.
 */
export async function applyNwfilterEdit(target: HostTarget, name: string, xml: string, baseVersion: string) {
  const previousXml = await nwfilterXml(target, name)
  if (previousXml === null) throw new OperatorError(`There is no network filter named ${name} on this host.`)
  if (definitionVersion(previousXml) !== baseVersion)
    throw new FieldErrors({
      xml: [
        `${name} changed since you opened the editor; reload the page to edit its current definition. Nothing was changed.`,
      ],
    })
  let named: string
  try {
    named = nwfilterName(xml)
  } catch (error) {
    if (error instanceof ParseError)
      throw new FieldErrors({ xml: [error.message] }, undefined, { xml: parseErrorLines(error, error.reason) })
    throw error
  }
  if (named !== name)
    throw new FieldErrors({ xml: [`The XML names filter ${named}; this editor changes ${name} only.`] })
  if (xml.trim() === previousXml.trim())
    throw new FieldErrors({ xml: ['This is the current definition; change something first.'] })
  try {
    await executePlan(target, nwfilterDefinePlan(name, xml, previousXml))
  } catch (error) {
    if (error instanceof PlanFailedError) throw refusedOnLines(error, 'the filter', xml, previousXml)
    throw error
  }
}
