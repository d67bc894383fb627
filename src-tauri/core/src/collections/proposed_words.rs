//! The words the first-run guide offers for each step — aviso amable, vencida, segundo aviso,
//! último aviso — in Spanish and English, for the statement and for a single receivable's
//! reminder: firmer as they go, and the último aviso says it is the last. Offered in Ajustes →
//! Plantillas for the owner to take or leave; nothing here is ever saved unasked.

use crate::locale::Language;
use crate::reminders::ReminderTemplate;
use crate::statements::StatementTemplate;

/// Where a step sits on the guide's ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    /// Before (or on) the due date: aviso amable.
    Friendly,
    /// Just overdue: vencida.
    Overdue,
    /// A week or more: segundo aviso.
    Second,
    /// Two weeks or more: último aviso.
    Last,
}

/// By the step's place in its policy (`offsets`, every step's), not its number of days: before
/// the due date an aviso amable; after it, the first step says vencida, the last of two or more
/// says it is the last, any between is a segundo aviso. A policy whose only step is +30 opens
/// with vencida, not with an último aviso.
fn tone(offset_days: i32, offsets: &[i32]) -> Tone {
    if offset_days <= 0 {
        return Tone::Friendly;
    }
    let mut overdue: Vec<i32> = offsets.iter().copied().filter(|&o| o > 0).collect();
    overdue.sort_unstable();
    overdue.dedup();
    match overdue.iter().position(|&o| o == offset_days) {
        Some(0) | None => Tone::Overdue,
        Some(place) if place + 1 == overdue.len() => Tone::Last,
        Some(_) => Tone::Second,
    }
}

/// The statement's words the guide proposes for a step `offset_days` from the due date, in a
/// policy whose steps are at `offsets`.
pub fn statement(offset_days: i32, offsets: &[i32], language: Language) -> StatementTemplate {
    let (subject, intro, closing) = match (language, tone(offset_days, offsets)) {
        (Language::Es, Tone::Friendly) => (
            "Recordatorio amistoso: su saldo vence pronto",
            "Estimado(a) {{ cliente }}:\n\nLe recordamos amablemente que tiene un saldo de \
             {{ saldo }} próximo a vencer. Le enviamos su estado de cuenta al {{ fecha }}; lo \
             encontrará también adjunto en PDF.",
            "Si ya realizó el pago, por favor ignore este mensaje. ¡Muchas gracias por su \
             confianza!\n\nAtentamente,\n{{ negocio }}",
        ),
        (Language::Es, Tone::Overdue) => (
            "Saldo vencido al {{ fecha }}",
            "Estimado(a) {{ cliente }}:\n\nSegún nuestros registros, su cuenta presenta un saldo \
             vencido de {{ saldo }} al {{ fecha }}. Le enviamos el detalle a continuación y \
             adjunto en PDF.",
            "Le agradecemos realizar el pago a la brevedad. Si ya pagó, por favor envíenos el \
             comprobante.\n\nAtentamente,\n{{ negocio }}",
        ),
        (Language::Es, Tone::Second) => (
            "Segundo aviso: saldo vencido de {{ saldo }}",
            "Estimado(a) {{ cliente }}:\n\nNo hemos recibido el pago de su saldo vencido de \
             {{ saldo }}, que ya le habíamos notificado. Este es su estado de cuenta al \
             {{ fecha }}.",
            "Le pedimos ponerse al día en los próximos días o comunicarse con nosotros para \
             acordar una fecha de pago. Si ya pagó, envíenos el comprobante.\n\nAtentamente,\n\
             {{ negocio }}",
        ),
        (Language::Es, Tone::Last) => (
            "Último aviso: saldo vencido de {{ saldo }}",
            "Estimado(a) {{ cliente }}:\n\nEste es nuestro último aviso sobre su saldo vencido de \
             {{ saldo }} al {{ fecha }}. A pesar de nuestros recordatorios anteriores, su cuenta \
             sigue pendiente.",
            "Le solicitamos realizar el pago de inmediato o comunicarse con nosotros hoy mismo. \
             De no recibir respuesta, suspenderemos las ventas a crédito hasta que su cuenta esté \
             al día. Si ya pagó, envíenos el comprobante.\n\nAtentamente,\n{{ negocio }}",
        ),
        (Language::En, Tone::Friendly) => (
            "Friendly reminder: your balance is due soon",
            "Dear {{ customer }},\n\nThis is a friendly reminder that a balance of {{ balance }} \
             is coming due. Please find your statement of account as of {{ date }}; it is also \
             attached as a PDF.",
            "If you have already paid, please disregard this message. Thank you for your \
             business!\n\nKind regards,\n{{ business }}",
        ),
        (Language::En, Tone::Overdue) => (
            "Overdue balance as of {{ date }}",
            "Dear {{ customer }},\n\nOur records show an overdue balance of {{ balance }} on your \
             account as of {{ date }}. The details are below and attached as a PDF.",
            "Please arrange payment at your earliest convenience. If you have already paid, \
             please send us the receipt.\n\nKind regards,\n{{ business }}",
        ),
        (Language::En, Tone::Second) => (
            "Second notice: overdue balance of {{ balance }}",
            "Dear {{ customer }},\n\nWe have not yet received payment of your overdue balance of \
             {{ balance }}, which we wrote to you about before. Here is your statement of account \
             as of {{ date }}.",
            "Please bring your account up to date within the next few days, or contact us to \
             agree on a payment date. If you have already paid, please send us the receipt.\n\n\
             Kind regards,\n{{ business }}",
        ),
        (Language::En, Tone::Last) => (
            "Final notice: overdue balance of {{ balance }}",
            "Dear {{ customer }},\n\nThis is our final notice about your overdue balance of \
             {{ balance }} as of {{ date }}. Despite our earlier reminders, your account remains \
             unpaid.",
            "Please pay immediately or contact us today. If we do not hear from you, we will \
             suspend sales on credit until your account is up to date. If you have already paid, \
             please send us the receipt.\n\nKind regards,\n{{ business }}",
        ),
    };
    StatementTemplate {
        subject: subject.to_owned(),
        intro: intro.to_owned(),
        closing: closing.to_owned(),
    }
}

