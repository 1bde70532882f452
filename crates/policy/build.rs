//! Rebuilds the crate when a built-in check or fixture changes: they are
//! embedded with `include_dir!`, whose inputs cargo does not track on stable.

fn main() {
    println!("cargo:rerun-if-changed=checks");
    println!("cargo:rerun-if-changed=build.rs");
}
