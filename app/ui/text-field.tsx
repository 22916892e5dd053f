import { Field, controlProps, type FieldBase } from '@/app/ui/field'

type TextFieldProps = FieldBase & {
  /** classes added to the input's own (e.g. font-mono, w-28) */
  inputClassName?: string
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'id' | 'defaultValue' | 'className'>

/** A labelled input wired to the action's field errors and echoing the submitted value after a refusal. */
export function TextField({
  state,
  name,
  label,
  defaultValue,
  id,
  className,
  inlineError,
  inputClassName,
  ...input
}: TextFieldProps) {
  return (
    <Field state={state} name={name} label={label} id={id} className={className} inlineError={inlineError}>
      <input
        className={inputClassName ? `input ${inputClassName}` : 'input'}
        {...input}
        {...controlProps({ state, name, defaultValue, id })}
      />
    </Field>
  )
}
