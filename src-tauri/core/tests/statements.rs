//! Estados de cuenta against a real SQLite file: one model, three renderings (text, HTML, PDF)
//! that agree with each other and with the ledger; hostile names and concepts; a statement long
//! enough to run over many pages; what is owed nothing.

mod common;

use std::time::{Duration, Instant};

use cachicamo_core::books::BooksError;
use cachicamo_core::locale::Language;
use cachicamo_core::outbox::{self, QueuedEmail};
use cachicamo_core::statements::{self, pdf, StatementError, StatementTemplate};
use common::*;

const GOLDEN_ES: &str = "\
Estimado(a) Inversiones Ana Pérez, C.A.:

Reciba un cordial saludo. Le enviamos su estado de cuenta al 30/11/2026, con un saldo pendiente de USD 1.100,00 y VES 2.000,00. Lo encontrará también adjunto en PDF.

ESTADO DE CUENTA al 30/11/2026
Inversiones Ana Pérez, C.A.

Saldo en USD
- F-0001 · Cemento gris
  Emisión 01/10/2026 · Vencimiento 31/10/2026 · 30 días vencida
  Monto USD 150,00 · Abonado USD 50,00 · Saldo USD 100,00
- F-0002 · Cabillas de 1/2\"
  Emisión 15/11/2026 · Vencimiento 15/12/2026 · por vencer
  Monto USD 1.000,00 · Abonado USD 0,00 · Saldo USD 1.000,00
Total USD: Monto USD 1.150,00 · Abonado USD 50,00 · Saldo USD 1.100,00
Vencido: USD 100,00

Saldo en VES
- F-0003 · Flete Valencia–Maracay
  Emisión 01/11/2026 · Vencimiento 20/11/2026 · 10 días vencida
  Monto VES 3.500,00 · Abonado VES 1.500,00 · Saldo VES 2.000,00
Total VES: Monto VES 3.500,00 · Abonado VES 1.500,00 · Saldo VES 2.000,00
Vencido: VES 2.000,00

Abonos recibidos
- Recibimos su abono de USD 50,00 el 12/11/2026 (F-0001).
- Recibimos su abono de VES 1.500,00 el 25/11/2026 (F-0003).

Formas de pago
Pago Móvil: Banesco · 0414-1234567 · V-12345678
Zelle: cobros@tornillo.com · titular José Pérez
Indique como referencia el número del documento que paga.

Si ya realizó algún pago, por favor envíenos el comprobante. ¡Muchas gracias por su confianza!

Atentamente,
Ferretería El Tornillo
";

const GOLDEN_EN: &str = "\
Dear Inversiones Ana Pérez, C.A.,

Please find your statement of account as of 11/30/2026, with a balance of USD 1,100.00 and VES 2,000.00. It is also attached as a PDF.

STATEMENT OF ACCOUNT as of 11/30/2026
Inversiones Ana Pérez, C.A.

Balance in USD
- F-0001 · Cemento gris
  Issued 10/01/2026 · Due 10/31/2026 · 30 days overdue
  Amount USD 150.00 · Paid USD 50.00 · Balance USD 100.00
- F-0002 · Cabillas de 1/2\"
  Issued 11/15/2026 · Due 12/15/2026 · not yet due
  Amount USD 1,000.00 · Paid USD 0.00 · Balance USD 1,000.00
Total USD: Amount USD 1,150.00 · Paid USD 50.00 · Balance USD 1,100.00
Overdue: USD 100.00

Balance in VES
- F-0003 · Flete Valencia–Maracay
  Issued 11/01/2026 · Due 11/20/2026 · 10 days overdue
  Amount VES 3,500.00 · Paid VES 1,500.00 · Balance VES 2,000.00
Total VES: Amount VES 3,500.00 · Paid VES 1,500.00 · Balance VES 2,000.00
Overdue: VES 2,000.00

Payments received
- We received your payment of USD 50.00 on 11/12/2026 (F-0001).
- We received your payment of VES 1,500.00 on 11/25/2026 (F-0003).

Payment methods
Pago Móvil: Banesco · 0414-1234567 · V-12345678
Zelle: cobros@tornillo.com · holder José Pérez
Please use the number of the document you pay as the payment reference.

If you have already paid, please send us the receipt. Thank you for your business!

Kind regards,
Ferretería El Tornillo
";

