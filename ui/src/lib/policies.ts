// How a política de cobranza is named to the owner: policy 1 is "Política del negocio" in the
// window's language, whatever its stored name; the others by the name the owner gave them.
import type { PolicySummary } from './bindings';
import { t } from './i18n/index.svelte';

/** The shop's own policy: followed by every customer not told otherwise. */
export const SHOP_POLICY = 1;

export function policyName(policy: PolicySummary): string {
  return policy.id === SHOP_POLICY ? t('collections.shopPolicy') : policy.name;
}
