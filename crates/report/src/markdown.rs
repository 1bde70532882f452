//! Markdown text that stays inside the table cell it is written to.

/// Escapes text for a Markdown table cell: `|` would end the cell and a
/// line break the table; `<`, `>` and `&` would be read as HTML by most
/// renderers; the other punctuation Markdown gives meaning to is
/// backslash-escaped so text shows as written.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {
                // A CRLF is one break.
                if chars.peek() != Some(&'\n') {
                    out.push_str("<br>");
                }
            }
            '\n' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn a_cell_cannot_be_escaped_from() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(escape("one\r\ntwo\nthree"), "one<br>two<br>three");
        assert_eq!(escape("*x* \\ `y`"), "\\*x\\* \\\\ \\`y\\`");
        assert_eq!(escape("a\u{0}b"), "ab");
    }
}
