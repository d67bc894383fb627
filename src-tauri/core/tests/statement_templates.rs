//! The words around a statement's table, per language: saved and checked like the reminder's,
//! previewed with a sample statement, used when one is queued — and a template that skipped the
//! checks (a restored copy) never rendered, nor able to hang anything.

mod common;

use std::time::{Duration, Instant};

use cachicamo_core::locale::Language;
use cachicamo_core::statements::queue::{self, SendStatement};
use cachicamo_core::statements::{sample, template, StatementError, StatementTemplate};
use cachicamo_core::validation::FieldProblem;
use common::*;

fn mine() -> StatementTemplate {
    StatementTemplate {
        subject: "Su cuenta con {{ negocio }} al {{ fecha }}".into(),
        intro: "Hola {{ cliente }}, debe {{ saldo }}.".into(),
        closing: "Gracias.\r\n\r\n{{ negocio }}\r\n".into(),
    }
}

#[test]
fn a_saved_template_is_used_until_the_default_is_restored() {
    let shop = Books::for_statements();
    let standard = template::view(&shop.db, Language::Es).expect("default");
    assert!(standard.is_default && !standard.saved_was_invalid);
    assert_eq!(standard.variables[0].name, "cliente");
    let saved = template::save(&shop.db, Language::Es, mine()).expect("saved");
    assert!(!saved.is_default);
    assert_eq!(saved.template.closing, "Gracias.\n\n{{ negocio }}");
    let ana = shop.ana(Language::Es);
    let id = queue::queue(
        &shop.db,
        &SendStatement {
            customer_id: ana,
            ..SendStatement::default()
        },
        &STATEMENT_DAY,
    )
    .expect("queued");
    let (subject, text): (String, String) = shop
        .db
        .read(|c| {
            c.query_row(
                "SELECT subject, text_body FROM outbox WHERE id = ?1",
                [id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .expect("row");
    assert_eq!(
        subject,
        "Su cuenta con Ferretería El Tornillo al 30/11/2026"
    );
    assert!(
        text.starts_with("Hola Inversiones Ana Pérez, C.A., debe USD 1.100,00 y VES 2.000,00.\n")
    );
    assert!(
        text.ends_with("Gracias.\n\nFerretería El Tornillo\n"),
        "{text}"
    );
    let english = template::view(&shop.db, Language::En).expect("en");
    assert!(english.is_default, "each language its own");
    assert!(
        template::reset(&shop.db, Language::Es)
            .expect("reset")
            .is_default
    );
}

#[test]
fn bad_templates_are_refused_by_field_and_nothing_changes() {
    let shop = Books::for_statements();
    for (template, field, problem) in [
        (
            StatementTemplate {
                intro: "Hola {{ customer }}".into(),
                ..mine()
            },
            "intro",
            FieldProblem::UnknownVariable,
        ),
        (
            StatementTemplate {
                closing: "{% for i in range(9) %}x{% endfor %}".into(),
                ..mine()
            },
            "closing",
            FieldProblem::TemplateSyntax,
        ),
        (
            StatementTemplate {
                subject: "Estado\nBcc: todos@ejemplo.com".into(),
                ..mine()
            },
            "subject",
            FieldProblem::MultipleLines,
        ),
        (
            StatementTemplate {
                intro: " ".into(),
                ..mine()
            },
            "intro",
            FieldProblem::Required,
        ),
        (
            StatementTemplate {
                intro: "x".repeat(5_001),
                ..mine()
            },
            "intro",
            FieldProblem::TooLong,
        ),
    ] {
        let Err(StatementError::Invalid(fields)) = template::save(&shop.db, Language::Es, template)
        else {
            panic!("refused");
        };
        assert_eq!(
            (fields[0].field.as_str(), fields[0].problem),
            (field, problem)
        );
    }
    assert!(
        template::view(&shop.db, Language::Es)
            .expect("view")
            .is_default
    );
}

#[test]
fn a_template_that_skipped_the_checks_is_never_rendered_and_cannot_hang() {
    let shop = Books::for_statements();
    // As a restored copy could carry it: a loop no editor would accept.
    let hostile = serde_json::json!({
        "subject": "Estado",
        "intro": "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}",
        "closing": "Fin",
    });
    cachicamo_core::settings::set_statement_template(&shop.db, Language::Es, &hostile)
        .expect("stored raw");
    let view = template::view(&shop.db, Language::Es).expect("view");
    assert!(view.saved_was_invalid && view.is_default);
    let ana = shop.ana(Language::Es);
    let started = Instant::now();
    let draft = queue::preview(
        &shop.db,
        &SendStatement {
            customer_id: ana,
            ..SendStatement::default()
        },
        &STATEMENT_DAY,
    )
    .expect("the default stands in");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(draft.message.text.starts_with("Estimado(a)"));
}

#[test]
fn the_preview_shows_a_sample_statement_with_the_real_business() {
    let shop = Books::for_statements();
    let rendered = sample::preview(
        &shop.db,
        Language::Es,
        StatementTemplate::standard(Language::Es),
        &STATEMENT_DAY,
    )
    .expect("preview");
    assert!(rendered
        .text
        .starts_with("Estimado(a) Inversiones Pérez & Hijos, C.A.:"));
    assert!(rendered
        .text
        .contains("F-000123 · Materiales de construcción"));
    assert!(
        rendered.text.contains("Zelle: cobros@tornillo.com"),
        "{}",
        rendered.text
    );
    assert!(rendered.html.contains("Ferretería El Tornillo"));
    assert!(rendered.html.contains("Pérez &amp; Hijos"));
    let refused = sample::preview(
        &shop.db,
        Language::En,
        StatementTemplate {
            intro: "{{ cliente }}".into(),
            ..StatementTemplate::standard(Language::En)
        },
        &STATEMENT_DAY,
    );
    assert!(matches!(refused, Err(StatementError::Invalid(_))));
}
