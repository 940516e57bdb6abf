//! One lint rule per file; the table of codes is `registry::RULES`.

pub mod alternative_contains_forbidden;
pub mod equal_after_normalization;
pub mod redundant_alternative;
pub mod shadowed_floor_phrase;
pub mod undescribed_floor_group;
pub mod unused_declaration;
