import { h, replace } from '../../dom';

/** What a create form's submit handler reads: trimmed single values, every value of a repeated field. */
export interface FormValues {
  str(name: string): string;
  all(name: string): string[];
}

/**
 * The "New …" box of an admin page: a title, the fields, a submit button and one error line. `submit`
 * gets the form's values; whatever it throws (a rejected API call, a field it refuses) is shown in the
 * error line and the form is kept as typed; when it resolves, the form is cleared and the error hidden.
 */
export function renderCreateForm(
  box: HTMLElement,
  spec: { title: string; button: string; submit: (values: FormValues) => Promise<void> },
  ...fields: HTMLElement[]
): void {
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'filters',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const fd = new FormData(form);
        const values: FormValues = {
          str: (name) => String(fd.get(name) ?? '').trim(),
          all: (name) => fd.getAll(name).map(String),
        };
        try {
          await spec.submit(values);
          error.hidden = true;
          form.reset();
        } catch (err) {
          error.hidden = false;
          replace(error, (err as Error).message);
        }
      },
    },
    ...fields,
    h('button', { type: 'submit' }, spec.button),
  );
  replace(box, h('h3', null, spec.title), form, error);
}
