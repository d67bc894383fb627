// Why an address is "No entregable", in one sentence (the chip's title, the bulk plan's reason):
// what happened and when, then the provider's own words when it gave some.
import type { Undeliverable } from './bindings';
import { format } from './format';
import { t } from './i18n/index.svelte';

export function undeliverableWhy(undeliverable: Undeliverable): string {
  const what = t(`undeliverable.reason.${undeliverable.reason}`, {
    address: undeliverable.address,
    date: format.dateOf(undeliverable.since),
  });
  return undeliverable.detail ? `${what} ${undeliverable.detail}` : what;
}
