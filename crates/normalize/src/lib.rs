//! Normalisers: recognise the format of an evidence artefact and turn it
//! into a normalised JSON document that checks (Rego) evaluate.
//!
//! [`normalize`] looks at the content (the name and media type are hints),
//! picks one of the formats below, and returns the document, an error naming
//! what is wrong and where, or `None` for content no normaliser knows.
//!
//! | format id | source | module |
//! |---|---|---|
//! | `aws-iam-credential-report` | `aws iam get-credential-report` (JSON, `Content` base64 or decoded) and the CSV itself | [`aws`] |
//! | `aws-iam-authorization-details` | `aws iam get-account-authorization-details` | [`aws`] |
//! | `aws-cloudtrail-records` | CloudTrail log files (`{"Records": […]}`) and `aws cloudtrail lookup-events` | [`aws`] |
//! | `aws-cloudtrail-trails` | `aws cloudtrail describe-trails` / `get-trail` | [`aws`] |
//! | `aws-cloudtrail-trail-status` | `aws cloudtrail get-trail-status` | [`aws`] |
//! | `aws-config-items` | AWS Config snapshots, `get-resource-config-history`, `ConfigurationItemChangeNotification` (bare or in an SNS envelope) | [`aws`] |
//! | `terraform-plan` | `terraform show -json PLANFILE` | [`terraform`] |
//! | `terraform-state` | state files (version 4) and `terraform show -json` of a state | [`terraform`] |
//! | `trivy-json` | Trivy `--format json` (SchemaVersion 2) | [`scanners`] |
//! | `sarif` | SARIF 2.1.0 from any tool | [`scanners`] |
//! | `cyclonedx` | CycloneDX JSON 1.2–1.7 | [`scanners`] |
//! | `github-workflow-runs` | REST list of workflow runs, a single run, the `workflow_run` webhook | [`github`] |
//! | `github-pull-request-reviews` | REST list of reviews, a single review, the `pull_request_review` webhook | [`github`] |
//! | `github-branch-protection-rule` | the `branch_protection_rule` webhook (or its `rule`) | [`github`] |
//! | `jira-issues` | Jira GET issue and search results | [`jira`] |
//! | `okta-users` | Okta `GET /api/v1/users` (array) or one user | [`okta`] |
//! | `kubernetes-rbac-bindings` | ClusterRoleBindings and RoleBindings (one, a `List`, a typed list, multi-document YAML; `v1` and `v1beta1`; JSON or YAML) | [`kubernetes`] |
//! | `git-log` | evident's `git` collector: the commit history of a branch | [`git`] |
//! | `postgres-security` | evident's `postgres` collector: roles, memberships, table privileges, security settings | [`postgres`] |
//!
//! Conventions every document keeps (`FORMATS.md` has each shape):
//!
//! - `"format"` is the format id; `"format_version"` is the source's own
//!   version when it has one (always a string).
//! - Keys are snake_case. Data that is itself keyed by the user or by a
//!   foreign schema (tags, labels, IAM policy documents, Terraform
//!   attribute values, AWS Config `configuration`, Okta `profile`, Jira
//!   custom fields) is kept verbatim.
//! - Timestamps are RFC 3339 in UTC (`2019-05-07T15:35:54Z`); "no value"
//!   markers (`N/A`, `no_information`, `not_supported`, empty) become `null`.
//! - Booleans are JSON booleans, never strings.
//! - Enumerations that sources spell in varying case (severities, review
//!   states, statuses) are lowercase.
//! - Lists of findings are flat (one entry per finding, with its target) so
//!   a Rego rule iterates one array.
//!
//! Architecture invariant: pure functions from bytes to values; no I/O, no
//! clock. Architecture invariant: never panics, whatever the input (a
//! property test feeds arbitrary and mutated bytes).

#![deny(missing_docs)]

pub mod aws;
mod detect;
pub mod git;
pub mod github;
pub mod jira;
pub mod kubernetes;
pub mod okta;
pub mod postgres;
pub mod scanners;
pub mod terraform;
mod value;

/// A recognised artefact, normalised.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalized {
    /// The stable format id (`aws-iam-credential-report`, `trivy-json`, …).
    pub format: &'static str,
    /// The normalised document.
    pub document: serde_json::Value,
}

/// Why a recognised artefact could not be normalised.
#[derive(Debug, thiserror::Error)]
#[error("{format}: {message}")]
pub struct NormalizeError {
    /// The format it was recognised as.
    pub format: &'static str,
    /// What is wrong, with the position where known.
    pub message: String,
}

/// A format evident recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatInfo {
    /// The stable format id, as in `Normalized::format`.
    pub id: &'static str,
    /// Where such artefacts come from.
    pub source: &'static str,
}

/// Every format [`normalize`] can produce, in a stable order.
pub fn formats() -> &'static [FormatInfo] {
    detect::FORMATS
}

/// Recognises and normalises an artefact. `name` is a hint (a file name or
/// an endpoint), `media_type` the declared type. `None` when no normaliser
/// recognises it (the artefact is still evidence, just not machine-checked).
pub fn normalize(
    name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Option<Result<Normalized, NormalizeError>> {
    let (format, input) = match detect::detect(name, media_type, bytes)? {
        Ok(found) => found,
        Err((format, message)) => {
            return Some(Err(NormalizeError {
                format: format.id(),
                message,
            }));
        }
    };
    let id = format.id();
    Some(
        detect::run(format, input)
            .map(|document| Normalized {
                format: id,
                document,
            })
            .map_err(|message| NormalizeError {
                format: id,
                message,
            }),
    )
}

#[cfg(test)]
mod tests;
