import type { FormState } from '@/lib/actions/form-state'
import { FieldError, fieldProps } from '@/app/ui/form-status'

type TextFieldProps = {
  state: FormState
  name: string
  label: React.ReactNode
  defaultValue?: string
  className?: string
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'id' | 'defaultValue'>

/** A labelled input wired to the action's field errors and echoing the submitted value after a refusal. */
export function TextField({ state, name, label, defaultValue, className, ...input }: TextFieldProps) {
  return (
    <div className={className}>
      <label className="label" htmlFor={name}>
        {label}
      </label>
      <input className="input" {...input} {...fieldProps(state, name, defaultValue)} />
      <FieldError state={state} name={name} />
    </div>
  )
}
