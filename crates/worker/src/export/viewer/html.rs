//! The pieces every page is made of: escaping, links into the archive, the page's frame.
//!
//! Pitfalls: every text that comes from a user or an app goes through [`text`] (or [`href`] for
//! a link), never straight into the page. A link is relative (the archive is opened from
//! `file://`, anywhere) and each segment is percent-encoded as UTF-8, `#`, `?` and `%` included,
//! or the browser would read a file name as a fragment, a query or an escape.

use std::fmt::Write;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::words::Words;

/// What stays as is in a segment of a relative link: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Text made safe in an element or a double-quoted attribute.
pub fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A relative link to the archive path `path` (`/`-separated) from a page `depth` folders below
/// the root, ready for an `href`.
pub fn href(depth: usize, path: &str) -> String {
    let mut out = "../".repeat(depth);
    for (i, segment) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let _ = write!(out, "{}", utf8_percent_encode(segment, SEGMENT));
    }
    out
}

/// A page's frame: what every page has, around its own content.
pub struct Frame<'a> {
    pub words: &'a Words,
    /// Folders between the page and the archive's root.
    pub depth: usize,
    /// The page's title (already escaped) and its first heading.
    pub title: &'a str,
    /// Where the page is, from the home page: (already escaped label, link) pairs; the page
    /// itself last, without a link.
    pub trail: &'a [(String, Option<String>)],
}

impl Frame<'_> {
    /// The page up to its own content, which follows inside `<main>`.
    pub fn open(&self, out: &mut String) {
        let w = self.words;
        let up = "../".repeat(self.depth);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'self' file:; img-src 'none'; form-action 'none'\">\n\
             <meta name=\"referrer\" content=\"no-referrer\">\n\
             <title>{title} — {archive}</title>\n\
             <link rel=\"stylesheet\" href=\"{up}visionneuse/style.css\">\n</head>\n<body>\n\
             <a class=\"evitement\" href=\"#contenu\">{skip}</a>\n\
             <header>\n<p class=\"marque\"><a href=\"{up}index.html\">{archive}</a></p>\n",
            lang = w.lang.tag(),
            title = self.title,
            archive = w.archive,
            skip = w.skip,
        );
        if self.trail.len() > 1 {
            let _ = write!(out, "<nav aria-label=\"{}\">\n<ol class=\"fil\">\n", w.trail);
            for (label, link) in self.trail {
                match link {
                    Some(link) => {
                        let _ = writeln!(out, "<li><a href=\"{link}\">{label}</a></li>");
                    }
                    None => {
                        let _ =
                            writeln!(out, "<li><span aria-current=\"page\">{label}</span></li>");
                    }
                }
            }
            out.push_str("</ol>\n</nav>\n");
        }
        let _ = write!(
            out,
            "</header>\n<main id=\"contenu\" tabindex=\"-1\">\n<h1>{}</h1>\n",
            self.title
        );
    }

    /// The end of the page.
    pub fn close(&self, out: &mut String) {
        let _ = write!(
            out,
            "</main>\n<footer>\n<p>{}</p>\n</footer>\n</body>\n</html>\n",
            self.words.footer
        );
    }
}

/// Links to the pages of a listing cut in pages, when there is more than one.
pub fn pager(
    out: &mut String,
    words: &Words,
    page: usize,
    pages: usize,
    link: impl Fn(usize) -> String,
) {
    if pages <= 1 {
        return;
    }
    let _ = write!(out, "<nav aria-label=\"{}\">\n<ul class=\"pages\">\n", words.pages);
    for p in 1..=pages {
        let label = words.page_of(p, pages);
        if p == page {
            let _ = writeln!(out, "<li><span aria-current=\"page\">{label}</span></li>");
        } else {
            let _ = writeln!(out, "<li><a href=\"{}\">{label}</a></li>", link(p));
        }
    }
    out.push_str("</ul>\n</nav>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_text() {
        assert_eq!(
            text("<script>alert('1')</script> & \"x\""),
            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; &quot;x&quot;"
        );
    }

    #[test]
    fn links_are_relative_and_every_special_character_is_encoded() {
        assert_eq!(
            href(2, "Documents/Mes documents/Poèmes #1?/100% été.pdf"),
            "../../Documents/Mes%20documents/Po%C3%A8mes%20%231%3F/100%25%20%C3%A9t%C3%A9.pdf"
        );
        assert_eq!(href(0, "a<b>\"c\".txt"), "a%3Cb%3E%22c%22.txt");
    }
}
