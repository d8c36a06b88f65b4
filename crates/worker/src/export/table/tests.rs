use calamine::{Data, Reader, open_workbook};
use mesdonnees_shared::tables::{TableFormat, TableRow, TableSpec};

use super::*;

fn rows() -> Vec<TableRow> {
    let tricky = [
        "Élève: « été », ça va",
        "virgule, \"guillemets\" et\nsaut de ligne",
        "=HYPERLINK(\"http://x\")",
        "<balise> & 'apostrophe'",
    ];
    tricky
        .iter()
        .enumerate()
        .map(|(n, name)| TableRow {
            name: (*name).to_owned(),
            path: format!("Documents/Mes documents/{n}"),
            app: "workspace".to_owned(),
            kind: "text/plain".to_owned(),
            size: Some(1_000 * n as u64),
            owner: (n % 2 == 0).then(|| "alice".to_owned()),
            ..TableRow::default()
        })
        .collect()
}

fn spec(format: TableFormat) -> TableSpec {
    let fields = ["name", "path", "size", "owner"].iter().map(|f| f.parse().unwrap()).collect();
    TableSpec { format, fields }
}

async fn write(format: TableFormat, dir: &Path) -> WrittenTable {
    write_in(format, Lang::Fr, dir).await
}

async fn write_in(format: TableFormat, lang: Lang, dir: &Path) -> WrittenTable {
    let spec = spec(format);
    let headers = spec.fields.iter().map(|f| f.header(lang).to_owned()).collect();
    let table = TableFile::create(&spec, headers, lang, dir).expect("table");
    for row in rows() {
        table.push(row).await.expect("row");
    }
    let written = table.finish().await.expect("finished");
    assert_eq!(written.rows, 4);
    written
}

/// The sheet as text, the way a reader gives it.
fn cells(range: &calamine::Range<Data>) -> Vec<Vec<String>> {
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => format!("{i}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn expected() -> Vec<Vec<String>> {
    let mut out =
        vec![vec!["Nom".into(), "Chemin".into(), "Taille (octets)".into(), "Propriétaire".into()]];
    for row in rows() {
        out.push(vec![
            row.name,
            row.path,
            row.size.unwrap().to_string(),
            row.owner.unwrap_or_default(),
        ]);
    }
    out
}

#[tokio::test]
async fn xlsx_and_ods_read_back_with_an_independent_reader() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = write(TableFormat::Xlsx, dir.path()).await;
    let mut book: calamine::Xlsx<_> = open_workbook(&xlsx.file).expect("an xlsx calamine reads");
    let range = book.worksheet_range("Mes données").expect("the sheet");
    assert_eq!(cells(&range), expected());
    let ods = write(TableFormat::Ods, dir.path()).await;
    let mut book: calamine::Ods<_> = open_workbook(&ods.file).expect("an ods calamine reads");
    let range = book.worksheet_range("Mes données").expect("the sheet");
    assert_eq!(cells(&range), expected());
    // The package names its type first, stored, as OpenDocument readers expect.
    let bytes = std::fs::read(&ods.file).unwrap();
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..38 + 46], b"application/vnd.oasis.opendocument.spreadsheet");
}

/// An export in English names its sheet and its columns in English, in both spreadsheet
/// formats and in CSV.
#[tokio::test]
async fn an_english_table_has_english_words() {
    let dir = tempfile::tempdir().unwrap();
    let english = ["Name", "Path", "Size (bytes)", "Owner"].map(String::from).to_vec();
    let xlsx = write_in(TableFormat::Xlsx, Lang::En, dir.path()).await;
    let mut book: calamine::Xlsx<_> = open_workbook(&xlsx.file).expect("an xlsx");
    assert_eq!(book.sheet_names(), ["My data"]);
    let range = book.worksheet_range("My data").expect("the sheet");
    assert_eq!(cells(&range)[0], english);
    let ods = write_in(TableFormat::Ods, Lang::En, dir.path()).await;
    let mut book: calamine::Ods<_> = open_workbook(&ods.file).expect("an ods");
    assert_eq!(book.sheet_names(), ["My data"]);
    let range = book.worksheet_range("My data").expect("the sheet");
    assert_eq!(cells(&range)[0], english);
    let csv = write_in(TableFormat::Csv, Lang::En, dir.path()).await;
    let bytes = std::fs::read(&csv.file).unwrap();
    assert!(bytes.starts_with("\u{feff}Name,Path,Size (bytes),Owner\r\n".as_bytes()));
}

#[tokio::test]
async fn csv_has_a_bom_rfc_4180_quoting_and_no_live_formula() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(TableFormat::Csv, dir.path()).await;
    let bytes = std::fs::read(&csv.file).unwrap();
    assert!(bytes.starts_with("\u{feff}Nom,Chemin,".as_bytes()), "BOM then the header");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n"), "CRLF line ends");
    assert!(text.contains("\"virgule, \"\"guillemets\"\" et\nsaut de ligne\""), "{text}");
    let mut reader = ::csv::Reader::from_reader(&bytes[3..]);
    let read: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let mut wanted = expected();
    wanted.remove(0);
    wanted[2][0] = format!("'{}", wanted[2][0]);
    assert_eq!(read, wanted);
}

#[tokio::test]
async fn an_upload_is_hashed_and_appears_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = tempfile::tempdir().unwrap();
    let storage =
        mesdonnees_infra::storage::Storage::from_config(&mesdonnees_infra::config::StorageConfig {
            url: format!("file://{}", store_dir.path().display()),
            ..mesdonnees_infra::Config::default().storage
        })
        .expect("a local store");
    let csv = write(TableFormat::Csv, dir.path()).await;
    let uploaded =
        upload(&storage, &csv, "exports/t.csv", std::future::pending()).await.expect("uploaded");
    let stored = std::fs::read(store_dir.path().join("exports/t.csv")).unwrap();
    assert_eq!(stored, std::fs::read(&csv.file).unwrap());
    assert_eq!(uploaded.size, stored.len() as u64);
    assert_eq!(uploaded.sha256, hex::encode(Sha256::digest(&stored)));

    // Interrupted: aborted, nothing left in the store, neither the table nor a part of it.
    let interrupted = upload(&storage, &csv, "exports/u.csv", std::future::ready(())).await;
    assert!(matches!(interrupted, Err(TableError::Interrupted)), "{interrupted:?}");
    let mut left = Vec::new();
    let mut folders = vec![store_dir.path().to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                left.push(path.strip_prefix(store_dir.path()).unwrap().display().to_string());
            }
        }
    }
    assert_eq!(left, ["exports/t.csv"]);
}

#[tokio::test]
async fn an_xlsx_cell_too_long_for_the_format_is_cut_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(TableFormat::Xlsx);
    let headers = spec.fields.iter().map(|f| f.header(Lang::Fr).to_owned()).collect();
    let table = TableFile::create(&spec, headers, Lang::Fr, dir.path()).expect("table");
    let long = "é".repeat(40_000);
    table.push(TableRow { name: long, ..TableRow::default() }).await.expect("row");
    let written = table.finish().await.expect("a long cell does not fail the table");
    let mut book: calamine::Xlsx<_> = open_workbook(&written.file).expect("an xlsx");
    let range = book.worksheet_range("Mes données").expect("the sheet");
    let cell = cells(&range)[1][0].clone();
    assert!(cell.ends_with('…') && cell.chars().count() <= 32_767, "{}", cell.chars().count());
}
