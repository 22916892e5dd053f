import type { FormState } from '@/lib/actions/form-state'

/** A checkbox with its text as the label (a ticked box posts "on"); with `state`, a refused or previewed form keeps the tick as submitted. */
export function Checkbox({
  state,
  name,
  defaultChecked,
  children,
}: {
  state?: FormState
  name: string
  defaultChecked?: boolean
  children: React.ReactNode
}) {
  const checked = state?.values ? state.values[name] === 'on' : defaultChecked
  return (
    <label className="flex items-center gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={checked} /> {children}
    </label>
  )
}