/// The reminder's words the guide proposes for a step sent per receivable.
pub fn reminder(offset_days: i32, offsets: &[i32], language: Language) -> ReminderTemplate {
    let (subject, opening, closing) = match (language, tone(offset_days, offsets)) {
        (Language::Es, Tone::Friendly) => (
            "Recordatorio amistoso: {{ concepto }} vence el {{ fecha_vencimiento }}",
            "Le recordamos amablemente que su saldo de {{ saldo }} por {{ concepto }} vence el \
             {{ fecha_vencimiento }}.",
            "Si ya realizó el pago, por favor ignore este mensaje. ¡Muchas gracias por su \
             confianza!",
        ),
        (Language::Es, Tone::Overdue) => (
            "Pago vencido: {{ concepto }}",
            "Según nuestros registros, su saldo de {{ saldo }} por {{ concepto }} venció el \
             {{ fecha_vencimiento }}.",
            "Le agradecemos realizar el pago a la brevedad. Si ya pagó, por favor envíenos el \
             comprobante.",
        ),
        (Language::Es, Tone::Second) => (
            "Segundo aviso: {{ concepto }} vencido hace {{ dias_vencidos }} días",
            "No hemos recibido el pago de {{ saldo }} por {{ concepto }}, vencido desde el \
             {{ fecha_vencimiento }} ({{ dias_vencidos }} días), que ya le habíamos notificado.",
            "Le pedimos ponerse al día en los próximos días o comunicarse con nosotros para \
             acordar una fecha de pago. Si ya pagó, envíenos el comprobante.",
        ),
        (Language::Es, Tone::Last) => (
            "Último aviso: {{ concepto }} vencido hace {{ dias_vencidos }} días",
            "Este es nuestro último aviso: su saldo de {{ saldo }} por {{ concepto }} lleva \
             {{ dias_vencidos }} días vencido, a pesar de nuestros recordatorios anteriores.",
            "Le solicitamos realizar el pago de inmediato o comunicarse con nosotros hoy mismo. \
             De no recibir respuesta, suspenderemos las ventas a crédito hasta que su cuenta esté \
             al día. Si ya pagó, envíenos el comprobante.",
        ),
        (Language::En, Tone::Friendly) => (
            "Friendly reminder: {{ concept }} is due on {{ due_date }}",
            "This is a friendly reminder that your balance of {{ balance }} for {{ concept }} is \
             due on {{ due_date }}.",
            "If you have already paid, please disregard this message. Thank you for your business!",
        ),
        (Language::En, Tone::Overdue) => (
            "Payment overdue: {{ concept }}",
            "Our records show that your balance of {{ balance }} for {{ concept }} was due on \
             {{ due_date }}.",
            "Please arrange payment at your earliest convenience. If you have already paid, \
             please send us the receipt.",
        ),
        (Language::En, Tone::Second) => (
            "Second notice: {{ concept }} {{ days_overdue }} days overdue",
            "We have not yet received payment of {{ balance }} for {{ concept }}, due on \
             {{ due_date }} ({{ days_overdue }} days ago), which we wrote to you about before.",
            "Please bring your account up to date within the next few days, or contact us to \
             agree on a payment date. If you have already paid, please send us the receipt.",
        ),
        (Language::En, Tone::Last) => (
            "Final notice: {{ concept }} {{ days_overdue }} days overdue",
            "This is our final notice: your balance of {{ balance }} for {{ concept }} is \
             {{ days_overdue }} days overdue, despite our earlier reminders.",
            "Please pay immediately or contact us today. If we do not hear from you, we will \
             suspend sales on credit until your account is up to date. If you have already paid, \
             please send us the receipt.",
        ),
    };
    let body = match language {
        Language::Es => format!(
            "Estimado(a) {{{{ cliente }}}}:\n\n{opening}\n\nDocumento: {{{{ documento }}}}\n\n\
             Puede realizar su pago de la siguiente manera:\n{{{{ instrucciones_pago }}}}\n\n\
             {closing}\n\nAtentamente,\n{{{{ negocio }}}}"
        ),
        Language::En => format!(
            "Dear {{{{ customer }}}},\n\n{opening}\n\nDocument: {{{{ document_number }}}}\n\n\
             You can pay as follows:\n{{{{ payment_instructions }}}}\n\n{closing}\n\n\
             Kind regards,\n{{{{ business }}}}"
        ),
    };
    ReminderTemplate {
        subject: subject.to_owned(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proposal_passes_its_units_own_checks_in_its_language() {
        let offsets = [-3, 1, 7, 15, 40];
        for language in [Language::Es, Language::En] {
            for offset in offsets {
                let words = statement(offset, &offsets, language);
                assert_eq!(words.clone().validated(language).expect("valid"), words);
                let words = reminder(offset, &offsets, language);
                assert_eq!(words.clone().validated(language).expect("valid"), words);
            }
        }
    }

    #[test]
    fn the_words_get_firmer_and_the_last_says_it_is_the_last() {
        let guide = [-3, 1, 7, 15];
        let subjects: Vec<String> = guide
            .into_iter()
            .map(|offset| statement(offset, &guide, Language::Es).subject)
            .collect();
        assert!(subjects[0].starts_with("Recordatorio amistoso"));
        assert!(subjects[1].starts_with("Saldo vencido"));
        assert!(subjects[2].starts_with("Segundo aviso"));
        assert!(subjects[3].starts_with("Último aviso"));
        assert!(reminder(30, &[1, 30], Language::En)
            .subject
            .starts_with("Final notice"));
        assert!(statement(15, &guide, Language::En)
            .intro
            .contains("final notice"));
    }

    #[test]
    fn a_policy_that_starts_late_opens_with_vencida_not_with_a_last_notice() {
        assert!(statement(30, &[30], Language::Es)
            .subject
            .starts_with("Saldo vencido"));
        assert!(statement(30, &[30, 45, 60], Language::Es)
            .subject
            .starts_with("Saldo vencido"));
        assert!(statement(45, &[30, 45, 60], Language::Es)
            .subject
            .starts_with("Segundo aviso"));
    }
}
