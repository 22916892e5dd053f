import { Field, fieldParts, type FieldBase } from '@/app/ui/field'

type TextFieldProps = FieldBase & {
  /** classes added to the input's own (e.g. font-mono, w-28) */
  inputClassName?: string
} & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'name' | 'id' | 'defaultValue' | 'className'>

/** A labelled input wired to the action's field errors and echoing the submitted value after a refusal. */
export function TextField({ inputClassName, ...props }: TextFieldProps) {
  const { field, control, rest: input } = fieldParts(props)
  return (
    <Field {...field}>
      <input className={inputClassName ? `input ${inputClassName}` : 'input'} {...input} {...control} />
    </Field>
  )
}
