//! One JSON document of an app as a page: the members its app's view names (title, date, body,
//! attachments, fields) first, then every other member as a definition list. An app that
//! declares no view gets the list alone.
//!
//! Rich text (the view's `body`) is kept as formatting through `ammonia` with an allow-list of
//! inert tags and no attribute but a link's `href` to the web: no script, style, form, image,
//! frame or other resource survives, and a person reads a homework's text as it was written
//! rather than its tags. Any other string is text.
//!
//! Pitfall: a document may be as large as the connector lets a line be (1 MiB); a page stops
//! adding members past [`PAGE_BUDGET`] and says so, so that no page passes 1 MB.

use std::fmt::Write;
use std::sync::LazyLock;

use mesdonnees_shared::connector::ResourceView;
use mesdonnees_shared::entry_name::sanitize_segment;
use serde_json::Value;

use super::html::{self, Frame, text};
use super::words::{Voice, Words};

/// Bytes of a page past which members are no longer shown.
pub const PAGE_BUDGET: usize = 900 * 1024;
/// Nesting shown as lists; deeper values show as their JSON.
const MAX_DEPTH: usize = 6;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .add_tags([
            "p",
            "br",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "s",
            "sub",
            "sup",
            "mark",
            "small",
            "ul",
            "ol",
            "li",
            "blockquote",
            "pre",
            "code",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "span",
            "div",
            "table",
            "caption",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "th",
            "td",
            "a",
        ])
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// What the app list shows of a document.
pub struct Summary {
    pub title: String,
    pub date: Option<String>,
}

/// The document and where it is.
pub struct Document<'a> {
    /// The app's name for people and the page listing its documents.
    pub app_name: &'a str,
    pub app_list: &'a str,
    /// The app's folder in the archive, and the document's path there.
    pub folder: &'a str,
    pub path: &'a str,
    pub data: &'a Value,
    pub view: Option<&'a ResourceView>,
}

/// The page of a document, `depth` folders below the root.
pub fn page(words: &Voice, depth: usize, doc: &Document<'_>) -> (Summary, String) {
    let view = doc.view.cloned().unwrap_or_default();
    let member = |name: &Option<String>| name.as_ref().and_then(|n| doc.data.get(n));
    let file_name = doc.path.rsplit('/').next().unwrap_or(doc.path);
    let title = member(&view.title)
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
        .map_or_else(|| file_name.to_owned(), str::to_owned);
    let date = member(&view.date).and_then(Value::as_str).and_then(|d| when(words, d));
    let escaped = text(&title);
    let trail = [
        (text(words.archive), Some(html::href(depth, "index.html"))),
        (text(doc.app_name), Some(doc.app_list.to_owned())),
        (escaped.clone(), None),
    ];
    let frame = Frame { words, depth, title: &escaped, trail: &trail };
    let mut out = String::new();
    frame.open(&mut out);
    if let Some(date) = &date {
        let _ = writeln!(out, "<p class=\"date\">{}</p>", text(date));
    }
    let mut shown: Vec<&str> = Vec::new();
    if !view.fields.is_empty() {
        out.push_str("<dl>\n");
        for field in &view.fields {
            let Some(value) = doc.data.get(&field.member) else { continue };
            let label = field.label.get(words.lang.tag()).unwrap_or(&field.member);
            let _ = write!(out, "<dt>{}</dt><dd>", text(label));
            value_html(&mut out, words, value, 1);
            out.push_str("</dd>\n");
            shown.push(&field.member);
        }
        out.push_str("</dl>\n");
    }
    if let Some(body) = member(&view.body).and_then(Value::as_str) {
        let _ = writeln!(
            out,
            "<section aria-labelledby=\"corps\">\n<h2 id=\"corps\">{}</h2>",
            words.body
        );
        let clean = CLEANER.clean(body).to_string();
        if out.len() + clean.len() > PAGE_BUDGET {
            let _ = writeln!(out, "<p>{}</p>", words.too_long);
        } else {
            let _ = writeln!(out, "<div class=\"corps\">{clean}</div>");
        }
        out.push_str("</section>\n");
    }
    if let Some(Value::Array(items)) = member(&view.attachments) {
        attachments(&mut out, words, depth, doc.folder, items);
    }
    for name in [&view.title, &view.date, &view.body, &view.attachments].into_iter().flatten() {
        shown.push(name);
    }
    if let Value::Object(members) = doc.data {
        let rest: Vec<(&String, &Value)> =
            members.iter().filter(|(k, _)| !shown.contains(&k.as_str())).collect();
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "<section aria-labelledby=\"details\">\n<h2 id=\"details\">{}</h2>\n<dl>",
                words.details
            );
            for (key, value) in rest {
                if out.len() > PAGE_BUDGET {
                    let _ = writeln!(out, "</dl>\n<p>{}</p>\n<dl>", words.too_long);
                    break;
                }
                let _ = write!(out, "<dt>{}</dt><dd>", text(key));
                value_html(&mut out, words, value, 1);
                out.push_str("</dd>\n");
            }
            out.push_str("</dl>\n</section>\n");
        }
    } else {
        value_html(&mut out, words, doc.data, 0);
    }
    let _ = writeln!(
        out,
        "<p><a href=\"{}\">{} {}</a></p>",
        html::href(depth, &format!("{}/{}", doc.folder, doc.path)),
        words.raw,
        words.quoted(&escaped)
    );
    frame.close(&mut out);
    (Summary { title, date }, out)
}

