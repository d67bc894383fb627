// Which step of the política de cobranza Ajustes → Plantillas shows: Ajustes → Cobranza links
// each saved step to its words through here, so neither section knows the other. Also how the
// editor of a step's words reads, keeps and restores them in the step's unit.
import { api, ApiError } from './api';
import type {
  Language,
  ReminderTemplate,
  StatementTemplate,
  StepKey,
  StepTemplate,
  StepTemplateView,
  StepUnit,
} from './bindings';

/** The words a step of each unit says. */
type UnitWords = { statement: StatementTemplate; receivable: ReminderTemplate };

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

/** Step `step`'s words as an editor opened for its `unit` reads, keeps and restores them. The
 * core answers in the step's unit as saved now: another unit (changed in another window since)
 * is not the step this editor was opened for. */
export function stepWords<U extends StepUnit>(step: StepKey, unit: U) {
  type View = Extract<StepTemplateView, { unit: U }>;
  const asOpened = (view: StepTemplateView): View => {
    if (view.unit !== unit) {
      throw new ApiError({ code: 'not_found', message: `the step now sends ${view.unit}`, details: {} });
    }
    return view as View;
  };
  return {
    get: (language: Language) => api.stepWordsGet(step, language).then(asOpened),
    save: (language: Language, template: UnitWords[U]) =>
      api.stepWordsSave(step, language, { ...template, unit } as StepTemplate).then(asOpened),
    reset: (language: Language) => api.stepWordsReset(step, language).then(asOpened),
  };
}
