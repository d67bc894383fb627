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

/** Shows the words of policy `policyId`'s step `offsetDays` days from the due date in Ajustes →
 * Plantillas. */
export function chooseStep(policyId: number, offsetDays: number) {
  chosen.policyId = policyId;
  chosen.offsetDays = offsetDays;
  chosen.asked += 1;
}

/** The policy was saved: Plantillas lists its steps as they are now. */
export function stepsSaved() {
  chosen.asked += 1;
}

/** "+7", "-3", "0": how far from the due date, signed. */
export function signedDays(offsetDays: number): string {
  return offsetDays > 0 ? `+${offsetDays}` : String(offsetDays);
}
