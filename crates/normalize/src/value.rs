//! Typed, path-aware access to parsed JSON, and the value conventions every
//! normalised document shares: RFC 3339 UTC timestamps, booleans, lowercase
//! enumerations, tag maps.
//!
//! Every accessor distinguishes "absent" (`None`, or JSON `null` in the
//! output) from "present with the wrong type" (an error naming the path), so
//! a malformed artefact is reported instead of silently read as empty.

use serde_json::{Map, Value};

/// An error message; the caller adds the format id.
pub(crate) type Res<T> = Result<T, String>;

/// A JSON object with the path that leads to it (`Records[3].userIdentity`).
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    /// The object's members.
    pub map: &'a Map<String, Value>,
    path: &'a str,
}

/// Appends `key` to `path` (`a.b`, or `b` at the root).
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Appends an index to `path` (`a[3]`).
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// `the document` for the root, else the path in backticks.
fn at(path: &str) -> String {
    if path.is_empty() {
        "the document".to_string()
    } else {
        format!("`{path}`")
    }
}

/// A short description of a JSON value's type, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value quoted for a message, shortened when long.
pub(crate) fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    format!("{out:?}")
}

impl<'a> Obj<'a> {
    /// `v` as an object, or an error naming `path`.
    pub fn new(v: &'a Value, path: &'a str) -> Res<Obj<'a>> {
        match v {
            Value::Object(map) => Ok(Obj { map, path }),
            other => Err(format!(
                "{}: expected an object, found {}",
                at(path),
                kind(other)
            )),
        }
    }

    /// The path of this object.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The path of a member.
    pub fn member(&self, key: &str) -> String {
        join(self.path, key)
    }

    /// An error about member `key`.
    pub fn error(&self, key: &str, message: impl std::fmt::Display) -> String {
        format!("`{}`: {message}", self.member(key))
    }

    /// A member, `None` when absent or `null`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// The first of several spellings of a member that is present.
    pub fn get_any(&self, keys: &[&'static str]) -> Option<(&'static str, &'a Value)> {
        keys.iter().find_map(|k| self.get(k).map(|v| (*k, v)))
    }

    /// Whether a member is present (not null).
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A member cloned as is (`null` when absent).
    pub fn raw(&self, key: &str) -> Value {
        self.get(key).cloned().unwrap_or(Value::Null)
    }

    /// A string member.
    pub fn str(&self, key: &str) -> Res<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(
                key,
                format_args!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// A member that must be present (not null).
    pub fn required(&self, key: &str) -> Res<&'a Value> {
        self.get(key).ok_or_else(|| self.error(key, "missing"))
    }

    /// A string member that must be present.
    pub fn required_str(&self, key: &str) -> Res<Value> {
        match self.required(key)? {
            Value::String(s) => Ok(Value::String(s.clone())),
            other => Err(self.error(
                key,
                format_args!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// A boolean member that must be present: for an attribute (not a
    /// setting, see [`Obj::flag`]) whose `false` would be the fail-open
    /// reading, such as a role's `rolsuper`.
    pub fn required_bool(&self, key: &str) -> Res<Value> {
        self.bool(key)?
            .map(Value::Bool)
            .ok_or_else(|| self.error(key, "missing"))
    }

    /// A string member as a JSON value (`null` when absent).
    pub fn string(&self, key: &str) -> Res<Value> {
        Ok(self
            .str(key)?
            .map_or(Value::Null, |s| Value::String(s.to_string())))
    }

    /// A string-like member: strings as is, numbers and booleans as their
    /// text (identifiers some sources write as numbers).
    pub fn text(&self, key: &str) -> Res<Value> {
        match self.get(key) {
            None => Ok(Value::Null),
            Some(Value::String(s)) => Ok(Value::String(s.clone())),
            Some(Value::Number(n)) => Ok(Value::String(n.to_string())),
            Some(Value::Bool(b)) => Ok(Value::String(b.to_string())),
            Some(other) => Err(self.error(
                key,
                format_args!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// A string member, lowercased (enumerations).
    pub fn lower(&self, key: &str) -> Res<Value> {
        Ok(self
            .str(key)?
            .map_or(Value::Null, |s| Value::String(s.to_lowercase())))
    }

    /// A boolean member; the strings `"true"` and `"false"` (any case) are
    /// accepted too, as several AWS APIs write them.
    pub fn bool(&self, key: &str) -> Res<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(self.error(
                key,
                format_args!("expected a boolean, found {}", describe(other)),
            )),
        }
    }

    /// A boolean member as a JSON value (`null` when absent).
    pub fn bool_value(&self, key: &str) -> Res<Value> {
        Ok(self.bool(key)?.map_or(Value::Null, Value::Bool))
    }

    /// A boolean setting: absent counts as `false` (the fail-closed reading
    /// for deny rules: a setting nobody turned on is off).
    pub fn flag(&self, key: &str) -> Res<Value> {
        Ok(Value::Bool(self.bool(key)?.unwrap_or(false)))
    }

    /// A numeric member as a JSON value (`null` when absent). Numeric strings
    /// are accepted (`"5.3"`).
    pub fn number(&self, key: &str) -> Res<Value> {
        match self.get(key) {
            None => Ok(Value::Null),
            Some(Value::Number(n)) => Ok(Value::Number(n.clone())),
            Some(Value::String(s)) => number_from_str(s).ok_or_else(|| {
                self.error(key, format_args!("expected a number, found {}", shown(s)))
            }),
            Some(other) => Err(self.error(
                key,
                format_args!("expected a number, found {}", kind(other)),
            )),
        }
    }

    /// A non-negative integer member.
    pub fn u64(&self, key: &str) -> Res<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.error(
                    key,
                    format_args!("expected a non-negative integer, found {}", describe(v)),
                )
            }),
        }
    }

    /// A timestamp member, normalised to RFC 3339 UTC (`null` when absent or
    /// empty).
    pub fn time(&self, key: &str) -> Res<Value> {
        match self.get(key) {
            None => Ok(Value::Null),
            Some(v) => time_value(v).map_err(|e| self.error(key, e)),
        }
    }

    /// An array member (empty when absent).
    pub fn arr(&self, key: &str) -> Res<&'a [Value]> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(self.error(
                key,
                format_args!("expected an array, found {}", kind(other)),
            )),
        }
    }

    /// An array of strings (empty when absent); a single string counts as a
    /// one-element array.
    pub fn strings(&self, key: &str) -> Res<Value> {
        match self.get(key) {
            None => Ok(Value::Array(Vec::new())),
            Some(Value::String(s)) => Ok(Value::Array(vec![Value::String(s.clone())])),
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !item.is_string() {
                        return Err(format!(
                            "`{}`: expected a string, found {}",
                            index(&self.member(key), i),
                            kind(item)
                        ));
                    }
                }
                Ok(Value::Array(items.clone()))
            }
            Some(other) => Err(self.error(
                key,
                format_args!("expected an array of strings, found {}", kind(other)),
            )),
        }
    }

    /// Runs `f` on every object of an array member, collecting the results.
    pub fn each<T>(&self, key: &str, mut f: impl FnMut(Obj<'_>) -> Res<T>) -> Res<Vec<T>> {
        let items = self.arr(key)?;
        let base = self.member(key);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = index(&base, i);
            out.push(f(Obj::new(item, &path)?)?);
        }
        Ok(out)
    }

    /// Runs `f` on an object member when present.
    pub fn with<T>(&self, key: &str, f: impl FnOnce(Obj<'_>) -> Res<T>) -> Res<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let path = self.member(key);
                f(Obj::new(v, &path)?).map(Some)
            }
        }
    }
}

