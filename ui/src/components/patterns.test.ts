// The shared pieces forms and lists are made of, rendered on the server side of Svelte: the ids
// and roles the stories and screen readers rely on come out as each caller names them.
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '../lib/i18n/index.svelte';
import ConfirmPanel from './ConfirmPanel.svelte';
import FormActions from './form/FormActions.svelte';
import ListTable from './ListTable.svelte';

// The pieces speak Spanish here; setLanguage also labels the page, and these tests have none.
vi.stubGlobal('document', { documentElement: { lang: '' } });
beforeAll(() => setLanguage('es'));

const nothing = () => {};
const rows = createRawSnippet(() => ({ render: () => '<tr><td>1</td></tr>' }));

describe('FormActions', () => {
  it('offers a way out only when the form has one', () => {
    const closed = render(FormActions, { props: { id: 's', label: 'Guardar' } }).body;
    expect(closed).toContain('<button type="submit" class="primary" id="s"');
    expect(closed).not.toContain('type="button"');
    const open = render(FormActions, { props: { id: 's', label: 'G', cancelId: 'c', oncancel: nothing } }).body;
    expect(open).toMatch(/<button type="button" id="c"[^>]*>Cancelar<\/button>/);
  });

  it('marks an answer that destroys something as dangerous', () => {
    const html = render(FormActions, { props: { id: 'void-yes', label: 'Anular', danger: true } }).body;
    expect(html).toContain('class="danger" id="void-yes"');
  });
});

describe('ConfirmPanel', () => {
  it('is labelled by its question and names its answers', () => {
    const html = render(ConfirmPanel, {
      props: {
        id: 'x-confirm',
        role: 'group',
        questionId: 'x-text',
        question: '¿Seguro?',
        yesId: 'x-yes',
        yes: 'Sí',
        cancelId: 'x-cancel',
        onyes: nothing,
        oncancel: nothing,
      },
    }).body;
    expect(html).toMatch(/<div class="warning" id="x-confirm" role="group" aria-labelledby="x-text"/);
    expect(html).toContain('<p id="x-text">¿Seguro?</p>');
    expect(html).toMatch(/class="danger" id="x-yes"/);
    expect(html).toMatch(/id="x-cancel"[^>]*>Cancelar/);
  });
});

describe('ListTable', () => {
  it('heads the list by catalogue key, leaves out what is false, hides the actions heading', () => {
    const html = render(ListTable, {
      props: {
        id: 't',
        columns: ['payment.date', false, 'payment.amount'],
        actions: 'payment.actions',
        children: rows,
      },
    }).body;
    expect(html).toMatch(/<table class="list" id="t">/);
    expect(html.match(/<th scope="col">/g)).toHaveLength(3);
    expect(html).toContain('<th scope="col">Fecha</th>');
    expect(html).toContain('<th scope="col"><span class="visually-hidden">');
    expect(html).toContain('<tbody><tr><td>1</td></tr>');
  });
});
