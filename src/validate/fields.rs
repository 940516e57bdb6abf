//! Block fields: given at most once, required ones present, numbers in range.

use crate::diagnostic::Code;
use crate::diagnostic::Cx;
use crate::source::Span;
use crate::syntax::ast::{Number, Spanned};

/// Keeps the first value of a field and reports any later one.
pub(crate) fn once<T>(
    cx: &mut Cx,
    slot: &mut Option<(Span, T)>,
    keyword: &Spanned<&'static str>,
    value: T,
) {
    match slot {
        Some((first, _)) => {
            let (file, first) = (cx.file, *first);
            cx.push(
                cx.error(
                    Code::DuplicateField,
                    keyword.span,
                    format!("`{}` is given twice", keyword.node),
                )
                .with_label("given again here")
                .with_related(file, first, "first given here")
                .with_help(format!("keep one `{}`", keyword.node)),
            );
        }
        None => *slot = Some((keyword.span, value)),
    }
}

/// Reports the required fields that are missing from a block, all in one
/// diagnostic at the block's name.
pub(crate) fn report_missing(cx: &mut Cx, at: Span, block: &str, missing: &[&str], example: &str) {
    if missing.is_empty() {
        return;
    }
    let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    let (noun, list) = match list.as_slice() {
        [one] => ("field", one.clone()),
        _ => ("fields", list.join(", ")),
    };
    cx.push(
        cx.error(
            Code::MissingField,
            at,
            format!("{block} is missing the required {noun} {list}"),
        )
        .with_label(format!("{noun} {list} missing"))
        .with_help(example.to_owned()),
    );
}

/// A whole number within `min..=max`, or an error at the number.
pub(crate) fn integer(cx: &mut Cx, number: &Number, what: &str, min: i64, max: i64) -> Option<i64> {
    let text = number.node.as_str();
    if text.contains('.') {
        cx.push(
            cx.error(
                Code::OutOfRange,
                number.span,
                format!("{what} must be a whole number, not `{text}`"),
            )
            .with_label("not a whole number")
            .with_help(format!("write a whole number from {min} to {max}")),
        );
        return None;
    }
    let parsed: Option<i64> = text.parse().ok();
    match parsed {
        Some(n) if (min..=max).contains(&n) => Some(n),
        _ => {
            let why = if parsed.is_some_and(|n| n < min) || text.starts_with('-') {
                format!("{what} must be at least {min}")
            } else {
                format!("{what} must be at most {max}")
            };
            cx.push(
                cx.error(Code::OutOfRange, number.span, format!("{why}, not {text}"))
                    .with_label("out of range")
                    .with_help(format!("write a whole number from {min} to {max}")),
            );
            None
        }
    }
}

/// A decimal within `min..=max`.
pub(crate) fn decimal(cx: &mut Cx, number: &Number, what: &str, min: f64, max: f64) -> Option<f64> {
    match number.node.parse::<f64>() {
        Ok(x) if (min..=max).contains(&x) => Some(x),
        _ => {
            cx.push(
                cx.error(
                    Code::OutOfRange,
                    number.span,
                    format!(
                        "{what} must be between {min} and {max}, not {}",
                        number.node
                    ),
                )
                .with_label("out of range")
                .with_help(format!("write a number from {min} to {max}, such as 0.15")),
            );
            None
        }
    }
}