/// Runs `f` on every object of a top-level array.
pub(crate) fn each_item<T>(
    items: &[Value],
    base: &str,
    mut f: impl FnMut(Obj<'_>) -> Res<T>,
) -> Res<Vec<T>> {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = index(base, i);
        out.push(f(Obj::new(item, &path)?)?);
    }
    Ok(out)
}

/// The `schema_version` of a document written by one of evident's own
/// collectors, as `format_version`. It must be one the reader knows: a
/// later collector may change the shape, and reading it as an older one
/// could turn a missing member into a silent pass.
pub(crate) fn collector_schema_version(
    o: Obj<'_>,
    supported: &[u64],
    collector: &str,
) -> Res<Value> {
    match o.u64("schema_version")? {
        Some(n) if supported.contains(&n) => Ok(Value::String(n.to_string())),
        Some(n) => Err(format!(
            "`schema_version`: version {n} is not supported (only {}, written by evident's {collector} collector)",
            supported
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Err("`schema_version`: missing".to_string()),
    }
}

/// A value described for a message: its type, and its text when short.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {}", shown(s)),
        other => kind(other).to_string(),
    }
}

fn number_from_str(s: &str) -> Option<Value> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::from(i));
    }
    let f = s.parse::<f64>().ok().filter(|f| f.is_finite())?;
    serde_json::Number::from_f64(f).map(Value::Number)
}

