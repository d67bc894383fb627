//! Tasa de referencia: typed with its day and source, kept as typed, and shown under a
//! statement's subtotal only when it is today's.

mod common;

use cachicamo_core::books::BooksError;
use cachicamo_core::locale::Language;
use cachicamo_core::reference_rates::{self, ReferenceRateForm};
use cachicamo_core::statements::{self, pdf, StatementTemplate};
use cachicamo_core::validation::FieldProblem;
use common::*;

fn bcv(rate: &str, on: &str) -> ReferenceRateForm {
    ReferenceRateForm {
        base: "USD".into(),
        quote: "VES".into(),
        rate: rate.into(),
        rate_on: on.into(),
        source: "BCV".into(),
    }
}

#[test]
fn a_rate_is_kept_as_typed_with_its_day_and_bad_ones_are_refused_by_field() {
    let shop = Books::for_statements();
    let saved = reference_rates::save(&shop.db, &bcv("36,50", ""), &STATEMENT_DAY).expect("saved");
    assert_eq!(saved.rate, "36,50");
    assert_eq!(saved.rate_text, "36.50");
    assert_eq!(saved.rate_on.iso, "2026-11-30", "empty means today");
    assert!(saved.is_today);
    reference_rates::save(&shop.db, &bcv("36,7512", "29/11/2026"), &STATEMENT_DAY).expect("saved");
    let latest = reference_rates::latest(&shop.db, &STATEMENT_DAY).expect("latest");
    assert_eq!(latest.len(), 1, "one per pair");
    assert_eq!(
        (latest[0].rate.as_str(), latest[0].is_today),
        ("36,7512", false)
    );

    let Err(BooksError::Invalid(fields)) = reference_rates::save(
        &shop.db,
        &ReferenceRateForm {
            base: "USD".into(),
            quote: "usd".into(),
            rate: "0".into(),
            rate_on: "01/12/2026".into(),
            source: " ".into(),
        },
        &STATEMENT_DAY,
    ) else {
        panic!("refused");
    };
    let named: Vec<(&str, FieldProblem)> = fields
        .iter()
        .map(|f| (f.field.as_str(), f.problem))
        .collect();
    assert_eq!(
        named,
        [
            ("quote", FieldProblem::SameCurrency),
            ("rate", FieldProblem::NotPositive),
            ("rateOn", FieldProblem::DateInFuture),
            ("source", FieldProblem::Required),
        ]
    );
    assert_eq!(
        reference_rates::latest(&shop.db, &STATEMENT_DAY)
            .expect("latest")
            .len(),
        1
    );
}

#[test]
fn todays_rate_adds_the_reference_equivalent_under_its_subtotal_in_all_three_parts() {
    for (language, overdue, line) in [
        (
            Language::Es,
            "Vencido: USD 100,00",
            "Equivalente referencial: VES 40.150,00 a tasa BCV del 30/11/2026",
        ),
        (
            Language::En,
            "Overdue: USD 100.00",
            "Reference equivalent: VES 40,150.00 at the BCV rate of 11/30/2026",
        ),
    ] {
        let shop = Books::for_statements();
        let ana = shop.ana(language);
        reference_rates::save(&shop.db, &bcv("36,50", "30/11/2026"), &STATEMENT_DAY).expect("rate");
        let statement = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
        let usd = &statement.groups[0];
        let equivalent = usd.equivalent.as_ref().expect("today's rate");
        // USD 1.100,00 × 36,50 = VES 40.150,00, the rate kept with what the statement says.
        assert_eq!(
            (equivalent.amount, equivalent.rate.as_str()),
            (4_015_000, "36.50")
        );
        assert_eq!(
            statement.groups[1].equivalent, None,
            "no rate from bolívares"
        );
        let rendered =
            statements::render(&statement, &StatementTemplate::standard(language)).expect("render");
        let pdf = pdf_text(&pdf::render(&statement).expect("pdf"));
        // Under the dollars' subtotal, after what of it is overdue.
        assert!(
            rendered.text.contains(&format!("{overdue}\n{line}\n")),
            "{}",
            rendered.text
        );
        assert!(rendered.html.contains(line));
        assert!(pdf.contains(line), "{pdf}");
    }
}

#[test]
fn a_rate_dated_yesterday_is_not_shown() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    reference_rates::save(&shop.db, &bcv("36,50", "29/11/2026"), &STATEMENT_DAY).expect("rate");
    let statement = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
    assert!(statement.groups.iter().all(|g| g.equivalent.is_none()));
    let rendered =
        statements::render(&statement, &StatementTemplate::standard(Language::Es)).expect("render");
    let pdf = pdf_text(&pdf::render(&statement).expect("pdf"));
    for part in [&rendered.text, &rendered.html, &pdf] {
        assert!(!part.contains("Equivalente referencial"));
        assert!(!part.contains("BCV"));
    }
}
