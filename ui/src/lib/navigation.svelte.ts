// Which screen is open, and what another screen asked it to show (a customer's receivable, or a
// new receivable for that customer), so screens link to each other without knowing each other.
export type Screen = 'pending' | 'customers' | 'outbox' | 'integrations' | 'settings';

export type PendingRequest =
  { kind: 'receivable'; id: number } | { kind: 'new'; customer: { id: number; name: string } | null };

export const navigation = $state<{ screen: Screen; pending: PendingRequest | null }>({
  screen: 'pending',
  pending: null,
});

export function openScreen(screen: Screen): void {
  navigation.pending = null;
  navigation.screen = screen;
}

export function openPending(request: PendingRequest): void {
  navigation.pending = request;
  navigation.screen = 'pending';
}