/// Parses a timestamp: RFC 3339 / ISO 8601 with an offset (`Z`, `+00:00`,
/// `+0100`). Returns it as RFC 3339 in UTC, to the second (fractions are
/// dropped: no check needs them, and one width keeps string order).
pub(crate) fn timestamp(s: &str) -> Option<String> {
    s.trim()
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(utc_seconds)
}

/// RFC 3339 UTC with second precision: one fixed width, so that string
/// order is time order in a Rego rule (`a.event_time < b.event_time`).
fn utc_seconds(t: jiff::Timestamp) -> Option<String> {
    jiff::Timestamp::from_second(t.as_second())
        .ok()
        .map(|t| t.to_string())
}

/// A timestamp JSON value normalised (see [`timestamp`]); `null` for an
/// empty string; a number is seconds since the Unix epoch (how the AWS
/// SDKs and some webhooks write times).
pub(crate) fn time_value(v: &Value) -> Res<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
        Value::String(s) => timestamp(s).map(Value::String).ok_or_else(|| {
            format!(
                "expected an RFC 3339 timestamp with an offset, found {}",
                shown(s)
            )
        }),
        Value::Number(n) => n
            .as_f64()
            .and_then(epoch_seconds)
            .map(Value::String)
            .ok_or_else(|| format!("expected a timestamp, found the number {n}")),
        other => Err(format!("expected a timestamp, found {}", kind(other))),
    }
}

/// Seconds since the epoch (with a fraction) as RFC 3339 UTC.
fn epoch_seconds(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    let secs = f.floor();
    let nanos = ((f - secs) * 1e9).round() as i32;
    if secs < i64::MIN as f64 || secs > i64::MAX as f64 {
        return None;
    }
    jiff::Timestamp::new(secs as i64, nanos.min(999_999_999))
        .ok()
        .and_then(utc_seconds)
}

/// The latest of some RFC 3339 UTC timestamps (as produced by
/// [`timestamp`]), `null` when there are none.
pub(crate) fn latest<'v>(times: impl IntoIterator<Item = &'v Value>) -> Value {
    times
        .into_iter()
        .filter_map(|v| v.as_str())
        .filter_map(|s| s.parse::<jiff::Timestamp>().ok())
        .max()
        .map_or(Value::Null, |t| Value::String(t.to_string()))
}

/// Tags as a map: AWS's `[{"Key": k, "Value": v}]` (any key case) or an
/// object kept as is.
pub(crate) fn tag_map(v: Option<&Value>, path: &str) -> Res<Value> {
    match v {
        None | Some(Value::Null) => Ok(Value::Object(Map::new())),
        Some(Value::Object(map)) => Ok(Value::Object(map.clone())),
        Some(Value::Array(items)) => {
            let mut out = Map::new();
            for (i, item) in items.iter().enumerate() {
                let p = index(path, i);
                let tag = Obj::new(item, &p)?;
                let key = tag
                    .get_any(&["Key", "key"])
                    .and_then(|(_, k)| k.as_str())
                    .ok_or_else(|| format!("`{p}`: a tag without a string `Key`"))?;
                let value = tag
                    .get_any(&["Value", "value"])
                    .map_or(Value::Null, |(_, v)| v.clone());
                out.insert(key.to_string(), value);
            }
            Ok(Value::Object(out))
        }
        Some(other) => Err(format!(
            "`{path}`: expected tags (an object or an array), found {}",
            kind(other)
        )),
    }
}

