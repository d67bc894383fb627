// Which step of the política de cobranza Ajustes → Plantillas shows: Ajustes → Cobranza links
// each saved step to its words through here, so neither section knows the other.

const chosen = $state<{ policyId: number | null; offsetDays: number | null; asked: number }>({
  policyId: null,
  offsetDays: null,
  asked: 0,
});

export const stepChoice = {
  /** The policy of the step last asked for from Ajustes → Cobranza, if any. */
  get policyId(): number | null {
    return chosen.policyId;
  },
  /** The step last asked for from Ajustes → Cobranza, if any. */
  get offsetDays(): number | null {
    return chosen.offsetDays;
  },
  /** Counts the asks and the saves: each one reloads the saved steps. */
  get asked(): number {
    return chosen.asked;
  },
};

/** Shows the words of policy `policyId`'s step `offsetDays` days from the due date (its first
 * step when `null`) in Ajustes → Plantillas. */
export function chooseStep(policyId: number, offsetDays: number | null) {
  chosen.policyId = policyId;
  chosen.offsetDays = offsetDays;
  chosen.asked += 1;
}

/** A policy was saved, created or renamed: Plantillas lists the policies and steps as they are
 * now. */
export function stepsSaved() {
  chosen.asked += 1;
}

/** Policy `id` was deleted: Plantillas no longer shows its steps (the shop's instead). */
export function policyGone(id: number) {
  if (chosen.policyId === id) {
    chosen.policyId = null;
    chosen.offsetDays = null;
  }
  chosen.asked += 1;
}

/** "+7", "-3", "0": how far from the due date, signed. */
export function signedDays(offsetDays: number): string {
  return offsetDays > 0 ? `+${offsetDays}` : String(offsetDays);
}
