//! A shop's books at the scale the product promises to stay fast at: customers, receivables
//! and payments written straight into a real Cachicamo database (opened, and so migrated, by
//! the core), for the scale benchmark and the end-to-end paging story.
//!
//! Bulk SQL in one transaction, because writing 250,000 rows one user action at a time would
//! take minutes; the invariants the core keeps (`paid` is the sum of active payments, Pagada
//! when nothing is owed, a history entry per change) are kept here too.

use std::path::Path;

use cachicamo_core::books::reading::Reading;
use cachicamo_core::books::search_key;
use cachicamo_core::business::{self, Business};
use cachicamo_core::locale::Region;
use cachicamo_core::payment_options::{self, PaymentOption, PaymentOptionDetails};
use cachicamo_core::Database;
use rusqlite::params;
use time::{Date, Duration};

#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub customers: u32,
    pub receivables: u32,
}

impl Scale {
    /// 10,000 customers, 100,000 receivables, 150,000 payments.
    pub const PROMISED: Scale = Scale {
        customers: 10_000,
        receivables: 100_000,
    };
}

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    pub customers: u32,
    pub receivables: u32,
    pub pending: u32,
    pub payments: u32,
}

const NAMES: &[&str] = &[
    "Ferretería",
    "Bodega",
    "Taller",
    "Panadería",
    "Distribuidora",
    "Farmacia",
    "Abastos",
    "Repuestos",
    "Librería",
    "Zapatería",
];
const SURNAMES: &[&str] = &[
    "Peña",
    "Rodríguez",
    "González",
    "Pérez",
    "Hernández",
    "Díaz",
    "Núñez",
    "Muñoz",
    "Ávila",
    "Suárez",
];

/// Deterministic, so two runs measure the same books.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Seeds the database at `path` (created and migrated by the core if new). Of every ten
/// receivables, four have no payment, five have two partial ones and one is paid off in five:
/// 1.5 payments each on average, 90% still pending. Due dates spread around `today`.
pub fn seed(path: &Path, scale: Scale, today: Date) -> Seeded {
    drop(Database::open(path).expect("the core opens and migrates the database"));
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
    let tx = conn.transaction().expect("transaction");
    let mut dice = Dice(0x00C0_FFEE);
    let mut seeded = Seeded {
        customers: scale.customers,
        receivables: scale.receivables,
        pending: 0,
        payments: 0,
    };
    {
        let mut customer = tx
            .prepare(
                "INSERT INTO customers (id, name, email, email_language, search_key)
                 VALUES (?1, ?2, ?3, 'es', ?4)",
            )
            .expect("prepare");
        let mut names = Vec::with_capacity(scale.customers as usize);
        for id in 1..=scale.customers {
            let name = format!(
                "{} {} {id:05}",
                NAMES[dice.roll(NAMES.len() as u64) as usize],
                SURNAMES[dice.roll(SURNAMES.len() as u64) as usize]
            );
            let email = format!("cliente{id}@example.com");
            customer
                .execute(params![id, name, email, search_key(&name)])
                .expect("customer");
            names.push(name);
        }
        let mut receivable = tx
            .prepare(
                "INSERT INTO receivables (id, customer_id, document_number, concept, currency,
                     amount, paid, issue_date, due_date, status, customer_key, document_key)
                 VALUES (?1, ?2, ?3, 'Mercancía', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .expect("prepare");
        let mut payment = tx
            .prepare(
                "INSERT INTO payments (receivable_id, paid_on, method, currency, amount, applied)
                 VALUES (?1, ?2, 'transfer', ?3, ?4, ?4)",
            )
            .expect("prepare");
        let mut event = tx
            .prepare(
                "INSERT INTO receivable_events (receivable_id, kind, details)
                 VALUES (?1, ?2, json_object('amount', ?3))",
            )
            .expect("prepare");
        for id in 1..=scale.receivables {
            let customer_id = 1 + dice.roll(u64::from(scale.customers)) as u32;
            let name = &names[customer_id as usize - 1];
            let currency = if dice.roll(5) == 0 { "VES" } else { "USD" };
            let amount = 1_000 + dice.roll(500_000) as i64;
            let issue = today - Duration::days(dice.roll(400) as i64);
            let due = issue + Duration::days(dice.roll(90) as i64);
            let instalments: Vec<i64> = match id % 10 {
                0..=3 => vec![],
                4..=8 => vec![amount / 4, amount / 4],
                _ => {
                    let part = amount / 5;
                    vec![part, part, part, part, amount - 4 * part]
                }
            };
            let paid: i64 = instalments.iter().sum();
            let status = if paid == amount { "paid" } else { "pending" };
            if status == "pending" {
                seeded.pending += 1;
            }
            let document = format!("F-{id:06}");
            receivable
                .execute(params![
                    id,
                    customer_id,
                    document,
                    currency,
                    amount,
                    paid,
                    iso(issue),
                    iso(due),
                    status,
                    search_key(name),
                    search_key(&document),
                ])
                .expect("receivable");
            event
                .execute(params![id, "created", amount])
                .expect("event");
            for instalment in instalments {
                payment
                    .execute(params![id, iso(due), currency, instalment])
                    .expect("payment");
                event
                    .execute(params![id, "payment_recorded", instalment])
                    .expect("event");
                seeded.payments += 1;
            }
            if status == "paid" {
                event.execute(params![id, "paid", amount]).expect("event");
            }
        }
    }
    tx.commit().expect("commit");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .expect("checkpoint");
    seeded
}

fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The business and its formas de pago (Pago Móvil for bolívares, Zelle for dollars), in any
/// shop's database.
pub fn statement_business(db: &Database) {
    business::save(
        db,
        Business {
            name: "Ferretería El Tornillo".into(),
            tax_id: "J-12345678-9".into(),
            address: "Av. Bolívar 12, Valencia".into(),
            phone: "0241-5550101".into(),
            default_currency: "USD".into(),
            payment_instructions: String::new(),
        },
    )
    .expect("business");
    payment_options::save(
        db,
        vec![
            PaymentOption {
                details: PaymentOptionDetails::PagoMovil {
                    bank: "Banesco".into(),
                    phone: "0414-1234567".into(),
                    id_number: "V-12345678".into(),
                },
                currencies: Some(vec!["VES".into()]),
            },
            PaymentOption {
                details: PaymentOptionDetails::Zelle {
                    email: "cobros@tornillo.com".into(),
                    holder: "José Pérez".into(),
                },
                currencies: Some(vec!["USD".into()]),
            },
        ],
    )
    .expect("formas de pago");
}

/// The benchmarks' book: the promised scale in a new database at `path`, as of a fixed day read
/// the Venezuelan way; how long seeding took is the first line of the report.
#[allow(clippy::print_stdout)] // Only benchmarks call it; they report on stdout.
pub fn bench_book(path: &Path) -> (Seeded, Reading) {
    let reading = Reading {
        region: Region::EsVe,
        today: time::macros::date!(2026 - 06 - 15),
    };
    let started = std::time::Instant::now();
    let seeded = seed(path, Scale::PROMISED, reading.today);
    println!(
        "seeded {} customers, {} receivables ({} pending), {} payments in {:.1} s",
        seeded.customers,
        seeded.receivables,
        seeded.pending,
        seeded.payments,
        started.elapsed().as_secs_f64()
    );
    (seeded, reading)
}