/// A PascalCase or camelCase key in snake_case (`V3Score` → `v3_score`,
/// `LatestDeliveryTime` → `latest_delivery_time`).
pub(crate) fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous: Option<char> = None;
    for c in key.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    out
}

/// Builds a JSON object from key/value pairs, in order.
pub(crate) fn doc<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_utc_rfc3339() {
        let check = |input: Value, expected: Value| {
            assert_eq!(time_value(&input).unwrap(), expected, "{input}")
        };
        check(
            json!("2018-08-12T17:20:55+00:00"),
            json!("2018-08-12T17:20:55Z"),
        );
        check(
            json!("2020-12-03T14:05:20.974+0100"),
            json!("2020-12-03T13:05:20Z"),
        );
        check(
            json!("2021-08-19T12:16:32.000-04:00"),
            json!("2021-08-19T16:16:32Z"),
        );
        check(
            json!("2021-08-25T12:20:30.999999999Z"),
            json!("2021-08-25T12:20:30Z"),
        );
        check(json!(""), Value::Null);
        check(json!(1_500_000_000), json!("2017-07-14T02:40:00Z"));
        check(json!(1_500_000_000.5), json!("2017-07-14T02:40:00Z"));
        assert!(
            time_value(&json!("2019-04-20T00:29:00"))
                .unwrap_err()
                .contains("offset")
        );
        assert!(time_value(&json!(true)).is_err());
        assert!(time_value(&json!(1e300)).is_err());
    }

    #[test]
    fn accessors_name_the_path() {
        let v = json!({"a": {"b": "yes", "n": "x", "t": "soon", "l": [1]}});
        let o = Obj::new(&v, "").unwrap();
        let inner = o
            .with("a", |a| {
                Ok((
                    a.bool("b").unwrap_err(),
                    a.number("n").unwrap_err(),
                    a.time("t").unwrap_err(),
                    a.strings("l").unwrap_err(),
                ))
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            inner.0,
            "`a.b`: expected a boolean, found the string \"yes\""
        );
        assert_eq!(inner.1, "`a.n`: expected a number, found \"x\"");
        assert_eq!(
            inner.2,
            "`a.t`: expected an RFC 3339 timestamp with an offset, found \"soon\""
        );
        assert_eq!(inner.3, "`a.l[0]`: expected a string, found a number");
        assert_eq!(
            Obj::new(&json!([]), "").err().unwrap(),
            "the document: expected an object, found an array"
        );
    }

    #[test]
    fn tags_become_maps() {
        let tags = json!([{"Key": "env", "Value": "prod"}, {"key": "team", "value": "sec"}]);
        assert_eq!(
            tag_map(Some(&tags), "Tags").unwrap(),
            json!({"env": "prod", "team": "sec"})
        );
        assert!(
            tag_map(Some(&json!([{"Value": 1}])), "Tags")
                .unwrap_err()
                .contains("Tags[0]")
        );
    }

    #[test]
    fn snake_case_keys() {
        assert_eq!(snake_case("V3Score"), "v3_score");
        assert_eq!(snake_case("V40Vector"), "v40_vector");
        assert_eq!(snake_case("LatestDeliveryTime"), "latest_delivery_time");
        assert_eq!(snake_case("already_snake"), "already_snake");
    }

    #[test]
    fn latest_picks_the_most_recent() {
        let times = [
            json!("2019-01-01T00:00:00Z"),
            Value::Null,
            json!("2020-01-01T00:00:00Z"),
        ];
        assert_eq!(latest(&times), json!("2020-01-01T00:00:00Z"));
        assert_eq!(latest(&[Value::Null]), Value::Null);
    }
}
