import { Field, fieldParts, type FieldBase } from '@/app/ui/field'

/** A plain string is both the value and the visible text. */
export type SelectOption = string | { value: string; label: React.ReactNode }

type SelectFieldProps = FieldBase & {
  /** the choices; or pass <optgroup>/<option> children instead */
  options?: readonly SelectOption[]
  children?: React.ReactNode
  selectClassName?: string
} & Omit<React.SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'id' | 'defaultValue' | 'className' | 'children'>

/** A labelled select wired to the action's field errors and keeping the submitted choice after a refusal. */
export function SelectField({ selectClassName, options, children, ...props }: SelectFieldProps) {
  const { field, control, rest: select } = fieldParts(props)
  return (
    <Field {...field}>
      {/* React applies a select's defaultValue only when it mounts, and resets the form after each action: the key
          remounts the select with the submitted choice so the reset lands on it. */}
      <select
        key={control.defaultValue ?? ''}
        className={selectClassName ? `input ${selectClassName}` : 'input'}
        {...select}
        {...control}
      >
        {options?.map((option) => {
          const { value, label: text } = typeof option === 'string' ? { value: option, label: option } : option
          return (
            <option key={value} value={value}>
              {text}
            </option>
          )
        })}
        {children}
      </select>
    </Field>
  )
}
