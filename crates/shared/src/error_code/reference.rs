//! docs/ERRORS.md, written from the vocabulary itself so that the reference cannot drift from
//! the code (`mesdonnees errors` prints it; CI compares it with the file).

use std::fmt::Write as _;

use super::{ErrorCode, Family};
use crate::lang::Lang;

/// The reference of every code, one Markdown table per family.
pub fn reference() -> String {
    let mut out = String::from(
        "# Failure codes\n\
         \n\
         Every code a client or a person can meet, with its HTTP status when it has one and what \
         the service says about it in French and in English: what happened and what to do next. \
         Written by `mesdonnees errors` from `crates/shared/src/error_code`; CI fails when this \
         file differs from what that command prints.\n\
         \n\
         Codes are stable: a code is never renamed or reused. New codes may appear in any place \
         below, and a remote app may report entries with codes of its own: a client handles a \
         code it does not know (shows the `detail` or `message` that comes with it, or a general \
         sentence) rather than failing. A code can belong to several families; its sentence fits \
         each of them.\n",
    );
    for family in Family::ALL {
        let codes = ErrorCode::ALL.iter().filter(|c| c.families().contains(&family));
        let _ = write!(
            out,
            "\n## {}\n\n{}\n\n| Code | HTTP | Français | English |\n|---|---|---|---|\n",
            family.title(),
            family.location()
        );
        for code in codes {
            let status = code.status().map_or_else(|| "—".to_owned(), |s| s.to_string());
            let _ = writeln!(
                out,
                "| `{}` | {status} | {} | {} |",
                code.as_str(),
                cell(code.message(Lang::Fr)),
                cell(code.message(Lang::En))
            );
        }
    }
    out
}

/// A sentence as a table cell: a `|` would end it.
fn cell(sentence: &str) -> String {
    sentence.replace('|', "\\|")
}
