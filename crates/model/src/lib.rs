//! The ISMS domain model of evident.
//!
//! Every ISO 27001 requirement is met through the same five-part chain (see
//! `DESIGN.md` §1): a [`Requirement`](framework::Requirement) is satisfied by a
//! [`Control`](control::Control), which treats [`Risk`](risk::Risk)s, is owned
//! by an [`Owner`](owner::Owner) and produces evidence. This crate holds those
//! types and the pure rules over them (risk scoring, content hashing, cadence
//! arithmetic).
//!
//! Architecture invariant: this crate performs no I/O. It never reads a file,
//! the clock or the environment; "now" is always passed in.

#![deny(missing_docs)]

pub mod check;
pub mod control;
pub mod decision;
pub mod diagnostic;
pub mod evidence;
pub mod finding;
pub mod framework;
pub mod hash;
pub mod hex;
pub mod isms;
pub mod location;
pub mod organisation;
pub mod owner;
pub mod policy;
pub mod risk;
pub mod soa;
pub mod source;
pub mod status;
pub mod time;
pub mod vendor;

pub use diagnostic::Diagnostic;
pub use isms::Isms;
pub use location::{Location, Reference};
