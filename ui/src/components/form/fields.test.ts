// The field components' own rules, rendered on the server side of Svelte: which props are
// Field's, and what a TextField's box says about spelling and suggestions.
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import { t } from '../../lib/i18n/index.svelte';
import { partField } from './Field.svelte';
import NumberField from './NumberField.svelte';
import NumberRow from './NumberRow.svelte';
import SearchField from './SearchField.svelte';
import SecretField from './SecretField.svelte';
import SelectField from './SelectField.svelte';
import TextField from './TextField.svelte';

const box = (props: Record<string, unknown>) => {
  const html = render(TextField, { props: { id: 'f', label: 'F', ...props } }).body;
  return html.match(/<input[^>]*>/)?.[0] ?? '';
};

describe('partField', () => {
  it('gives Field its props and the control everything else', () => {
    const { field, control } = partField({ id: 'a', label: 'A', name: 'n', hint: 'h', type: 'email', maxlength: 3 });
    expect(field).toEqual({ id: 'a', label: 'A', name: 'n', hint: 'h' });
    expect(control).toEqual({ type: 'email', maxlength: 3 });
  });
});

describe('TextField', () => {
  it('never spell-checks an email address, unless told', () => {
    expect(box({ type: 'email' })).toContain('spellcheck="false"');
    expect(box({ type: 'email', spellcheck: 'true' })).toContain('spellcheck="true"');
    expect(box({})).not.toContain('spellcheck');
  });

  it('takes what is typed verbatim without spell check or suggestions', () => {
    const verbatim = box({ verbatim: true });
    expect(verbatim).toContain('spellcheck="false"');
    expect(verbatim).toContain('autocomplete="off"');
    expect(box({ verbatim: true, autocomplete: 'new-password' })).toContain('autocomplete="new-password"');
  });

  it('takes its label and id from its words in the catalogue', () => {
    const html = render(TextField, { props: { of: 'collections.policyName', name: 'name', error: 'E' } }).body;
    expect(html).toContain(
      `<label for="collections-policy-name" id="collections-policy-name-label">${t('collections.policyName')}`,
    );
    const input = html.match(/<input[^>]*>/)?.[0] ?? '';
    expect(input).toContain('id="collections-policy-name"');
    expect(input).toContain('name="name"');
    expect(input).toContain('aria-describedby="collections-policy-name-error"');
    expect(input).not.toContain(' of=');
  });

  it('wires its label, hint and error to the box', () => {
    const html = render(TextField, { props: { id: 'f', label: 'F', hint: 'H', error: 'E' } }).body;
    expect(html).toContain('<label for="f"');
    expect(box({ hint: 'H', error: 'E' })).toContain('aria-describedby="f-hint f-error"');
    expect(box({ hint: 'H', error: 'E' })).toContain('aria-invalid="true"');
  });
});

describe('SecretField', () => {
  it('hides what is typed and keeps it out of suggestions and spell check', () => {
    const html = render(SecretField, { props: { id: 's', label: 'S', hint: 'H', value: 'x' } }).body;
    const input = html.match(/<input[^>]*>/)?.[0] ?? '';
    expect(input).toContain('type="password"');
    expect(input).toContain('autocomplete="new-password"');
    expect(input).toContain('spellcheck="false"');
    expect(input).toContain('aria-describedby="s-hint"');
  });
});

describe('SelectField', () => {
  it('offers each choice, a disabled one included, and wires its label and error to the select', () => {
    const html = render(SelectField, {
      props: {
        id: 's',
        label: 'S',
        error: 'E',
        value: 'b',
        options: [
          { value: '', label: '—', disabled: true },
          { value: 'a', label: 'A' },
          { value: 'b', label: 'B' },
        ],
      },
    }).body;
    expect(html).toContain('<label for="s"');
    expect(html.match(/<select[^>]*>/)?.[0]).toContain('aria-invalid="true"');
    expect(html.match(/<option[^>]*>/g)).toHaveLength(3);
    expect(html).toMatch(/<option value=""[^>]*disabled/);
    expect(html).toMatch(/<option value="b"[^>]*selected/);
  });
});

describe('NumberField', () => {
  it('is a number box with its bounds, value and error wired', () => {
    const html = render(NumberField, {
      props: { id: 'n', label: 'N', error: 'E', value: 7, min: '1', max: '90' },
    }).body;
    const input = html.match(/<input[^>]*>/)?.[0] ?? '';
    expect(html).toContain('<label for="n"');
    expect(input).toContain('type="number"');
    expect(input).toContain('min="1"');
    expect(input).toContain('max="90"');
    expect(input).toContain('value="7"');
    expect(input).toContain('aria-invalid="true"');
  });
});

describe('NumberRow', () => {
  it('gives each count its box, refused by its key under the part the command names', () => {
    const html = render(NumberRow, {
      props: {
        counts: { everyDays: 15, times: 2 },
        refusedAs: 'repeat',
        fields: [
          { key: 'everyDays', id: 'every', label: 'Cada', min: 1, max: 366 },
          { key: 'times', id: 'times', label: 'Veces', min: 1 },
        ],
      },
    }).body;
    const inputs = html.match(/<input[^>]*>/g) ?? [];
    expect(inputs).toHaveLength(2);
    expect(inputs[0]).toContain('id="every"');
    expect(inputs[0]).toContain('name="repeat.everyDays"');
    expect(inputs[0]).toContain('value="15"');
    expect(inputs[0]).toContain('max="366"');
    expect(inputs[1]).toContain('name="repeat.times"');
    expect(inputs[1]).toContain('value="2"');
    expect(inputs[1]).not.toContain('max=');
  });

  it('names a count by its key alone when the command does', () => {
    const html = render(NumberRow, {
      props: { counts: { monthlyCap: 4 }, fields: [{ key: 'monthlyCap', id: 'cap', label: 'Tope' }] },
    }).body;
    expect(html.match(/<input[^>]*>/)?.[0]).toContain('name="monthlyCap"');
  });
});

describe('SearchField', () => {
  it("is the screen's search box, the one Buscar finds, with its hint wired", () => {
    const html = render(SearchField, {
      props: { id: 'customer-search', label: 'Buscar', hint: 'H', value: 'peña', onsearch: () => {} },
    }).body;
    const input = html.match(/<input[^>]*>/)?.[0] ?? '';
    expect(input).toContain('type="search"');
    expect(input).toContain('value="peña"');
    expect(input).toContain('aria-describedby="customer-search-hint"');
  });
});
