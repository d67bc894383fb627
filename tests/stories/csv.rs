//! A shop's spreadsheet comes in and Pagos Pendientes goes out to Excel: a Windows-1252,
//! semicolon-separated file from Spanish Excel is previewed, a broken one is refused with each
//! row's problem, the good one is imported whole, and the export opens with its accents.

use std::path::Path;

use cachicamo_e2e::AppUnderTest;

use crate::helpers::{pick_file, Desktop};

const GOOD: &str = "Cliente;RIF;Número de documento;Concepto;Moneda;Monto;Fecha de emisión;Fecha de vencimiento\r\n\
Ferretería José Peña;J-12345678-9;F-0001;Cemento gris;USD;1.500,50;01/03/2026;31/03/2026\r\n\
Bodega La Esquina;;F-0002;Harina;VES;2.000;05/03/2026;15/03/2026\r\n";

fn spanish_excel(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable, "the test file fits Windows-1252");
    bytes.into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spanish_excel_file_is_previewed_imported_whole_and_exported_back() {
    let desktop = Desktop::new();
    let downloads = &desktop.downloads;
    let broken = desktop.path().join("cuentas con errores.csv");
    std::fs::write(
        &broken,
        spanish_excel(
            &GOOD
                .replace("1.500,50", "1.500,505")
                .replace("15/03/2026", "15/13/2026"),
        ),
    )
    .expect("broken file");
    let good = desktop.path().join("cuentas.csv");
    std::fs::write(&good, spanish_excel(GOOD)).expect("good file");

    let (xdg, config) = desktop.env();
    let app = AppUnderTest::start(&[("LANG", "es_VE.UTF-8"), (xdg, &config)]);
    let window = app.open().await;
    window.wait_for_text("main h1", "Pagos Pendientes").await;

    // A broken file: every row's problem, by line and column, and the import stays closed.
    window.click("#csv-import-open").await;
    pick_file(&window, "#csv-file", &broken).await;
    window
        .wait_for_text_containing("#csv-problems", "2 problemas")
        .await;
    window
        .wait_for_text_containing(
            "#csv-problems li[data-line='2']",
            "Línea 2, columna «Monto»",
        )
        .await;
    window
        .wait_for_text_containing("#csv-problems li[data-line='3']", "Fecha de vencimiento")
        .await;
    assert!(
        !window
            .wait_for("#csv-import-confirm")
            .await
            .is_enabled()
            .await
            .expect("enabled?"),
        "nothing can be imported while a row has a problem"
    );

    // The good file: a preview in the file's own words, then everything at once.
    window.click("#csv-import-cancel").await;
    window.click("#csv-import-open").await;
    pick_file(&window, "#csv-file", &good).await;
    window
        .wait_for_text_containing("#csv-summary", "2 cuentas por cobrar y 2 clientes nuevos")
        .await;
    window
        .wait_for_text_containing("#csv-summary", "Windows-1252")
        .await;
    window
        .wait_for_text_containing("#csv-sample", "Ferretería José Peña")
        .await;
    window
        .wait_for_text_containing("#csv-sample", "USD 1.500,50")
        .await;
    window.screenshot("es-csv-preview").await;
    window.click("#csv-import-confirm").await;
    window
        .wait_for_text_containing(
            "#pending-notice",
            "2 cuentas por cobrar y 2 clientes nuevos",
        )
        .await;
    window.wait_for_text("#pending-range", "1–2 de 2").await;
    window
        .wait_for_text_containing("#pending-totals", "USD 1.500,50")
        .await;

    // The export: in Downloads, with a BOM so Excel shows "Peña", and the region's decimals.
    window.click("#pending-export").await;
    let notice = window
        .wait_for_text_containing("#pending-notice", "Lista exportada en")
        .await;
    let path = notice
        .split_once(" en ")
        .map(|(_, path)| path.trim().to_owned())
        .expect("the path is shown");
    assert!(
        Path::new(&path).starts_with(downloads),
        "{path} is in Downloads"
    );
    let exported = std::fs::read(&path).expect("the exported file");
    assert!(exported.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let text = String::from_utf8(exported[3..].to_vec()).expect("UTF-8");
    assert!(
        text.contains(
            "Ferretería José Peña;;F-0001;Cemento gris;USD;1500,50;1500,50;01/03/2026;31/03/2026;"
        ),
        "{text}"
    );

    // The same tax id under another name: shown as a difference, imported only once accepted,
    // to the customer the books already have.
    let renamed = desktop.path().join("otra factura.csv");
    std::fs::write(
        &renamed,
        spanish_excel(
            "Cliente;RIF;Número de documento;Concepto;Moneda;Monto;Fecha de vencimiento\r\n\
             FERRETERIA PENA;J-12345678-9;F-0009;Cabillas;USD;10;31/12/2099\r\n",
        ),
    )
    .expect("renamed file");
    window.click("#csv-import-open").await;
    pick_file(&window, "#csv-file", &renamed).await;
    window
        .wait_for_text_containing(
            "#csv-differences li[data-line='2'][data-kind='name']",
            "Se mantiene «Ferretería José Peña»",
        )
        .await;
    let confirm = window.wait_for("#csv-import-confirm").await;
    assert!(
        !confirm.is_enabled().await.expect("enabled?"),
        "nothing is imported until the difference is accepted"
    );
    window.click("#csv-accept-differences").await;
    window.click("#csv-import-confirm").await;
    window
        .wait_for_text_containing(
            "#pending-notice",
            "1 cuentas por cobrar y 0 clientes nuevos",
        )
        .await;
    window.wait_for_text("#pending-range", "1–3 de 3").await;
    window.close().await;
}
