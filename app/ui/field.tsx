import type { FormState } from '@/lib/actions/form-state'
import { FieldError, fieldProps } from '@/app/ui/form-status'

/** What every labelled form control takes: the action's state, the field name, and an optional id when one page shows the form more than once. */
export type FieldBase = {
  state: FormState
  name: string
  label: React.ReactNode
  defaultValue?: string
  /** the control's id (default: the name); the error keeps the id `${name}-error` */
  id?: string
  /** classes of the wrapper */
  className?: string
  /** false when the form lists its errors elsewhere (inline rows of small fields) */
  inlineError?: boolean
}

/** The label, the control and its errors, in the layout every form uses. */
export function Field({
  state,
  name,
  label,
  id,
  className,
  inlineError = true,
  children,
}: Omit<FieldBase, 'defaultValue'> & { children: React.ReactNode }) {
  return (
    <div className={className}>
      <label className="label" htmlFor={id ?? name}>
        {label}
      </label>
      {children}
      {inlineError && <FieldError state={state} name={name} />}
    </div>
  )
}

/** name/id, error wiring and the submitted value for the control itself. */
export function controlProps({
  state,
  name,
  defaultValue,
  id,
}: Pick<FieldBase, 'state' | 'name' | 'defaultValue' | 'id'>) {
  return { ...fieldProps(state, name, defaultValue), id: id ?? name }
}

/**
 * A labelled control's props split three ways: what the Field wrapper takes, what the control takes from the action
 * (controlProps) and the rest, which goes to the element as given.
 */
export function fieldParts<P extends FieldBase>({
  state,
  name,
  label,
  defaultValue,
  id,
  className,
  inlineError,
  ...rest
}: P) {
  return {
    field: { state, name, label, id, className, inlineError },
    control: controlProps({ state, name, defaultValue, id }),
    rest,
  }
}
