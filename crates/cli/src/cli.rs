//! The command-line grammar.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "Exit status: 0 success (check: no error-level findings); 1 error-level findings; 2 the input could not be read, or the command failed.";

const EXIT_CODES_COLLECT: &str = "Exit status: 0 every source collected; 1 some sources failed (recorded as failed collections); 2 the definitions or the store could not be read or written.";
const EXIT_CODES_EVALUATE: &str = "Exit status: 0 every check passed; 1 some checks failed or could not be evaluated (each recorded as a result); 2 the definitions, the checks or the store could not be read.";
const EXIT_CODES_CHECKS_TEST: &str = "Exit status: 0 every fixture gave the expected verdict; 1 some did not (each named); 2 the checks could not be read.";
const EXIT_CODES_VERIFY: &str = "Exit status: 0 intact; 1 tampered, missing, reordered or inserted items, or a hostile archive (each named); 2 the store or the pack could not be read.";
const EXIT_CODES_REPORT: &str = "Exit status: 0 the report was written; 2 the definitions or the store could not be read, or the report could not be written.";
const EXIT_CODES_ATTEST: &str = "Exit status: 0 written, or (verify) the signature and the subject check out; 1 (verify) they do not; 2 the input could not be read.";

/// evident — an ISO/IEC 27001 ISMS that is provable, not assumed.
#[derive(Parser, Debug)]
#[command(
    name = "evident",
    version,
    about = "evident: an ISO/IEC 27001 ISMS that is provable, not assumed",
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate the ISMS definitions and run the readiness analysis.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// Write the report to a file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Scaffold an ISMS repository.
    Init {
        /// Where to create it (default: the current folder).
        dir: Option<PathBuf>,
        /// Write the full example organisation instead of a minimal repository.
        #[arg(long)]
        example: bool,
    },
    /// Record a decision bound to the content hash of what is approved.
    Approve {
        /// What to approve.
        #[arg(value_enum)]
        subject: ApproveSubject,
        /// The risk or policy id (for `soa`, any value, e.g. `soa`).
        id: String,
        /// The approver's owner id.
        #[arg(long = "as", value_name = "OWNER")]
        approver: String,
        /// A comment kept with the decision.
        #[arg(long)]
        comment: Option<String>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// The decision date (YYYY-MM-DD; default today).
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
    },
    /// Browse the embedded frameworks and their mappings.
    Catalog {
        /// What to show.
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Run the sources' collectors and add their evidence to the store.
    #[command(after_help = EXIT_CODES_COLLECT)]
    Collect {
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// Only this source (repeatable).
        #[arg(long = "source", value_name = "NAME")]
        sources: Vec<String>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Recompute every hash, chain link, Merkle root and signature of the
    /// store, or of an audit pack (offline, without the store).
    #[command(after_help = EXIT_CODES_VERIFY)]
    Verify {
        /// An audit pack to verify instead of the store.
        pack: Option<PathBuf>,
        /// The public key the pack must be signed with (64 hex digits;
        /// repeatable). Without it, the report shows the pack's key to
        /// compare with the one the organisation publishes.
        #[arg(long = "trusted-key", value_name = "HEX", requires = "pack")]
        trusted_keys: Vec<String>,
        /// The ISMS repository whose store to verify (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Evidence items with their provenance.
    Evidence {
        /// What to show.
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// The check library (built-in and the repository's own).
    Checks {
        /// What to do.
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// Run every check over the latest evidence of its sources and record
    /// the results in the ledger.
    #[command(after_help = EXIT_CODES_EVALUATE)]
    Evaluate {
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// Evaluate as of this date (YYYY-MM-DD, end of day UTC) instead of now.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// One screen: controls by status, findings by severity, evidence freshness.
    #[command(after_help = EXIT_CODES)]
    Status {
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// As of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Audit outputs: the Statement of Applicability, the KPI report,
    /// cross-framework coverage and OSCAL documents.
    #[command(after_help = EXIT_CODES_REPORT)]
    Report {
        /// What to write.
        #[arg(value_enum)]
        kind: ReportKind,
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// Output format (default: from the output file's extension, else
        /// md for soa and coverage, html for metrics; OSCAL is json).
        #[arg(long, value_enum)]
        format: Option<ReportFormat>,
        /// Write to a file instead of standard output (required for xlsx).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// As of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE", conflicts_with = "to")]
        at: Option<String>,
        /// metrics: the first day of the period (default: the audit period
        /// of evident.yaml before --to).
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// metrics: the last day of the period (default: today).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// metrics: the trend's interval.
        #[arg(long, value_enum, default_value_t = TrendInterval::Week)]
        interval: TrendInterval,
        /// coverage: the framework to cover (nist-csf-2.0, nist-sp-800-53-r5, iso27001-2013).
        #[arg(long, value_name = "ID", required_if_eq("kind", "coverage"))]
        framework: Option<String>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Write an audit pack: a period's evidence, ledger entries, signed
    /// checkpoint, inclusion proofs, SoA, results, findings and OSCAL
    /// assessment results in one archive, verifiable offline with
    /// `evident verify PACK`.
    #[command(name = "audit-pack", after_help = EXIT_CODES_REPORT)]
    AuditPack {
        /// The ISMS repository (default: the current folder).
        dir: Option<PathBuf>,
        /// The first day of the audit period (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: String,
        /// The last day of the audit period (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        to: String,
        /// The archive to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Draw a reproducible sample of this many items per control.
        #[arg(long, value_name = "N", requires = "seed")]
        sample: Option<usize>,
        /// The seed of the sample (recorded in the pack).
        #[arg(long, value_name = "S", requires = "sample")]
        seed: Option<u64>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Signed attestations (in-toto Statement v1 in a DSSE envelope) of
    /// evidence items and check results.
    Attest {
        /// What to do.
        #[command(subcommand)]
        command: AttestCommand,
    },
    /// Run the whole pipeline on the bundled example organisation.
    Demo {
        /// Keep the example repository in this folder instead of a temporary
        /// one (the SoA, the metrics page and the audit pack are in its
        /// `reports/`).
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "DATE")]
        at: Option<String>,
    },
}

/// `evident attest …`.
#[derive(Subcommand, Debug)]
pub enum AttestCommand {
    /// Attest an evidence item: its artefact as the subject, its
    /// provenance as the predicate, signed with the store's key.
    #[command(after_help = EXIT_CODES_ATTEST)]
    Evidence {
        /// The item's ledger index.
        index: u64,
        /// Write the envelope to a file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Attest a check result, signed with the store's key.
    #[command(after_help = EXIT_CODES_ATTEST)]
    Result {
        /// The result's ledger index.
        index: u64,
        /// Write the envelope to a file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Sign a JSON document (an OSCAL document, the SoA) the way `trestle
    /// sign` does, with the store's key: `trestle verify` accepts it.
    #[command(after_help = EXIT_CODES_ATTEST)]
    File {
        /// The JSON file.
        file: PathBuf,
        /// Write the envelope to a file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// The store's public key as PEM (what `trestle verify --public-key` reads).
    Key {
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Verify a DSSE envelope (ours or another tool's, e.g. `trestle sign`)
    /// against a public key, and that FILE is its subject.
    #[command(after_help = EXIT_CODES_ATTEST)]
    Verify {
        /// The envelope.
        envelope: PathBuf,
        /// The attested file.
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// The signer's ed25519 public key (PEM file).
        #[arg(long, value_name = "PEM")]
        public_key: PathBuf,
        /// The subject's name in the statement (default: FILE's name).
        #[arg(long, value_name = "NAME")]
        subject_name: Option<String>,
    },
}

/// What `report` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportKind {
    /// The Statement of Applicability (xlsx, csv, html, md, json).
    Soa,
    /// KPIs over a period with trends (html, json, csv).
    Metrics,
    /// Another framework's requirements covered by the controls (md, json, csv).
    Coverage,
    /// OSCAL catalog of the ISO/IEC 27001:2022 outline.
    OscalCatalog,
    /// OSCAL system security plan.
    OscalSsp,
    /// OSCAL assessment results.
    OscalAr,
    /// OSCAL plan of action and milestones.
    OscalPoam,
}

/// Output formats of `report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// An Excel workbook.
    Xlsx,
    /// Comma-separated values (RFC 4180).
    Csv,
    /// A self-contained web page.
    Html,
    /// Markdown.
    Md,
    /// JSON with `schema_version` (OSCAL documents: OSCAL JSON).
    Json,
}

/// The interval of a trend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TrendInterval {
    /// Weeks starting on Monday.
    Week,
    /// Calendar months.
    Month,
}

/// `evident evidence …`.
#[derive(Subcommand, Debug)]
pub enum EvidenceCommand {
    /// List evidence items (newest last).
    List {
        /// Only items of this source.
        #[arg(long)]
        source: Option<String>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Record a file a person provides (a signed record, a certificate) as
    /// evidence of a `manual` source.
    Add {
        /// The `manual` source (from sources.yaml).
        source: String,
        /// The file.
        file: PathBuf,
        /// The date the document speaks for (YYYY-MM-DD, default now).
        #[arg(long, value_name = "DATE")]
        observed: Option<String>,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
    /// Show one item's provenance, or its content.
    Show {
        /// The item's ledger index.
        index: u64,
        /// Print the artefact's bytes instead of the provenance.
        #[arg(long, conflicts_with = "normalized")]
        blob: bool,
        /// Print the normalised JSON document instead of the provenance.
        #[arg(long)]
        normalized: bool,
        /// The ISMS repository (default: the current folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// PostgreSQL instead of the embedded store (also EVIDENT_DATABASE_URL).
        #[arg(long, env = "EVIDENT_DATABASE_URL", value_name = "URL")]
        database_url: Option<String>,
    },
}

/// `evident checks …`.
#[derive(Subcommand, Debug)]
pub enum ChecksCommand {
    /// List the checks and the requirements each evidences.
    List {
        /// The ISMS repository whose `checks/` to add (default: the current folder).
        dir: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Run each check against its pass and fail fixtures.
    #[command(after_help = EXIT_CODES_CHECKS_TEST)]
    Test {
        /// The ISMS repository whose `checks/` to add (default: the current folder).
        dir: Option<PathBuf>,
        /// Only this check.
        #[arg(long, value_name = "ID")]
        check: Option<String>,
    },
}

/// Output formats of listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A readable table.
    Text,
    /// A JSON document with `schema_version`.
    Json,
}

/// `evident catalog …`.
#[derive(Subcommand, Debug)]
pub enum CatalogCommand {
    /// List the frameworks, or the requirements of one.
    List {
        /// The framework id (e.g. iso27001-2022, nist-csf-2.0).
        #[arg(long)]
        framework: Option<String>,
        /// Also load the frameworks of this ISMS repository.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Show one requirement: title, theme, parents and mappings.
    Show {
        /// The requirement (`A.8.5`, or `nist-csf-2.0:PR.AA-01`).
        id: String,
        /// Also load the frameworks of this ISMS repository.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped, readable text (coloured on a terminal).
    Text,
    /// A JSON document with `schema_version`.
    Json,
    /// SARIF 2.1.0 for code-scanning tools.
    Sarif,
    /// JUnit XML for CI systems.
    Junit,
}

/// What `approve` approves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ApproveSubject {
    /// A risk's acceptance or treatment plan.
    Risk,
    /// The Statement of Applicability.
    Soa,
    /// A policy.
    Policy,
}