#[test]
fn a_customer_owing_dollars_and_bolivares_gets_one_statement_whose_three_parts_agree() {
    for (language, golden, figures, subject, file) in [
        (
            Language::Es,
            GOLDEN_ES,
            [
                "1.100,00",
                "2.000,00",
                "100,00",
                "1.150,00",
                "3.500,00",
                "1.500,00",
                "12/11/2026",
            ],
            "Estado de cuenta al 30/11/2026",
            "Estado de cuenta – Inversiones Ana Pérez, C.A. – 2026-11-30.pdf",
        ),
        (
            Language::En,
            GOLDEN_EN,
            [
                "1,100.00",
                "2,000.00",
                "100.00",
                "1,150.00",
                "3,500.00",
                "1,500.00",
                "11/12/2026",
            ],
            "Statement of account as of 11/30/2026",
            "Statement – Inversiones Ana Pérez, C.A. – 2026-11-30.pdf",
        ),
    ] {
        let shop = Books::for_statements();
        let ana = shop.ana(language);
        let statement = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
        // The subtotals are the ledger's balances, currency by currency, never summed across.
        assert_eq!(statement.balances(), shop.ledger(ana));
        assert_eq!(
            statement.balances(),
            vec![("USD".to_owned(), 110_000), ("VES".to_owned(), 200_000)]
        );
        let rendered =
            statements::render(&statement, &StatementTemplate::standard(language)).expect("render");
        assert_eq!(rendered.subject, subject);
        assert_eq!(rendered.file_name, file);
        assert_eq!(rendered.text, golden, "{language:?}");
        let pdf_bytes = pdf::render(&statement).expect("pdf");
        assert!(pdf_bytes.starts_with(b"%PDF-"));
        let pdf = pdf_text(&pdf_bytes);
        for figure in figures {
            assert!(rendered.text.contains(figure), "text lacks {figure}");
            assert!(rendered.html.contains(figure), "HTML lacks {figure}");
            assert!(pdf.contains(figure), "PDF lacks {figure}:\n{pdf}");
        }
        for part in [&rendered.text, &rendered.html, &pdf] {
            assert!(part.contains("F-0001") && part.contains("F-0003"));
            for absent in ["F-0004", "F-0005", "F-0006", "Bodega"] {
                assert!(!part.contains(absent), "{absent} is not Ana's to see");
            }
        }
        // The business and the customer head the PDF.
        for head in [
            "Ferretería El Tornillo",
            "J-12345678-9",
            "Av. Bolívar 12, Valencia",
        ] {
            assert!(pdf.contains(head), "PDF lacks {head}");
        }
        assert!(rendered.html.contains("Cabillas de 1/2&quot;"));
    }
}

#[test]
fn nothing_owed_is_refused_with_a_reason() {
    let shop = Books::for_statements();
    let paid_up = shop.customer_speaking("Cliente al día", Language::Es);
    let id = shop.owes(paid_up, "P-1", "Tornillos", "USD 10,00", DUE_NOV_15);
    shop.pay(id, "10,00", "10/11/2026");
    let never = shop.customer_speaking("Cliente nuevo", Language::Es);
    for customer in [paid_up, never] {
        let refused = statements::of_customer(&shop.db, customer, &STATEMENT_DAY);
        assert!(
            matches!(refused, Err(StatementError::NothingOwed)),
            "{refused:?}"
        );
    }
    assert!(matches!(
        statements::of_customer(&shop.db, 9_999, &STATEMENT_DAY),
        Err(StatementError::Books(BooksError::NotFound { .. }))
    ));
}

#[test]
fn a_script_in_a_name_is_only_text_and_a_huge_concept_stays_in_its_cell() {
    let shop = Books::for_statements();
    let hostile = shop.customer_speaking("<script>alert(1)</script> & \"Hijos\"", Language::Es);
    shop.owes(
        hostile,
        "<b>X-1</b>",
        "<img src=x onerror=alert(1)>",
        "USD 25,00",
        DUE_NOV_30,
    );
    let mut statement =
        statements::of_customer(&shop.db, hostile, &STATEMENT_DAY).expect("statement");
    let rendered =
        statements::render(&statement, &StatementTemplate::standard(Language::Es)).expect("render");
    assert!(!rendered.html.contains("<script"), "{}", rendered.html);
    assert!(!rendered.html.contains("<img") && !rendered.html.contains("<b>X"));
    assert!(rendered
        .html
        .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Hijos&quot;"));
    assert!(rendered
        .text
        .contains("<script>alert(1)</script> & \"Hijos\""));
    assert!(
        !rendered.file_name.contains(['<', '>', '/', '"']),
        "{}",
        rendered.file_name
    );
    let pdf = pdf_text(&pdf::render(&statement).expect("pdf"));
    assert!(pdf.contains("<script>alert(1)</script>"), "{pdf}");

    // The books keep concepts to 500 characters; a model carrying a megabyte still renders,
    // quickly, with the concept wrapped to three lines in its cell.
    let megabyte = "Cemento gris de primera calidad ".repeat(32 * 1024);
    statement.groups[0].lines[0].concept = megabyte.clone();
    let started = Instant::now();
    let rendered =
        statements::render(&statement, &StatementTemplate::standard(Language::Es)).expect("render");
    let bytes = pdf::render(&statement).expect("pdf");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(rendered.html.contains(&megabyte[..1000]));
    let pdf = pdf_text(&bytes);
    let concept_lines = pdf
        .lines()
        .filter(|l| l.contains("primera") || l.contains("Cemento"));
    assert!(concept_lines.count() <= 3, "three lines at most:\n{pdf}");
    assert!(pdf.contains('…'));
    assert_eq!(pdf::page_count(&statement), 1);
}

#[test]
fn five_hundred_open_receivables_run_over_pages_with_their_heading_repeated() {
    let shop = Books::for_statements();
    let big = shop.customer_speaking("Constructora Los Andes", Language::Es);
    shop.db
        .write(|tx| {
            for n in 1..=500 {
                tx.execute(
                    "INSERT INTO receivables (customer_id, document_number, concept, currency,
                         amount, issue_date, due_date, customer_key, document_key)
                     VALUES (?1, ?2, 'Materiales varios para la obra', 'USD', ?3,
                             '2026-10-01', '2026-10-31', 'constructora', ?2)",
                    rusqlite::params![big, format!("R-{n:04}"), 1_000 + n],
                )?;
            }
            Ok::<_, rusqlite::Error>(())
        })
        .expect("500 receivables");
    let statement = statements::of_customer(&shop.db, big, &STATEMENT_DAY).expect("statement");
    assert_eq!(statement.groups[0].lines.len(), 500);
    assert_eq!(statement.balances(), shop.ledger(big));
    let pdf = pdf_text(&pdf::render(&statement).expect("pdf"));
    let pages: Vec<&str> = pdf.split('\x0c').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 10, "{} pages", pages.len());
    assert_eq!(pages.len(), pdf::page_count(&statement));
    for (index, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Documento") && page.contains("Saldo"),
            "page {index}"
        );
        assert!(page.contains(&format!("Página {} de {}", index + 1, pages.len())));
        if index > 0 {
            assert!(
                page.contains("Saldo en USD (continúa)"),
                "page {index}:\n{page}"
            );
        }
    }
    for n in 1..=500 {
        let document = format!("R-{n:04}");
        assert_eq!(pdf.matches(&document).count(), 1, "{document} once");
    }
    let total = statement.groups[0].totals.balance;
    assert_eq!(total, (1..=500).map(|n| 1_000 + n).sum::<i64>());
    let last = pages.last().expect("a last page");
    assert!(
        last.contains("Total USD") && last.contains("6.252,50"),
        "{last}"
    );
}

