//! `policies/*.md`: Markdown documents with YAML front matter.

use evident_model::policy::Policy;
use evident_model::{Diagnostic, Location};

use crate::context::FileContext;
use crate::raw;

/// Splits `---\n<yaml>\n---\n<body>` and reads the front matter.
pub(crate) fn convert(ctx: &mut FileContext, text: &str) -> Option<Policy> {
    let Some((front, body)) = split_front_matter(text) else {
        ctx.diagnostics.push(
            Diagnostic::new(
                "invalid-front-matter",
                Location::file_start(ctx.file.clone()),
                "expected YAML front matter between two `---` lines at the top of the file",
            )
            .with_hint("start the file with ---, then id, title, owner, implemented_by, then ---"),
        );
        return None;
    };
    // Parse the front matter as if it started at line 1, then shift the
    // reported lines by the opening `---`.
    let raw: raw::PolicyFrontMatter = match evident_catalog::yaml::parse(&ctx.file, front) {
        Ok(raw) => raw,
        Err(mut d) => {
            d.location.line += 1;
            ctx.diagnostics.push(d);
            return None;
        }
    };
    let shift = |mut l: Location| {
        l.line += 1;
        l
    };
    let mut reference = |s| {
        let mut r = ctx.reference(s);
        r.at = shift(r.at);
        r
    };
    let implemented_by = raw.implemented_by.iter().map(&mut reference).collect();
    let owner = raw.owner.as_ref().map(&mut reference);
    Some(Policy {
        id: ctx.id(&raw.id),
        location: shift(ctx.at(&raw.id)),
        title: raw.title,
        owner,
        version: raw.version,
        implemented_by,
        body: body.to_string(),
    })
}

/// (front matter, body). The front matter starts on line 2.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Some((front, body));
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_split() {
        let (front, body) = split_front_matter("---\nid: P\n---\n# Title\n").unwrap();
        assert_eq!((front, body), ("id: P\n", "# Title\n"));
        assert!(split_front_matter("# no front matter\n").is_none());
        assert!(split_front_matter("---\nid: P\n").is_none());
    }
}