/// The attached files a document names, linked where they are in its app's folder.
fn attachments(out: &mut String, words: &Words, depth: usize, folder: &str, items: &[Value]) {
    let linked: Vec<(String, String)> = items
        .iter()
        .filter_map(|item| {
            let path = item.get("path")?.as_str()?;
            // Each segment as the archive names it (the export makes every segment safe).
            let safe: Vec<String> = path.split('/').map(sanitize_segment).collect();
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path));
            Some((name.to_owned(), format!("{folder}/{}", safe.join("/"))))
        })
        .collect();
    if linked.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"pj\">\n<h2 id=\"pj\">{}</h2>\n<ul>",
        words.attachments
    );
    for (name, path) in linked {
        let _ =
            writeln!(out, "<li><a href=\"{}\">{}</a></li>", html::href(depth, &path), text(&name));
    }
    out.push_str("</ul>\n</section>\n");
}

/// A date or date-time member for people; `None` when it is neither.
fn when(words: &Voice, raw: &str) -> Option<String> {
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(words.date_time(at.with_timezone(&chrono::Utc)));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().map(|d| words.lang.date(d))
}

/// A JSON value as HTML: strings as text, objects as definition lists, arrays as lists.
fn value_html(out: &mut String, words: &Voice, value: &Value, depth: usize) {
    match value {
        Value::Null => out.push('—'),
        Value::Bool(b) => out.push_str(if *b { words.yes } else { words.no }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&when(words, s).unwrap_or_else(|| text(s))),
        _ if depth >= MAX_DEPTH => {
            let _ = write!(out, "<code>{}</code>", text(&value.to_string()));
        }
        Value::Array(items) if items.is_empty() => out.push('—'),
        Value::Array(items) => {
            out.push_str("<ol>");
            for item in items {
                if out.len() > PAGE_BUDGET {
                    break;
                }
                out.push_str("<li>");
                value_html(out, words, item, depth + 1);
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        Value::Object(members) if members.is_empty() => out.push('—'),
        Value::Object(members) => {
            out.push_str("<dl>");
            for (key, member) in members {
                if out.len() > PAGE_BUDGET {
                    break;
                }
                let _ = write!(out, "<dt>{}</dt><dd>", text(key));
                value_html(out, words, member, depth + 1);
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
    }
}