#[test]
fn payments_are_acknowledged_once_a_statement_was_sent_only_when_newer() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    let first = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
    assert_eq!(
        first.payments.len(),
        2,
        "before any statement: what paid what is owed"
    );
    shop.db
        .write(|tx| {
            let id = outbox::enqueue(
                tx,
                QueuedEmail {
                    to: "cobros@cliente.com".parse().expect("address"),
                    subject: "Estado de cuenta".into(),
                    text: "…".into(),
                    html: "<p>…</p>".into(),
                    reference: Some(format!("statement:{ana}")),
                    facts: None,
                    attachments: Vec::new(),
                },
            )?;
            // The earlier payments a minute ago, the statement half a minute ago: the payment
            // recorded next is after it, whatever the clock's resolution.
            tx.execute(
                "UPDATE payments SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-60 seconds')",
                [],
            )?;
            tx.execute(
                "UPDATE outbox SET state = 'sent',
                     sent_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 seconds') WHERE id = ?1",
                [id.0],
            )?;
            Ok::<_, outbox::OutboxError>(())
        })
        .expect("a statement was sent");
    let document = shop.receivable_numbered("F-0002");
    shop.pay(document, "100,00", "29/11/2026");
    let next = statements::of_customer(&shop.db, ana, &STATEMENT_DAY).expect("statement");
    let rendered =
        statements::render(&next, &StatementTemplate::standard(Language::Es)).expect("render");
    assert_eq!(next.payments.len(), 1, "{:?}", next.payments);
    assert!(rendered
        .text
        .contains("- Recibimos su abono de USD 100,00 el 29/11/2026 (F-0002)."));
    assert!(!rendered.text.contains("USD 50,00 el 12/11/2026"));
}

#[test]
fn guardar_pdf_writes_the_statements_pdf_under_its_own_name_and_never_over_another() {
    let shop = Books::for_statements();
    let ana = shop.ana(Language::Es);
    let downloads = tempfile::tempdir().expect("downloads");
    let first = statements::queue::save_pdf(&shop.db, ana, &STATEMENT_DAY, downloads.path())
        .expect("saved");
    assert_eq!(
        first.file_name().and_then(|n| n.to_str()),
        Some("Estado de cuenta – Inversiones Ana Pérez, C.A. – 2026-11-30.pdf")
    );
    let text = pdf_text(&std::fs::read(&first).expect("the file"));
    assert!(
        text.contains("1.100,00") && text.contains("2.000,00"),
        "{text}"
    );
    let second = statements::queue::save_pdf(&shop.db, ana, &STATEMENT_DAY, downloads.path())
        .expect("saved again");
    assert_eq!(
        second.file_name().and_then(|n| n.to_str()),
        Some("Estado de cuenta – Inversiones Ana Pérez, C.A. – 2026-11-30 (2).pdf")
    );
    assert_eq!(std::fs::read_dir(downloads.path()).expect("dir").count(), 2);
    let paid_up = shop.customer_speaking("Cliente nuevo", Language::Es);
    assert!(matches!(
        statements::queue::save_pdf(&shop.db, paid_up, &STATEMENT_DAY, downloads.path()),
        Err(StatementError::NothingOwed)
    ));
}
